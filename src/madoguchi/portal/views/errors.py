"""Error pages: the same friendly page in the resident's language, never a stack trace."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from madoguchi.observability.unavailable import is_service_unavailable, unavailable_response
from madoguchi.portal.middleware import DEFAULT_POLICY


def _error(request, status: int, title: str, message: str, *, retry_url: str = ""):
    return render(
        request,
        "portal/error.html",
        {"status": status, "error_title": title, "message": message, "retry_url": retry_url},
        status=status,
    )


def bad_request(request, exception=None):
    # Django's session middleware reports a session it could not save as a bad request
    # (SessionInterrupted); when the database refused the write, it is an outage.
    if is_service_unavailable(exception):
        return unavailable_response(request)
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def forbidden(request, exception=None):
    return _error(
        request,
        403,
        _("Forbidden"),
        _("This request was refused. If you were filling in a form, reload the page and try again."),
    )


def csrf_failure(request, reason=""):
    return forbidden(request)


def not_found(request, exception=None):
    return _error(request, 404, _("Page not found"), _("The page you are looking for does not exist."))


def server_error(request):
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("An unexpected error occurred. Nothing you entered was submitted. Please try again later."),
    )


def service_unavailable(request):
    """The database cannot serve (madoguchi.observability.unavailable adds Retry-After).

    Rendered without touching the database: no municipality, no user.
    """
    response = _error(
        request,
        503,
        _("Temporarily unavailable"),
        _(
            "The service cannot be used at the moment because of maintenance or a fault. "
            "Nothing you entered was submitted. Please try again in a few minutes."
        ),
    )
    response["Content-Security-Policy"] = DEFAULT_POLICY
    return response


def rate_limited(request, exception=None):
    response = _error(
        request,
        429,
        _("Too many requests"),
        _("You have sent too many requests in a short time. Please wait a minute and try again."),
    )
    response["Retry-After"] = "60"
    return response
