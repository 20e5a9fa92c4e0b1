"""``madoguchi integrator create --municipality CODE --name LABEL [--rate 600/m]`` | ``revoke`` | ``list``.

``create`` prints the client id and the secret once; only a keyed digest of the secret is
stored. Creating and revoking are written to the municipality's audit chain.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_ratelimit.core import _split_rate

from madoguchi.core.errors import NotFound
from madoguchi.integrations.models import IntegratorCredential
from madoguchi.integrations.services import integrator_credential_create, integrator_credential_revoke
from madoguchi.tenants.commandline import municipalities_for_command


def _checked_rate(rate: str) -> str:
    if rate:
        try:
            _split_rate(rate)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"Not a rate such as 600/m: {rate}") from exc
    return rate


class Command(BaseCommand):
    help = "Create, revoke or list integrator credentials (server-to-server access to the API)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a credential; prints the client id and secret once.")
        create.add_argument("--municipality", metavar="CODE", required=True)
        create.add_argument("--name", required=True, help="whose server it is, e.g. 青葉市公式サイト")
        create.add_argument("--rate", default=None, help="requests per credential, e.g. 600/m (default: setting)")
        revoke = sub.add_parser("revoke", help="Revoke a credential at once.")
        revoke.add_argument("--municipality", metavar="CODE", required=True)
        revoke.add_argument("--client-id", required=True)
        listing = sub.add_parser("list", help="List a municipality's credentials (never their secrets).")
        listing.add_argument("--municipality", metavar="CODE", required=True)

    def handle(self, *args, action: str, municipality: str, **options):
        (target,) = municipalities_for_command(municipality)
        if action == "create":
            rate = None if options["rate"] is None else _checked_rate(options["rate"])
            credential, secret = integrator_credential_create(municipality=target, name=options["name"], rate=rate)
            self.stdout.write(f"client_id: {credential.client_id}\nsecret: {secret}")
        elif action == "revoke":
            try:
                integrator_credential_revoke(municipality=target, client_id=options["client_id"])
            except NotFound:
                raise CommandError("No active credential with that client id in this municipality.") from None
            self.stdout.write("revoked")
        else:
            for credential in IntegratorCredential.objects.for_municipality(target).order_by("created_at"):
                state = "revoked" if credential.revoked_at else "active"
                used = (
                    timezone.localtime(credential.last_used_at).isoformat(timespec="minutes")
                    if credential.last_used_at
                    else "-"
                )
                self.stdout.write(
                    f"{credential.client_id}\t{state}\t{credential.rate or '-'}\t{used}\t{credential.name}"
                )
