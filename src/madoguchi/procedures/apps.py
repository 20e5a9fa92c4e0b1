from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "madoguchi.procedures"
    label = "procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        # Field types register themselves on import (procedures.fields.register).
        from madoguchi.procedures import files, person_fields  # noqa: F401
        from madoguchi.procedures.appeal import check_appeal
        from madoguchi.procedures.consistency import check_consistency
        from madoguchi.procedures.definition import definition_checks
        from madoguchi.procedures.fees import check_fee_rule
        from madoguchi.procedures.signer import check_signer
        from madoguchi.procedures.unsigned import check_unsigned_requires

        definition_checks.add("procedures.appeal", check_appeal)
        definition_checks.add("procedures.fees", check_fee_rule)
        definition_checks.add("procedures.signer", check_signer)
        definition_checks.add("procedures.unsigned_requires", check_unsigned_requires)
        # The page, the form and the documents state what the definition says (item: one source of truth).
        definition_checks.add("procedures.consistency", check_consistency)
