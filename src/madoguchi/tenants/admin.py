from django.contrib import admin

from madoguchi.tenants.models import (
    Department,
    Municipality,
    Prefecture,
    PrefectureStaff,
    StaffApiToken,
    StaffMembership,
)


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_kana"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_kana", "prefecture", "is_active"]
    list_filter = ["prefecture", "is_active"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["municipality", "code", "name"]
    list_filter = ["municipality"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    """The platform operator assigns staff roles here, for every municipality; municipality
    administrators do the same for their own in the back office (/staff/admin/staff/)."""

    list_display = ["user", "municipality", "department", "role", "created_at"]
    list_filter = ["municipality", "role"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


@admin.register(PrefectureStaff)
class PrefectureStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "prefecture"]


@admin.register(StaffApiToken)
class StaffApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``madoguchi staff_token``; here they can be seen and revoked."""

    list_display = ["name", "prefix", "user", "municipality", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["municipality"]
    fields = ["name", "prefix", "user", "municipality", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "user", "municipality", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
