"""``madoguchi assistant import|export|embed``: the FAQ knowledge base from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled
from tqdm import tqdm

from madoguchi.assistant.csvio import FaqImportError, read_faq_csv, write_faq_csv
from madoguchi.assistant.entry_vectors import faq_embeddings_update
from madoguchi.assistant.importing import faq_import
from madoguchi.assistant.inquiries import inquiry_emails_expire
from madoguchi.assistant.selectors import faq_export_rows
from madoguchi.assistant.tasks import faq_embeddings_enqueue
from madoguchi.tenants.models import Municipality


def embed_with_progress(municipality: Municipality, *, kinds=("q", "a"), quiet: bool = False) -> int:
    """Compute missing embeddings of ``municipality`` with a progress bar on stderr."""
    # This process answers no questions: the engine may use every core (the setting, read when
    # the model loads, stays one thread for web and worker processes). Only while it loads, so
    # nothing started from this process later inherits it.
    threads_given = "MADOGUCHI_ASSISTANT_THREADS" in os.environ
    if not threads_given:
        os.environ["MADOGUCHI_ASSISTANT_THREADS"] = str(os.cpu_count() or 1)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=f"{municipality.code} embeddings", unit="text", file=sys.stderr,
                       disable=quiet or total == 0)  # fmt: skip
        bar.n = done
        bar.refresh()

    try:
        return faq_embeddings_update(municipality=municipality, kinds=kinds, progress=progress)
    finally:
        if not threads_given:
            os.environ.pop("MADOGUCHI_ASSISTANT_THREADS", None)
        if bar is not None:
            bar.close()


def _column_mapping(value: str) -> dict[str, str]:
    """Parse ``question=質問,answer=回答``: column -> the file's header name."""
    mapping = {}
    for part in value.split(","):
        column, equals, header = part.partition("=")
        if not equals or not column.strip() or not header.strip():
            raise argparse.ArgumentTypeError(f"expected column=header, got {part!r}")
        mapping[column.strip().lower()] = header.strip()
    return mapping


class Command(BaseCommand):
    help = "Import, export or embed a municipality's assistant FAQ."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a FAQ CSV (UTF-8, UTF-8 with BOM or CP932); all rows or none.")
        imp.add_argument("--municipality", required=True, help="local government code, e.g. 082015")
        imp.add_argument("file", type=Path)
        imp.add_argument("--async", dest="run_async", action="store_true", help="queue the embeddings as a job")
        imp.add_argument(
            "--columns",
            type=_column_mapping,
            help="the file's header per column, e.g. question=質問,answer=回答,category=分類,url=URL,updated=更新日 "
            "(columns not named are ignored)",
        )
        exp = sub.add_parser("export", help="Export the FAQ as CSV (to FILE or standard output).")
        exp.add_argument("--municipality", required=True)
        exp.add_argument("file", type=Path, nargs="?")
        exp.add_argument("--excel", action="store_true", help="UTF-8 with BOM and CRLF, for Excel")
        sub.add_parser(
            "expire-emails",
            help="Forget the e-mail address of inquiries left unanswered for 90 days (run daily).",
        )
        emb = sub.add_parser("embed", help="Compute missing embeddings (all municipalities unless given).")
        emb.add_argument("--municipality")

    def _municipality(self, code: str) -> Municipality:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"Unknown municipality {code}")
        return municipality

    def handle(self, *args, action: str, **options):
        quiet = options["verbosity"] == 0
        if action == "expire-emails":
            with scopes_disabled():
                municipalities = list(Municipality.objects.all())
            for municipality in municipalities:
                with scope(municipality=municipality):
                    count = inquiry_emails_expire(municipality=municipality)
                if count:
                    self.stdout.write(f"{municipality.code}: {count} addresses forgotten")
            return
        if action == "embed":
            with scopes_disabled():
                municipalities = (
                    [self._municipality(options["municipality"])]
                    if options["municipality"]
                    else list(Municipality.objects.all())
                )
            for municipality in municipalities:
                with scope(municipality=municipality):
                    count = embed_with_progress(municipality, quiet=quiet)
                self.stdout.write(f"{municipality.code}: {count} embeddings computed")
            return
        municipality = self._municipality(options["municipality"])
        with scope(municipality=municipality):
            if action == "export":
                data = write_faq_csv(faq_export_rows(municipality=municipality), excel=options["excel"])
                if options["file"]:
                    options["file"].write_bytes(data)
                else:
                    self.stdout.write(data.decode("utf-8-sig"), ending="")
                return
            try:
                rows = read_faq_csv(options["file"].read_bytes(), columns=options["columns"])
            except OSError as exc:
                raise CommandError(str(exc)) from exc
            except FaqImportError as exc:
                raise CommandError(self._errors(exc)) from exc
            with tqdm(
                total=len(rows), desc="rows", unit="row", file=sys.stderr, disable=quiet or len(rows) < 50
            ) as bar:
                try:
                    result = faq_import(
                        municipality=municipality, rows=rows, actor="cli:assistant-import", progress=bar.update
                    )
                except FaqImportError as exc:
                    raise CommandError(self._errors(exc)) from exc
            self.stdout.write(
                f"{municipality.code}: {len(result.created)} created, {len(result.updated)} updated, "
                f"{len(result.unchanged)} unchanged"
            )
            if options["run_async"]:
                # Chunks queued now, taken by every worker of the default queue; until they are
                # done the assistant answers from the words alone (a text without a vector is
                # searched lexically).
                texts, jobs = faq_embeddings_enqueue(municipality=municipality)
                self.stdout.write(f"{texts} embeddings queued in {jobs} jobs (run `madoguchi db_worker`)")
            else:
                count = embed_with_progress(municipality, quiet=quiet)
                self.stdout.write(f"{count} embeddings computed")

    @staticmethod
    def _errors(exc: FaqImportError) -> str:
        lines = [f"line {line}: {reason}" for line, reason in exc.errors]
        return "Nothing was imported:\n" + "\n".join(lines)
