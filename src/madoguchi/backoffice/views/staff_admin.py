"""Municipality administrator pages (管理者): the municipality's staff and their roles.

Only a 管理者 for all of the municipality's departments sees these pages. Everyone else —
other staff, and administrators asking about another municipality's staff or departments —
gets the back office's "not found" page (404), so the pages and other municipalities' staff
stay invisible. The rules live in ``staff.services``; these views parse forms, call one
service and redirect (POST/redirect/GET), or show the form again with its errors.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.backoffice.auth import staff_view
from madoguchi.backoffice.forms_admin import RoleAddForm, StaffCreateForm
from madoguchi.core.errors import NotFound
from madoguchi.staff import passwords, services
from madoguchi.staff.selectors import department_list, staff_detail, staff_list


def not_found(request):
    context = {
        "error_title": _("Not found"),
        "message": _("There is no such page, or it is not available to you."),
        "case": None,
    }
    return render(request, "backoffice/error.html", context, status=404)


def admin_page(view):
    """Municipality administrators only; anyone else, and anything outside their municipality, is a 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.staff.manages_staff:
            return not_found(request)
        try:
            return view(request, *args, **kwargs)
        except (Http404, NotFound):
            return not_found(request)

    return staff_view(wrapper)


@admin_page
@require_GET
def staff_index(request):
    rows = staff_list(municipality=request.staff.municipality)
    return render(request, "backoffice/admin/staff_list.html", {"rows": rows})


@admin_page
@require_http_methods(["GET", "HEAD", "POST"])
def staff_new(request):
    """Add a staff member without a password, then e-mail them a link to choose it."""
    staff = request.staff
    departments = department_list(municipality=staff.municipality)
    form = StaffCreateForm(request.POST if request.method == "POST" else None, departments=departments)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.staff_create(
                admin=staff,
                username=data["username"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                email=data["email"],
                role=data["role"],
                department_id=data["department"],
            )
        except services.StaffAdminError as exc:
            form.add_error("username", exc.message)
        else:
            name = user.get_username()
            try:
                passwords.staff_password_link_send(admin=staff, user_id=user.pk)
            except services.StaffAdminError as exc:
                # The account exists; only the e-mail failed. The page offers to send it again.
                messages.error(
                    request, _("%(username)s was added, but: %(error)s") % {"username": name, "error": exc.message}
                )
            else:
                messages.success(
                    request,
                    _(
                        "%(username)s was added. A link to choose their password was sent to %(email)s; "
                        "they set up their authenticator app at their first sign-in."
                    )
                    % {"username": name, "email": user.email},
                )
            return redirect("backoffice:staff_admin_detail", user_id=user.pk)
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/admin/staff_new.html", {"form": form}, status=status)


def _render_detail(request, user_id: int, *, role_form=None, error: str = "", status: int = 200):
    staff = request.staff
    row = staff_detail(municipality=staff.municipality, user_id=user_id)
    departments = department_list(municipality=staff.municipality)
    context = {
        "row": row,
        "member": row.user,
        "is_self": row.user.pk == staff.user_id,
        "role_form": role_form or RoleAddForm(departments=departments),
        "error": error,
    }
    return render(request, "backoffice/admin/staff_detail.html", context, status=status)


@admin_page
@require_GET
def staff_show(request, user_id: int):
    return _render_detail(request, user_id)


@admin_page
@require_POST
def staff_role_add(request, user_id: int):
    staff = request.staff
    form = RoleAddForm(request.POST, departments=department_list(municipality=staff.municipality))
    if form.is_valid():
        try:
            services.staff_role_add(
                admin=staff,
                user_id=user_id,
                role=form.cleaned_data["role"],
                department_id=form.cleaned_data["department"],
            )
        except services.StaffAdminError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The role was added."))
            return redirect("backoffice:staff_admin_detail", user_id=user_id)
    return _render_detail(request, user_id, role_form=form, status=400)


@admin_page
@require_POST
def staff_role_remove(request, user_id: int, membership_id: int):
    try:
        services.staff_role_remove(admin=request.staff, user_id=user_id, membership_id=membership_id)
    except services.StaffAdminError as exc:
        return _render_detail(request, user_id, error=str(exc.message), status=400)
    messages.success(request, _("The role was removed."))
    return redirect("backoffice:staff_admin_detail", user_id=user_id)


@admin_page
@require_POST
def staff_deactivate(request, user_id: int):
    try:
        services.staff_set_active(admin=request.staff, user_id=user_id, active=False)
    except services.StaffAdminError as exc:
        return _render_detail(request, user_id, error=str(exc.message), status=400)
    messages.success(request, _("The staff member was deactivated and can no longer sign in."))
    return redirect("backoffice:staff_admin_detail", user_id=user_id)


@admin_page
@require_POST
def staff_reactivate(request, user_id: int):
    services.staff_set_active(admin=request.staff, user_id=user_id, active=True)
    messages.success(request, _("The staff member was reactivated and can sign in again."))
    return redirect("backoffice:staff_admin_detail", user_id=user_id)


@admin_page
@require_POST
def staff_totp_reset(request, user_id: int):
    services.staff_totp_reset(admin=request.staff, user_id=user_id)
    messages.success(
        request, _("The authenticator was reset. The staff member sets up a new one at their next sign-in.")
    )
    return redirect("backoffice:staff_admin_detail", user_id=user_id)


@admin_page
@require_POST
def staff_password_link(request, user_id: int):
    """E-mail the staff member a new link to set their password (never shown here)."""
    try:
        passwords.staff_password_link_send(admin=request.staff, user_id=user_id)
    except services.StaffAdminError as exc:
        return _render_detail(request, user_id, error=str(exc.message), status=400)
    messages.success(request, _("A link to set a password was sent to the staff member's e-mail address."))
    return redirect("backoffice:staff_admin_detail", user_id=user_id)
