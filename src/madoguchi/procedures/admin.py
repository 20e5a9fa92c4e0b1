"""Platform admin for procedures. Definitions are changed by loading YAML (``madoguchi catalog
load``) so that every change is validated and becomes a new version; here they can be published,
unpublished and inspected."""

from django.contrib import admin

from madoguchi.procedures.models import Procedure, ProcedureVersion


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "content_hash", "source", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["slug", "municipality", "category", "department", "is_published", "current_version"]
    list_filter = ["municipality", "category", "is_published"]
    search_fields = ["slug", "search_text"]
    fields = ["municipality", "slug", "category", "department", "is_published", "current_version"]
    readonly_fields = ["municipality", "slug", "category", "current_version"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "municipality", "created_at", "source"]
    list_filter = ["municipality"]
    readonly_fields = ["municipality", "procedure", "number", "definition", "content_hash", "source", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
