"""``madoguchi demo_totp USERNAME``: print the current TOTP code of a demo staff user.

Development only: it refuses unless DEBUG is on, and only reads a device named "demo" whose
key is the public demo key of that user name, so it can never reveal a real staff member's
second factor.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.demo.tenants import DEMO_DEVICE_NAME, demo_totp_code, demo_totp_key


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff user (development only, needs DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo staff user, e.g. aoba-clerk")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs in development (DEBUG on), never in production.")
        device = TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE_NAME, confirmed=True).first()
        if device is None or device.key != demo_totp_key(username):
            raise CommandError(f"{username} has no demo TOTP device (run `madoguchi demo` first).")
        self.stdout.write(demo_totp_code(device))
