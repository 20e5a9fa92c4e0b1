"""Platform admin view of applications: read-only. Changing a case is a back-office action
that goes through services (and the audit log), never through the admin."""

from django.contrib import admin

from madoguchi.cases.models import Attachment, Case


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["field_id", "name", "content_type", "size", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["receipt_number", "municipality", "procedure_version", "status", "channel", "submitted_at"]
    list_filter = ["municipality", "status", "channel"]
    search_fields = ["receipt_number"]
    inlines = [AttachmentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
