"""Background jobs of the staff app (Django's task API; the database queue by default)."""

from __future__ import annotations

from django_tasks import task


@task()
def staff_password_reset_send_task(user_id: int) -> bool:
    """E-mail a reset link asked for on the "forgot your password" page; return whether it went out.

    A job, so that the page answers in the same time whether or not an account exists.
    """
    from madoguchi.staff.passwords import staff_password_reset_send

    return staff_password_reset_send(user_id=user_id)
