"""``madoguchi sign``: sign an application with a PKCS#12 file (e.g. the demo software card).

Two forms::

    madoguchi sign --p12 card.p12 --municipality 082015 --procedure kaigo-nintei application.json
        reads an API request body ({"answers": ...}), validates it against the procedure and
        prints the body with "signature": {"cms": ...} added, ready to POST.
    madoguchi sign --p12 card.p12 --content application-to-sign.json --output application.p7s
        signs bytes fetched from the signing-content endpoint or the portal's download link.

The PIN comes from --pin-file or the environment variable named by --pin-env
(default MADOGUCHI_CARD_PIN), never from the command line, where other users could see it.
"""

import base64
import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from madoguchi.procedures.errors import AnswersInvalid
from madoguchi.signatures.signing import CardUnreadable, card_load, sign_cms


class Command(BaseCommand):
    help = "Sign an application (or canonical bytes) with a PKCS#12 file, producing a detached CMS signature."

    def add_arguments(self, parser):
        parser.add_argument("application", nargs="?", help="API request body (JSON) to sign")
        parser.add_argument("--p12", required=True, help="PKCS#12 file with the signing key and certificate")
        parser.add_argument("--pin-file", help="file holding the PIN")
        parser.add_argument("--pin-env", default="MADOGUCHI_CARD_PIN", help="environment variable holding the PIN")
        parser.add_argument("--municipality", help="municipality code, e.g. 082015")
        parser.add_argument("--procedure", help="procedure slug")
        parser.add_argument("--content", help="sign these canonical bytes instead (from signing-content)")
        parser.add_argument("--output", help="write here instead of standard output")

    def _pin(self, options) -> str:
        if options["pin_file"]:
            return Path(options["pin_file"]).read_text(encoding="utf-8").strip()
        pin = os.environ.get(options["pin_env"])
        if pin is None:
            raise CommandError(f"Give the PIN in --pin-file or the environment variable {options['pin_env']}.")
        return pin

    def _content(self, options) -> tuple[bytes, dict | None]:
        if options["content"]:
            return Path(options["content"]).read_bytes(), None
        if not (options["application"] and options["municipality"] and options["procedure"]):
            raise CommandError("Give an application JSON file with --municipality and --procedure, or --content.")
        from madoguchi.procedures.selectors import procedure_version_for_submit
        from madoguchi.signatures.services import application_signing_content

        try:
            body = json.loads(Path(options["application"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{options['application']}: {exc}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
            raise CommandError('The application must be a JSON object with "answers".')
        version = procedure_version_for_submit(municipality_code=options["municipality"], slug=options["procedure"])
        try:
            content = application_signing_content(
                municipality=version.municipality, procedure_version=version, answers=body["answers"]
            )
        except AnswersInvalid as exc:
            raise CommandError("; ".join(f"{e.path}: {e.code}" for e in exc.errors)) from exc
        return content, body

    def handle(self, *args, **options):
        try:
            key, certificate, chain = card_load(Path(options["p12"]).read_bytes(), self._pin(options))
        except (OSError, CardUnreadable) as exc:
            raise CommandError(f"{options['p12']}: {exc}") from exc
        content, body = self._content(options)
        signature = sign_cms(content, key, certificate, chain)
        if body is None:
            output = signature
        else:
            body["signature"] = {"cms": base64.b64encode(signature).decode()}
            output = json.dumps(body, ensure_ascii=False, indent=2).encode() + b"\n"
        if options["output"]:
            Path(options["output"]).write_bytes(output)
        elif body is None:
            self.stdout.write(base64.b64encode(output).decode())
        else:
            self.stdout.write(output.decode(), ending="")
