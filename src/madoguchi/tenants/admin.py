from django.contrib import admin

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
