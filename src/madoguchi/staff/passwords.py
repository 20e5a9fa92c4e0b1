"""Staff passwords by link (パスワード設定・再設定): nobody chooses a password for someone else.

Two kinds of link, each sent by e-mail to the account's own address and each usable once:

* **set** — a municipality administrator adds a staff member without a password (the
  account has an unusable one) and the person gets a link to choose it; the administrator
  can send a new link from the staff member's page. Valid ``MADOGUCHI_PASSWORD_LINK_HOURS``
  (24 by default: the person may read the mail the next working day).
* **reset** — "forgot your password" on the sign-in page: whoever types a user name or an
  e-mail address gets the same answer whether an account exists or not, and the link goes
  to the account's address only. Valid ``MADOGUCHI_PASSWORD_RESET_HOURS`` (Django's
  ``PASSWORD_RESET_TIMEOUT``, 1 hour by default).

Tokens are Django's password-reset tokens (:class:`PasswordResetTokenGenerator`), one
generator per kind (a set link is not a reset link). A token is an HMAC over the user's
password hash, last sign-in, e-mail address and the time it was made, so it stops working
as soon as a password is set with it (or any other way), the person signs in, or the
address changes — single use without a table of used tokens — and it expires with its
kind's timeout. :meth:`PasswordLinkTokenGenerator.token_state` tells the page which of
these happened.

Setting a password never signs anyone in and never touches the authenticator: the person
then signs in with the new password *and* their TOTP code, or enrols an authenticator at
that first sign-in. A deactivated account's link fails. Setting a password also lifts a
lockout of the user name (the guesses were against the old password).

Audit, in the chain of the account's municipality (the platform chain for an operator;
prefecture staff's are only logged), never with a token, link or password:
``staff.password.reset_requested`` (someone asked on the "forgot" page),
``staff.password_link.sent`` / ``staff.password_link.failed`` (the e-mail went out, or the
mail server refused it) and ``staff.password.set``.
"""

from __future__ import annotations

import enum
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict
from madoguchi.staff.auditing import staff_log_action
from madoguchi.staff.selectors import staff_get, staff_is_operator, staff_may_sign_in
from madoguchi.staff.services import StaffAdminError
from madoguchi.tenants.access import StaffContext

logger = logging.getLogger(__name__)

EVENT_RESET_REQUESTED = "staff.password.reset_requested"
EVENT_PASSWORD_SET = "staff.password.set"  # noqa: S105 - an event name
EVENT_LINK_SENT = "staff.password_link.sent"
EVENT_LINK_FAILED = "staff.password_link.failed"

LINK_NO_EMAIL = _("The staff member has no e-mail address, so no link can be sent.")
LINK_INACTIVE = _("The staff member is deactivated. Reactivate them before sending a link.")
LINK_NOT_STAFF = _(
    "The account holds no role and is no operator, so it cannot sign in. Give it a role first, then send the link."
)
LINK_NOT_SENT = _(
    "The e-mail could not be sent (the mail server did not accept it). Check the e-mail address and try again later."
)
# E-mails are in both languages: the sender's language says nothing about the reader's.
EMAIL_LANGUAGES = ("ja", "en")


class LinkPurpose(enum.StrEnum):
    SET = "set"  # a new staff member chooses their first password
    RESET = "reset"  # someone who forgot their password chooses a new one


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    # Used already, or overtaken: a password was set, the person signed in or the address
    # changed since it was made. Also what a made-up token looks like.
    USED = "used"
    INACTIVE = "inactive"  # a genuine link of a deactivated account (or one that is no longer staff)
    UNKNOWN = "unknown"  # no such account, or not a link of ours at all


class PasswordLinkTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset tokens with their own salt and timeout per :class:`LinkPurpose`."""

    def __init__(self, *, purpose: LinkPurpose, timeout_setting: str):
        super().__init__()
        self.key_salt = f"madoguchi.staff.password_link.{purpose}"
        self.timeout_setting = timeout_setting

    @property
    def timeout(self) -> int:
        """Seconds a link stays valid (read from settings on each use)."""
        return int(getattr(settings, self.timeout_setting))

    def token_state(self, user, token: str) -> LinkState:
        """Return whether ``token`` is ``user``'s, and if so whether it is still in time.

        Django's ``check_token`` answers only yes or no; the page says more: an expired link
        (ask for a new one) is not a used one. A token with a correct signature is never older
        than what it claims, so "expired" is told only for genuine tokens.
        """
        if not (user and token):
            return LinkState.UNKNOWN
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return LinkState.UNKNOWN
        genuine = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        if not genuine:
            return LinkState.USED
        if self._num_seconds(self._now()) - timestamp > self.timeout:
            return LinkState.EXPIRED
        return LinkState.VALID

    def check_token(self, user, token) -> bool:
        return self.token_state(user, token) is LinkState.VALID


TOKEN_GENERATORS = {
    LinkPurpose.SET: PasswordLinkTokenGenerator(
        purpose=LinkPurpose.SET, timeout_setting="MADOGUCHI_PASSWORD_SET_TIMEOUT"
    ),
    LinkPurpose.RESET: PasswordLinkTokenGenerator(purpose=LinkPurpose.RESET, timeout_setting="PASSWORD_RESET_TIMEOUT"),
}


LINK_STATE_MESSAGES = {
    LinkState.EXPIRED: _("This link has expired. Ask for a new one below, or ask your administrator to send one."),
    LinkState.USED: _(
        "This link has already been used, or a password was set or a sign-in made since it was sent. "
        "Each link works once. Ask for a new one below if you still need to set your password."
    ),
    LinkState.INACTIVE: _("This account is deactivated, so its password cannot be set. Ask your administrator."),
    LinkState.UNKNOWN: _("This link is not valid. Check that you opened the whole link from the e-mail."),
}


class PasswordLinkRefused(Conflict):
    """A password link that cannot be used; ``state`` says why, ``message`` tells the person."""

    code = "password_link_refused"

    def __init__(self, state: LinkState):
        super().__init__(LINK_STATE_MESSAGES[state], code=f"password_link_{state.value}")
        self.state = state


@dataclass(frozen=True)
class PasswordLink:
    """A password link as opened: whose it is (if it is anyone's) and whether it can be used."""

    purpose: LinkPurpose
    user: object | None
    state: LinkState

    @property
    def usable(self) -> bool:
        return self.state is LinkState.VALID


# --- links and e-mails ----------------------------------------------------------------------


def password_link_url(*, user, purpose: LinkPurpose) -> str:
    """Return a new absolute link for ``user`` to set a password (valid from now)."""
    path = reverse(
        "backoffice:password_link",
        kwargs={
            "purpose": str(purpose),
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": TOKEN_GENERATORS[purpose].make_token(user),
        },
    )
    return settings.MADOGUCHI_STAFF_URL + path


def _send_link(user, *, purpose: LinkPurpose) -> None:
    """Send ``user`` a new link by e-mail, in Japanese and English; raise what the mail server raises."""
    generator = TOKEN_GENERATORS[purpose]
    context = {
        "username": user.get_username(),
        "url": password_link_url(user=user, purpose=purpose),
        "purpose": str(purpose),
        "valid_until": timezone.localtime(timezone.now() + timedelta(seconds=generator.timeout)),
    }
    subjects, bodies = [], []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            subjects.append(render_to_string("staff/email/password_link_subject.txt", context).strip())
            bodies.append(render_to_string("staff/email/password_link_body.txt", context).strip())
    send_mail(" / ".join(subjects), "\n\n----------\n\n".join(bodies) + "\n", None, [user.email])


def _send_andstaff_log_action(user, *, purpose: LinkPurpose, actor: str) -> bool:
    try:
        _send_link(user, purpose=purpose)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Password link for %s not sent: %s", user.get_username(), error.__class__.__name__)
        staff_log_action(
            user, event=EVENT_LINK_FAILED, actor=actor, payload={"purpose": str(purpose), "error": type(error).__name__}
        )
        return False
    staff_log_action(user, event=EVENT_LINK_SENT, actor=actor, payload={"purpose": str(purpose)})
    return True


# --- the administrator sends a set-password link ------------------------------------------


def staff_password_link_send(*, admin: StaffContext, user_id: int) -> None:
    """Send a staff member of the administrator's municipality a link to set their password.

    Used right after :func:`staff.services.staff_create` and from the staff member's page.
    The e-mail goes out now, so a refusal by the mail server is seen at once:
    :class:`StaffAdminError` with a message for the administrator, who tries again. The link
    itself is never shown to the administrator, who could otherwise take over the account.
    """
    admin.require("manage_staff", None)
    user = staff_get(municipality=admin.municipality, user_id=user_id)
    if not user.is_active:
        raise StaffAdminError(LINK_INACTIVE)
    if not user.email:
        raise StaffAdminError(LINK_NO_EMAIL)
    if not _send_andstaff_log_action(user, purpose=LinkPurpose.SET, actor=admin.actor_label):
        raise StaffAdminError(LINK_NOT_SENT)


def operator_password_link_send(*, operator, user_id: int) -> None:
    """Send any staff account a link to set its password, on the platform operator's request.

    The operator's path (``/admin/``, the users' "send a link" action) for accounts no
    municipality administrator manages yet, e.g. a new municipality's first administrator.
    Audited like the administrator's, with the actor ``platform:<user name>``.
    """
    if not staff_is_operator(operator):
        raise PermissionDenied
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise StaffAdminError(LINK_INACTIVE)
    if not staff_may_sign_in(user):
        raise StaffAdminError(LINK_NOT_STAFF)
    if not user.email:
        raise StaffAdminError(LINK_NO_EMAIL)
    if not _send_andstaff_log_action(user, purpose=LinkPurpose.SET, actor=f"platform:{operator.get_username()}"):
        raise StaffAdminError(LINK_NOT_SENT)


# --- "forgot your password" -----------------------------------------------------------------


def staff_password_reset_request(*, identifier: str) -> int:
    """Queue a reset link for each staff account with this user name or e-mail address.

    Returns how many links were queued — for tests and logs only: the page answers the same
    whatever happens, so that it cannot be used to find out which accounts exist. Accounts
    that may not sign in (deactivated, not staff) and accounts without an e-mail address get
    nothing. The e-mail is sent by a background job, so the answer takes as long whether or
    not a mail server was talked to.
    """
    from madoguchi.staff.tasks import staff_password_reset_send_task

    identifier = identifier.strip()
    if not identifier:
        return 0
    User = get_user_model()
    candidates = User._default_manager.filter(
        Q(**{User.USERNAME_FIELD: identifier}) | Q(**{f"{User.EMAIL_FIELD}__iexact": identifier})
    ).order_by("pk")
    queued = 0
    for user in candidates:
        if not staff_may_sign_in(user):
            continue
        staff_log_action(user, event=EVENT_RESET_REQUESTED, actor="anonymous", payload={"email_on_file": bool(user.email)})
        if user.email:
            transaction.on_commit(lambda pk=user.pk: staff_password_reset_send_task.enqueue(pk))
            queued += 1
    return queued


def staff_password_reset_send(*, user_id: int) -> bool:
    """Send the reset link of a request (the background job); return whether it went out."""
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not user.email or not staff_may_sign_in(user):
        return False
    return _send_andstaff_log_action(user, purpose=LinkPurpose.RESET, actor="system")


# --- opening a link and setting the password -----------------------------------------------


def _user_from_uid(uidb64: str):
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    return get_user_model()._default_manager.filter(pk=pk).first()


def password_link_check(*, purpose: str, uidb64: str, token: str) -> PasswordLink:
    """Return the link's account and state, for the page that opens it."""
    try:
        purpose = LinkPurpose(purpose)
    except ValueError:
        return PasswordLink(purpose=LinkPurpose.SET, user=None, state=LinkState.UNKNOWN)
    user = _user_from_uid(uidb64)
    if user is None:
        return PasswordLink(purpose=purpose, user=None, state=LinkState.UNKNOWN)
    state = TOKEN_GENERATORS[purpose].token_state(user, token)
    # Only a genuine link learns that its account is deactivated.
    if state in (LinkState.VALID, LinkState.EXPIRED) and not staff_may_sign_in(user):
        state = LinkState.INACTIVE
    return PasswordLink(purpose=purpose, user=user if state is LinkState.VALID else None, state=state)


def staff_password_set(*, purpose: LinkPurpose, user_id: int, token: str, password: str) -> None:
    """Set the password of the link's account, once; raise :class:`PasswordLinkRefused` if the link cannot be used.

    ``password`` has passed Django's validators (the form's job). The account row is locked
    and the token checked again under the lock, so two submissions of one link cannot both
    succeed. Nobody is signed in: the sign-in that follows asks for the second factor.
    """
    User = get_user_model()
    with transaction.atomic():
        user = User._default_manager.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise PasswordLinkRefused(LinkState.UNKNOWN)
        state = TOKEN_GENERATORS[purpose].token_state(user, token)
        if state is LinkState.VALID and not staff_may_sign_in(user):
            state = LinkState.INACTIVE
        if state is not LinkState.VALID:
            raise PasswordLinkRefused(state)
        user.set_password(password)
        user.save(update_fields=["password"])
        staff_log_action(user, event=EVENT_PASSWORD_SET, payload={"purpose": str(purpose)})
    axes_reset(username=user.get_username())
