"""What a resident is told when a signature is refused: the precise reason, in their language."""

from django.utils.translation import gettext_lazy as _

REASON_MESSAGES = {
    "missing": _(
        "This procedure needs an electronic signature (for example with the signing certificate of your "
        "My Number card). Sign the application and send it again."
    ),
    "not_accepted": _("This procedure does not take an electronic signature. Send the application without one."),
    "malformed": _("The signature could not be read. Sign the application again with your signing software."),
    "algorithm": _("The signature uses a method that is not accepted. An RSA signature with SHA-256 is needed."),
    "content_mismatch": _(
        "The signature does not match the content of this application. It was made for other answers or "
        "attachments: sign this application again."
    ),
    "untrusted": _(
        "The signing certificate was not issued by a certification authority that this municipality trusts."
    ),
    "expired": _(
        "The signing certificate has expired. Renew the signing certificate of your My Number card at the "
        "municipal office."
    ),
    "not_yet_valid": _("The signing certificate is not valid yet. Check your device's clock and try again later."),
    "revoked": _(
        "The signing certificate has been revoked (for example after a move, a name change or a lost card)."
    ),
    "key_usage": _(
        "This certificate is not for signing. Use the signing certificate (署名用電子証明書), not the user "
        "authentication certificate."
    ),
    "revocation_unavailable": _(
        "Whether the certificate has been revoked cannot be checked at the moment, so the signature cannot be "
        "accepted now. Nothing was submitted. Please try again later."
    ),
    "not_configured": _(
        "This municipality cannot check electronic signatures at the moment. Nothing was submitted. "
        "Please try again later or contact the municipal office."
    ),
}

# Reasons that are the platform's state, not the resident's input: answered 503, not 422.
UNAVAILABLE_REASONS = frozenset({"revocation_unavailable", "not_configured"})


def reason_message(reason: str) -> str:
    return str(REASON_MESSAGES[reason])


def reason_message_lazy(reason: str):
    return REASON_MESSAGES[reason]
