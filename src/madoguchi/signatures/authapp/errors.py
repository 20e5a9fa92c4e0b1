"""Why signing through the national authentication app did not work, as a resident is told."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Invalid, Unavailable

FLOW_MESSAGES = {
    "state_mismatch": _(
        "The answer from the national authentication app does not belong to this application (it may come "
        "from another tab or an old link). Nothing was submitted: start signing again."
    ),
    "authorization_failed": _(
        "The national authentication app did not confirm the signature. Nothing was submitted: start signing again."
    ),
    "transaction_expired": _(
        "The signing request has expired before it was completed. Nothing was submitted: start signing again."
    ),
    "cancelled": _("Signing was cancelled in the national authentication app. Nothing was submitted."),
}


class AuthAppFlowInvalid(Invalid):
    """The round trip through the national authentication app cannot be trusted or has ended."""

    kind = "signature-rejected"

    def __init__(self, code: str, detail: str = ""):
        super().__init__(FLOW_MESSAGES[code], code=code)
        self.detail = detail


class AuthAppUnavailable(Unavailable):
    """The national authentication app's service did not answer usefully; the draft is kept."""

    kind = "signature-unavailable"
    code = "authapp_unavailable"
    retry_after = 300
    message = _(
        "The national authentication app cannot be reached at the moment. Your answers are kept and nothing "
        "was submitted. Please try again later, or sign with your own signing software."
    )

    def __init__(self, detail: str = ""):
        super().__init__()
        self.detail = detail
