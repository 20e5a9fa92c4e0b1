"""``madoguchi staff_token create --user NAME --name LABEL [--days N]``: a staff API token.

The token is printed once; only its digest is stored. ``revoke --prefix P`` revokes one.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from madoguchi.staff.tokens import staff_token_create
from madoguchi.tenants.models import StaffApiToken


class Command(BaseCommand):
    help = "Create or revoke staff API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True, help="what the token is for, e.g. 基幹系連携")
        create.add_argument("--days", type=int, default=365, help="valid for this many days (0: no expiry)")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args, action: str, **options):
        if action == "revoke":
            with scopes_disabled():
                updated = StaffApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).update(
                    revoked_at=timezone.now()
                )
            if not updated:
                raise CommandError("No active token with that prefix.")
            self.stdout.write("revoked")
            return
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError("Unknown user.")
        expires = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
        try:
            _token, plain = staff_token_create(user=user, name=options["name"], expires_at=expires)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(plain)
