"""Scope handling per request."""

from django_scopes import scopes_disabled


class PlatformAdminScopeMiddleware:
    """Let Django's admin — the platform operator's tool across municipalities — see all rows.

    Only superusers can use the admin. Municipality staff get their own, scoped back office;
    everywhere else an unscoped query still raises.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        return self.get_response(request)
