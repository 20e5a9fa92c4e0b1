"""``madoguchi demo``: load the demo prefecture, municipalities, their catalogs and FAQ."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from madoguchi.assistant.csvio import FaqImportError
from madoguchi.assistant.entry_vectors import faq_embeddings_schedule
from madoguchi.demo.faq import demo_faq_load
from madoguchi.demo.pki import SOFTWARE_CARD_FILE, SOFTWARE_CARD_PIN, demo_pki_ensure
from madoguchi.demo.tenants import demo_tenants_load
from madoguchi.procedures.definition import DefinitionError
from madoguchi.procedures.services import catalog_load
from madoguchi.signatures.config import signatures_file


class Command(BaseCommand):
    help = "Load the demo municipalities, their procedure catalogs and assistant FAQ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--embed",
            choices=["questions", "all", "none"],
            default="questions",
            help="embeddings computed now (the rest is queued for `madoguchi db_worker`); default: questions",
        )

    def handle(self, *args, embed: str = "questions", **options):
        from madoguchi.assistant.management.commands.assistant import embed_with_progress

        quiet = options.get("verbosity", 1) == 0
        try:
            municipalities = demo_tenants_load()
            self._demo_pki(municipalities)
            for municipality in municipalities:
                results = catalog_load(municipality=municipality, directory=Path(settings.MADOGUCHI_CATALOG_DIR))
                self.stdout.write(f"{municipality.code} {municipality.name}: {len(results)} procedures")
                with scope(municipality=municipality):
                    started = time.perf_counter()
                    faq = demo_faq_load(municipality=municipality)
                    kinds = {"questions": ("q",), "all": ("q", "a"), "none": ()}[embed]
                    count = embed_with_progress(municipality, kinds=kinds, quiet=quiet) if kinds else 0
                    if embed != "all":
                        faq_embeddings_schedule(municipality=municipality)  # the rest, by the worker
                    self.stdout.write(
                        f"{municipality.code} {municipality.name}: FAQ {len(faq.created)} new, {len(faq.updated)} "
                        f"updated, {len(faq.unchanged)} unchanged; {count} embeddings in "
                        f"{time.perf_counter() - started:.1f} s"
                    )
        except DefinitionError as exc:
            raise CommandError(str(exc)) from exc
        except FaqImportError as exc:
            raise CommandError("Demo FAQ: " + "; ".join(f"line {n}: {r}" for n, r in exc.errors[:20])) from exc

    def _demo_pki(self, municipalities) -> None:
        """The demo PKI, only where the settings name the demo signatures file (never in production)."""
        path = signatures_file()
        if path is None or path.parent.name != "demo-pki":
            return
        if demo_pki_ensure(path.parent, [(m.code, m.name) for m in municipalities]):
            self.stdout.write(f"Demo PKI made in {path.parent}")
        self.stdout.write(
            f"Demo software card: {path.parent / SOFTWARE_CARD_FILE} (PIN {SOFTWARE_CARD_PIN}); "
            "see README for signing an application with it"
        )
