"""Platform admin view of the audit log: read-only, like everything the chain covers.

The admin can only browse: an entry or checkpoint changed here would break the chain (and
PostgreSQL refuses it anyway). Municipality administrators have their own, scoped audit
browser in the back office (/staff/admin/audit/).
"""

from django.contrib import admin

from madoguchi.audit.models import AuditCheckpoint, AuditEntry, PlatformAuditCheckpoint, PlatformAuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "municipality", "created_at", "event", "actor", "object_type", "object_id"]
    list_filter = ["municipality", "event"]
    search_fields = ["object_id", "actor"]
    date_hierarchy = "created_at"
    list_select_related = ["municipality__prefecture"]
    show_full_result_count = False  # a count over millions of rows on every page is slow


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "sequence", "hash", "created_at"]
    list_filter = ["municipality"]
    date_hierarchy = "created_at"
    list_select_related = ["municipality__prefecture"]


@admin.register(PlatformAuditEntry)
class PlatformAuditEntryAdmin(ReadOnlyAdmin):
    """The platform's own chain: operators' sign-ins and changes to platform-level objects."""

    list_display = ["sequence", "created_at", "event", "actor", "object_type", "object_id"]
    list_filter = ["event"]
    search_fields = ["object_id", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(PlatformAuditCheckpoint)
class PlatformAuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "hash", "created_at"]
    date_hierarchy = "created_at"
