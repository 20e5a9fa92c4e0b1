from django.apps import AppConfig
from django.core import checks


class StorageConfig(AppConfig):
    name = "madoguchi.storage"
    label = "storage"
    verbose_name = "Storage of evidence files"

    def ready(self) -> None:
        checks.register(check_default_storage_verifies, checks.Tags.files)


def check_default_storage_verifies(app_configs=None, **kwargs):
    """Evidence is written only through ``store_verified``: the default storage must offer it."""
    from django.core.files.storage import storages

    backend = type(storages["default"])
    if callable(getattr(backend, "store_verified", None)):
        return []
    return [
        checks.Error(
            f"STORAGES['default'] ({backend.__module__}.{backend.__qualname__}) cannot store verified files.",
            hint="Use madoguchi.storage.backends.VerifiedFileSystemStorage or madoguchi.storage.s3.VerifiedS3Storage "
            "(MADOGUCHI_STORAGE=filesystem|s3).",
            id="madoguchi.storage.E001",
        )
    ]
