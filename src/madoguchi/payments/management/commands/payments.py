"""``madoguchi payments reconcile``: compare our online payments with the provider's (run nightly).

Prints one line per municipality and one per difference; exits 1 when any municipality's
payments differ from the provider's (a lost webhook, a payment we do not know), so the
scheduler records the run as failed and an operator looks. Without a configured provider it
says so and succeeds: there is nothing to compare.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from madoguchi.payments.online import payment_reconciliation
from madoguchi.payments.providers import ProviderUnavailable, configured_provider
from madoguchi.tenants.models import Municipality

DIFFERENCES = {
    "paid_there_not_here": "paid at the provider, not here (a lost webhook?)",
    "paid_here_not_there": "paid here, not at the provider",
    "amount_differs": "amounts differ",
    "unknown_here": "at the provider, unknown here",
}


class Command(BaseCommand):
    help = "Reconcile online payments with the payment provider."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser("reconcile", help="Compare our payments with the provider's list.")
        reconcile.add_argument("--municipality", help="Only this municipality (its code).")

    def handle(self, *args, action: str, municipality: str | None = None, **options):
        provider = configured_provider()
        if provider is None:
            self.stdout.write("no payment provider configured (MADOGUCHI_PAYMENT_PROVIDER): nothing to reconcile")
            return
        municipalities = Municipality.objects.order_by("code")
        if municipality:
            municipalities = municipalities.filter(code=municipality)
            if not municipalities.exists():
                raise CommandError(f"no municipality with code {municipality}")
        differing = 0
        for each in municipalities:
            with scope(municipality=each):
                try:
                    report = payment_reconciliation(municipality=each, provider=provider)
                except ProviderUnavailable as error:
                    raise CommandError(f"{provider.id}: {error.message}") from error
            for attribute, meaning in DIFFERENCES.items():
                for reference in getattr(report, attribute):
                    self.stdout.write(f"{each.code} {meaning}: {reference}")
            if not report.clean:
                differing += 1
            self.stdout.write(f"{each.code} {provider.id}: {report.matched} matched, {'clean' if report.clean else 'DIFFERENCES'}")
        if differing:
            self.stderr.write(f"{differing} municipality(ies) with differences")
            sys.exit(1)
