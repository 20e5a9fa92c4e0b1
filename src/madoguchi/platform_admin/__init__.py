"""The platform operator's door: Django's admin at ``/admin/``, hardened.

The operator administers the platform — prefectures, municipalities, departments, staff
accounts and roles, procedures, API tokens — across municipalities. What this package adds
to Django's admin, and why:

* **Two factors, one sign-in.** :class:`~madoguchi.platform_admin.sites.PlatformAdminSite`
  is django-otp's ``OTPAdminSite``: only a session verified by an OTP device gets in. Its
  login page sends the operator to the staff sign-in (``/staff/login/``: password, TOTP,
  django-axes lockout, audited), which brings them back; the staff idle timeout covers
  ``/admin/`` too (``backoffice.middleware``).
* **Every change audited.** Each add, change and delete made through the admin is written
  to the audit chain (:mod:`madoguchi.platform_admin.auditing`): the municipality's chain
  when the object belongs to one, the platform chain otherwise.
* **No passwords handed over.** The users' list has an action that e-mails the account a
  link to set its password (:mod:`madoguchi.platform_admin.users`), so the operator can set
  up a municipality's first administrator without ever knowing their password.
* **No secrets, no residents.** TOTP seeds and recovery codes are never shown (the device
  admins are replaced by read-only lists from which a device can only be deleted, to force
  re-enrolment), and residents' applications are not in the admin at all: they are the
  municipality's, reached through the back office, where every view is audited.
"""
