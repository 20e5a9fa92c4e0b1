from django.contrib import admin
from django_scopes import scopes_disabled

from madoguchi.tenants.models import Department, Municipality, Prefecture


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

    def get_queryset(self, request):
        # The admin is a cross-municipality tool for the platform operator (superusers).
        with scopes_disabled():
            return Department.objects.all()
