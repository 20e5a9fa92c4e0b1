"""Staff sessions: an idle timeout, and the staff member's municipality as the query scope."""

import time

from django.conf import settings
from django_scopes import scope

from madoguchi.tenants.access import staff_context_for

LAST_SEEN_KEY = "madoguchi.staff.last_seen"
STAFF_PREFIXES = ("/staff/", "/api/v1/staff/")
# The platform operator's admin shares the staff sign-in, so it shares the idle timeout too;
# it gets no StaffContext (the admin works across municipalities, unscoped).
ADMIN_PREFIX = "/admin/"
IDLE_PREFIXES = (*STAFF_PREFIXES, ADMIN_PREFIX)


class StaffSessionMiddleware:
    """For back-office and admin requests: log out after MADOGUCHI_STAFF_IDLE_MINUTES without
    a request; for back-office requests, resolve ``request.staff`` (a StaffContext or None)
    and enter the municipality's scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(IDLE_PREFIXES):
            return self.get_response(request)
        request.staff = None
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.MADOGUCHI_STAFF_IDLE_MINUTES * 60:
                # Imported here: backoffice.auth imports LAST_SEEN_KEY from this module.
                from madoguchi.backoffice.auth import staff_idle_logout

                staff_idle_logout(request, idle_seconds=now - last_seen)
            else:
                request.session[LAST_SEEN_KEY] = now
                # Only after the second factor: a password alone is not a staff session.
                if request.user.is_verified() and request.path.startswith(STAFF_PREFIXES):
                    request.staff = staff_context_for(request.user)
        if request.staff is not None:
            with scope(municipality=request.staff.municipality):
                return self.get_response(request)
        return self.get_response(request)
