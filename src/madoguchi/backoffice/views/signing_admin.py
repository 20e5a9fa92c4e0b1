"""Municipality administrator page (管理者): registering with the national authentication app.

Read-only: the registration's secrets (the private keys) are files named in the signatures
file on the server, never entered or shown in a page. The page says what to give the
Digital Agency — the redirect URI and the JWKS URL the app serves — and whether the
configuration on the server can be used.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from madoguchi.backoffice.views.staff_admin import admin_page
from madoguchi.signatures.authapp.registration import PRODUCTION_URL, SANDBOX_URL, authapp_registration


@admin_page
@require_GET
def signing_registration(request):
    public = settings.MADOGUCHI_PUBLIC_URL.rstrip("/")
    municipality = request.staff.municipality
    return render(
        request,
        "backoffice/admin/signing.html",
        {
            "registration": authapp_registration(municipality.code),
            "redirect_uri": public + reverse("portal:authapp_callback"),
            "jwks_url": public + reverse("portal:authapp_jwks"),
            "sandbox_url": SANDBOX_URL,
            "production_url": PRODUCTION_URL,
            "code": municipality.code,
        },
    )
