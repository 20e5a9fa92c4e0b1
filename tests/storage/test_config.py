"""STORAGES["default"] from the environment, and the check that it can store verified files."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from madoguchi.storage.apps import check_default_storage_verifies
from madoguchi.storage.config import FILESYSTEM_BACKEND, S3_BACKEND, default_storage_from_env


def test_the_file_system_is_the_default():
    assert default_storage_from_env({}) == {"BACKEND": FILESYSTEM_BACKEND}
    assert default_storage_from_env({"MADOGUCHI_STORAGE": "filesystem"}) == {"BACKEND": FILESYSTEM_BACKEND}


def test_s3_is_configured_from_madoguchi_s3_variables():
    entry = default_storage_from_env(
        {
            "MADOGUCHI_STORAGE": "s3",
            "MADOGUCHI_S3_BUCKET": "aoba-media",
            "MADOGUCHI_S3_ENDPOINT_URL": "https://s3.example.lg.jp",
            "MADOGUCHI_S3_REGION": "ap-northeast-1",
            "MADOGUCHI_S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "MADOGUCHI_S3_SECRET_ACCESS_KEY": "secret",
            "MADOGUCHI_S3_ADDRESSING_STYLE": "path",
            "MADOGUCHI_S3_PREFIX": "/madoguchi/",
        }
    )
    options = entry["OPTIONS"]
    assert entry["BACKEND"] == S3_BACKEND
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "aoba-media",
        "https://s3.example.lg.jp",
        "ap-northeast-1",
    )
    assert (options["access_key"], options["secret_key"], options["location"]) == ("AKIAEXAMPLE", "secret", "madoguchi")
    assert options["client_config"].s3 == {"addressing_style": "path"}
    assert options["default_acl"] is None


def test_s3_without_keys_leaves_credentials_to_boto3():
    options = default_storage_from_env({"MADOGUCHI_STORAGE": "s3", "MADOGUCHI_S3_BUCKET": "b"})["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MADOGUCHI_STORAGE": "ftp"}, "filesystem or s3"),
        ({"MADOGUCHI_STORAGE": "s3"}, "MADOGUCHI_S3_BUCKET"),
        ({"MADOGUCHI_STORAGE": "s3", "MADOGUCHI_S3_BUCKET": "b", "MADOGUCHI_S3_ADDRESSING_STYLE": "dns"}, "ADDRESSING"),
    ],
)
def test_a_wrong_storage_setting_stops_the_start(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        default_storage_from_env(environ)


def test_the_system_check_refuses_a_storage_that_cannot_store_verified(settings):
    assert check_default_storage_verifies() == []
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    (error,) = check_default_storage_verifies()
    assert error.id == "madoguchi.storage.E001"
