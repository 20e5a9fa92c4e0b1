from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """Django's admin with :class:`PlatformAdminSite` as ``admin.site``.

    Listed in INSTALLED_APPS instead of ``django.contrib.admin``, so every ``admin.py`` in
    the project (and in django-otp, axes, django-tasks) registers on the hardened site.
    """

    default_site = "madoguchi.platform_admin.sites.PlatformAdminSite"

    def ready(self):
        super().ready()  # autodiscover: every app's admin.py has registered now
        from django.contrib import admin

        from madoguchi.platform_admin.devices import device_admins_restrict
        from madoguchi.platform_admin.users import user_admin_extend

        device_admins_restrict(admin.site)
        user_admin_extend(admin.site)
