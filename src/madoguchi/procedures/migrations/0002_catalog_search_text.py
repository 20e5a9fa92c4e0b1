"""Recompute every procedure's search text with the catalog folding (accents on Latin letters
dropped): rows stored before it keep "jūminhyō", which a folded query no longer matches."""

from django.db import migrations


def refold(apps, schema_editor):
    from madoguchi.procedures.services import search_text_for

    Procedure = apps.get_model("procedures", "Procedure")
    for procedure in Procedure.objects.exclude(current_version=None).select_related("current_version").iterator():
        text = search_text_for(procedure.current_version.definition)
        if text != procedure.search_text:
            Procedure.objects.filter(pk=procedure.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
