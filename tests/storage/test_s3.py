"""Evidence on S3-compatible object storage, against a real S3 API server (moto's standalone
server, started here on a free local port): submit, staff download and ``files verify``."""

from __future__ import annotations

import base64
import hashlib
import itertools
from io import StringIO

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from moto.server import ThreadedMotoServer
from tests.api.support import PROBLEM_TYPE, agent_answers, pdf_upload, post_with_id
from tests.backoffice.casework import log_in_verified, user
from tests.samples import pdf_bytes

from madoguchi.cases.models import Attachment, Case
from madoguchi.storage.config import default_storage_from_env
from madoguchi.storage.services import store_verified

CONTENT = pdf_bytes("委任状 on S3")
SHA = hashlib.sha256(CONTENT).hexdigest()
_buckets = itertools.count()


@pytest.fixture(scope="session")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_environ(endpoint: str, bucket: str) -> dict:
    return {
        "MADOGUCHI_STORAGE": "s3",
        "MADOGUCHI_S3_BUCKET": bucket,
        "MADOGUCHI_S3_ENDPOINT_URL": endpoint,
        "MADOGUCHI_S3_REGION": "ap-northeast-1",
        "MADOGUCHI_S3_ACCESS_KEY_ID": "test-key",
        "MADOGUCHI_S3_SECRET_ACCESS_KEY": "test-secret",
        "MADOGUCHI_S3_ADDRESSING_STYLE": "path",
        "MADOGUCHI_S3_PREFIX": "media",
    }


@pytest.fixture
def bucket(s3_server, settings):
    """A new, empty bucket as the default storage; returns (boto3 client, bucket name)."""
    name = f"madoguchi-test-{next(_buckets)}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="ap-northeast-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env(s3_environ(s3_server, name))}
    return client, name


def keys(client, name) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])]


def test_an_attachment_is_stored_as_one_object_with_its_sha256_and_served_to_staff(client, aoba, bucket):
    s3, name = bucket
    response = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(content=CONTENT)}, key="s3-1")
    assert response.status_code == 201
    case = Case.objects.for_municipality(aoba).get(receipt_number=response.json()["receipt_number"])
    attachment = Attachment.objects.for_municipality(aoba).get(case=case, field_id="power_of_attorney")
    key = f"media/{attachment.storage_name}"
    # One object per attachment: the 委任状 and the copy of photo ID an unsigned request attaches.
    assert sorted(keys(s3, name)) == sorted(f"media/{a.storage_name}" for a in Attachment.objects.for_municipality(aoba).filter(case=case))
    assert key in keys(s3, name)
    head = s3.head_object(Bucket=name, Key=key, ChecksumMode="ENABLED")
    assert head["Metadata"] == {"sha256": SHA}
    assert head["ChecksumSHA256"] == base64.b64encode(bytes.fromhex(SHA)).decode()
    assert head["ContentLength"] == len(CONTENT)
    assert s3.get_object(Bucket=name, Key=key)["Body"].read() == CONTENT

    log_in_verified(client, user("aoba-clerk"))
    download = client.get(f"/staff/cases/{case.receipt_number}/attachments/{attachment.pk}/", {"download": "1"})
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CONTENT


def test_files_verify_passes_on_the_bucket_and_fails_once_an_object_is_changed(client, aoba, bucket):
    s3, name = bucket
    assert (
        post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(content=CONTENT)}).status_code == 201
    )
    out = StringIO()
    call_command("files", "verify", "--municipality", "082015", stdout=out)
    # The 委任状 and the copy of photo ID an unsigned request attaches.
    assert "OK 082015 2 files (2 references)" in out.getvalue()
    (key,) = [k for k in keys(s3, name) if k.endswith(SHA)]  # the 委任状's object
    s3.put_object(Bucket=name, Key=key, Body=b"x" * len(CONTENT))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("files", "verify", "--municipality", "082015", stdout=out)
    assert "SHA-256 differs" in out.getvalue()


@pytest.mark.parametrize("damaged", [b"", b"x" * len(CONTENT), CONTENT[:-1]], ids=["empty", "same-size", "truncated"])
def test_an_object_with_other_bytes_under_the_name_is_replaced(bucket, damaged):
    s3, name = bucket
    s3.put_object(Bucket=name, Key=f"media/attachments/{SHA}", Body=damaged)
    store_verified(f"attachments/{SHA}", CONTENT, sha256=SHA, size=len(CONTENT))
    stored = s3.get_object(Bucket=name, Key=f"media/attachments/{SHA}")
    assert stored["Body"].read() == CONTENT
    assert stored["Metadata"] == {"sha256": SHA}


def test_an_object_with_the_right_bytes_but_no_checksum_is_rehashed_and_reused(bucket):
    s3, name = bucket
    s3.put_object(Bucket=name, Key=f"media/attachments/{SHA}", Body=CONTENT)  # e.g. copied in by a restore
    store_verified(f"attachments/{SHA}", CONTENT, sha256=SHA, size=len(CONTENT))
    assert s3.head_object(Bucket=name, Key=f"media/attachments/{SHA}")["Metadata"] == {}  # not rewritten


def test_an_unreachable_object_store_answers_503_and_stores_nothing(client, aoba, settings):
    # Nothing listens on port 9 (discard) here: the connection is refused at once.
    environ = s3_environ("http://127.0.0.1:9", "madoguchi-unreachable")
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env(environ)}
    response = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(content=CONTENT)})
    assert response.status_code == 503
    assert response.json()["type"] == PROBLEM_TYPE + "storage-unavailable"
    assert not Case.objects.for_municipality(aoba).exists()
