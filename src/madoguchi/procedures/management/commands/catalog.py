"""``madoguchi catalog check|load``: validate or load procedure definitions."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from madoguchi.procedures.definition import DefinitionError, load_definition_file
from madoguchi.procedures.services import catalog_load
from madoguchi.tenants.models import Municipality


class Command(BaseCommand):
    help = "Check or load procedure definitions (catalog/*.yaml)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate definition files without loading them.")
        check.add_argument("paths", nargs="*", type=Path)
        load = sub.add_parser("load", help="Load the catalog for a municipality (new versions for changes).")
        load.add_argument("--municipality", required=True, help="local government code, e.g. 082015")
        load.add_argument("--directory", type=Path, default=None)

    def handle(self, *args, action: str, **options):
        try:
            if action == "check":
                paths = options["paths"] or sorted(Path(settings.MADOGUCHI_CATALOG_DIR).glob("*.yaml"))
                for path in paths:
                    load_definition_file(path)
                    self.stdout.write(f"{path}: OK")
                return
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Unknown municipality {options['municipality']}")
            directory = options["directory"] or Path(settings.MADOGUCHI_CATALOG_DIR)
            for result in catalog_load(municipality=municipality, directory=directory):
                state = "new version" if result.created else "unchanged"
                self.stdout.write(f"{municipality.code} {result.slug}: v{result.version} ({state})")
        except DefinitionError as exc:
            raise CommandError(str(exc)) from exc
