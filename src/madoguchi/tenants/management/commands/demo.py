"""``madoguchi demo``: load the demo prefecture, municipalities and their catalogs."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from madoguchi.procedures.definition import DefinitionError
from madoguchi.procedures.services import catalog_load
from madoguchi.tenants.demo import demo_tenants_load


class Command(BaseCommand):
    help = "Load the demo municipalities and their procedure catalogs (idempotent)."

    def handle(self, *args, **options):
        try:
            for municipality in demo_tenants_load():
                results = catalog_load(municipality=municipality, directory=Path(settings.MADOGUCHI_CATALOG_DIR))
                self.stdout.write(f"{municipality.code} {municipality.name}: {len(results)} procedures")
        except DefinitionError as exc:
            raise CommandError(str(exc)) from exc
