from django.apps import AppConfig


class ConfConfig(AppConfig):
    """The project's configuration as an app, so its deployment checks are registered."""

    name = "madoguchi.conf"
    label = "madoguchi_conf"
    verbose_name = "Configuration"

    def ready(self) -> None:
        from madoguchi.conf import checks  # noqa: F401  (registers the deploy checks)
