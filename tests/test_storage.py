"""Both storage backends, the S3 one against the real SeaweedFS server."""

from __future__ import annotations

import pytest

from newsarchive.storage import StorageError, sha256_file
from newsarchive.storage.local import LocalStorage


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "x.warc.gz"
    path.write_bytes(b"WARC/1.1\r\n" * 1000)
    return path


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "archive")
    return request.getfixturevalue("s3_storage")


def test_put_then_read_back_whole_and_by_range(storage, a_file):
    assert storage.put_file(a_file, "warc/a.warc.gz", sha256_file(a_file)) is True
    assert storage.get_bytes("warc/a.warc.gz") == a_file.read_bytes()
    assert storage.get_range("warc/a.warc.gz", 10, 8) == b"WARC/1.1"


def test_putting_identical_content_again_sends_nothing(storage, a_file):
    digest = sha256_file(a_file)
    storage.put_file(a_file, "warc/a.warc.gz", digest)
    assert storage.put_file(a_file, "warc/a.warc.gz", digest) is False


def test_different_content_under_an_existing_key_is_refused(storage, a_file, tmp_path):
    storage.put_file(a_file, "warc/a.warc.gz", sha256_file(a_file))
    other = tmp_path / "other"
    other.write_bytes(b"something else")
    with pytest.raises(StorageError, match="already exists with different content"):
        storage.put_file(other, "warc/a.warc.gz", sha256_file(other))


def test_list_under_a_prefix(storage, a_file):
    for key in ("runs/1.json", "runs/2.json", "warc/a.warc.gz"):
        storage.put_file(a_file, key, sha256_file(a_file))
    assert [o.key for o in storage.list("runs/")] == ["runs/1.json", "runs/2.json"]
    assert all(o.size == a_file.stat().st_size for o in storage.list("runs/"))


def test_local_keys_cannot_escape_the_archive(tmp_path, a_file):
    with pytest.raises(StorageError, match="outside the archive"):
        LocalStorage(tmp_path / "archive").put_file(a_file, "../evil", sha256_file(a_file))


def test_reading_a_missing_archive_says_so(tmp_path):
    with pytest.raises(StorageError, match=r"no archive at .*the folder does not exist"):
        LocalStorage(tmp_path / "nowhere").check(write=False)


@pytest.mark.s3
def test_s3_upload_carries_a_sha256_the_server_checked(s3_storage, a_file):
    digest = sha256_file(a_file)
    s3_storage.put_file(a_file, "warc/a.warc.gz", digest)
    head = s3_storage.client.head_object(
        Bucket=s3_storage.bucket, Key=f"{s3_storage.prefix}/warc/a.warc.gz", ChecksumMode="ENABLED"
    )
    assert head["Metadata"]["sha256"] == digest
    assert head.get("ChecksumSHA256")


@pytest.mark.s3
def test_s3_wrong_secret_is_rejected(s3_env, monkeypatch):
    from newsarchive.storage.s3 import S3Storage

    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_env["AWS_ENDPOINT_URL"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_env["AWS_ACCESS_KEY_ID"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    with pytest.raises(StorageError, match="denied") as err:
        S3Storage(s3_env["bucket"], "p").check(write=True)
    assert "wrong-secret" not in str(err.value)


@pytest.mark.s3
def test_s3_missing_bucket_says_so(s3_env, monkeypatch):
    from newsarchive.storage.s3 import S3Storage

    for key, value in s3_env.items():
        if key != "bucket":
            monkeypatch.setenv(key, value)
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
        S3Storage("no-such-bucket", "p").check(write=True)


@pytest.mark.s3
def test_s3_large_files_go_up_in_parts_each_checksummed(s3_storage, tmp_path, monkeypatch):
    import hashlib

    from boto3.s3.transfer import TransferConfig

    from newsarchive.storage import s3

    part = 5 * 1024 * 1024  # S3's smallest part
    monkeypatch.setattr(s3, "MULTIPART_THRESHOLD", part)
    s3_storage.transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part)
    big = tmp_path / "big.warc.gz"
    big.write_bytes(hashlib.sha256(b"seed").digest() * (11 * 1024 * 1024 // 32))
    assert s3_storage.put_file(big, "warc/big.warc.gz", sha256_file(big)) is True
    head = s3_storage.client.head_object(
        Bucket=s3_storage.bucket, Key=f"{s3_storage.prefix}/warc/big.warc.gz"
    )
    assert head["ETag"].strip('"').endswith("-3")  # three parts
    assert head["Metadata"]["sha256"] == sha256_file(big)
    assert s3_storage.get_bytes("warc/big.warc.gz") == big.read_bytes()
