"""S3-compatible object storage through boto3.

Endpoint, region and credentials come from the standard AWS chain (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, AWS_PROFILE, ~/.aws/config ...); nothing here reads or logs a secret.
Every upload sends a SHA-256 checksum so that the server verifies what it stores.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from newsarchive.storage import Storage, StorageError, StoredObject

MULTIPART_THRESHOLD = 64 * 1024 * 1024

# At DEBUG, botocore logs request headers, and the Authorization header names the access
# key id. Scrapy's LOG_LEVEL=DEBUG must not put that in a crawl log.
for _name in ("botocore", "boto3", "s3transfer", "urllib3"):
    logging.getLogger(_name).setLevel(logging.INFO)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'error')}: {err.get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"


class S3Storage(Storage):
    def __init__(self, bucket: str, prefix: str = "", *, client=None, sign: bool = True) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.uri = f"s3://{bucket}/{self.prefix}".rstrip("/")
        if client is None:
            session = boto3.session.Session()
            # Bounded: an endpoint that accepts connections and never answers costs a
            # call at most 3 x (5 + 30) s plus backoff, and the spool gives a file up
            # after its deadline (a hung endpoint held a crawl 550 s, an upload 45 min).
            config = Config(
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=float(os.environ.get("NEWSARCHIVE_S3_READ_TIMEOUT", "30")),
                signature_version=None if sign else UNSIGNED,
            )
            client = session.client(
                "s3", region_name=session.region_name or "us-east-1", config=config
            )
        self.client = client
        self.transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_THRESHOLD
        )

    @classmethod
    def from_uri(cls, uri: str, *, sign: bool = True) -> S3Storage:
        rest = uri.removeprefix("s3://")
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise StorageError(f"{uri!r} names no bucket; expected s3://bucket/prefix")
        return cls(bucket, prefix, sign=sign)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _where(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def _remote_sha256(self, key: str) -> str | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head.get("Metadata", {}).get("sha256", "")

    def put_file(self, path: Path, key: str, sha256: str) -> bool:
        try:
            remote = self._remote_sha256(key)
            if remote is not None:
                if remote == sha256:
                    return False
                raise StorageError(f"{self._where(key)} already exists with different content")
            size = path.stat().st_size
            if size < MULTIPART_THRESHOLD:
                checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
                with path.open("rb") as body:
                    self.client.put_object(
                        Bucket=self.bucket,
                        Key=self._key(key),
                        Body=body,
                        ChecksumSHA256=checksum,
                        Metadata={"sha256": sha256},
                        IfNoneMatch="*",
                    )
            else:
                self.client.upload_file(
                    str(path),
                    self.bucket,
                    self._key(key),
                    ExtraArgs={"ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": sha256}},
                    Config=self.transfer,
                )
        except StorageError:
            raise
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "PreconditionFailed" and self._remote_sha256(key) == sha256:
                return False  # a concurrent or earlier attempt stored the same bytes
            message = f"cannot upload {path} to {self._where(key)}: {_describe(exc)}"
            raise StorageError(message) from None
        except (BotoCoreError, OSError) as exc:
            message = f"cannot upload {path} to {self._where(key)}: {_describe(exc)}"
            raise StorageError(message) from None
        return True

    def put_bytes(self, data: bytes, key: str) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, ChecksumAlgorithm="SHA256"
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot write {self._where(key)}: {_describe(exc)}") from None

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot read {self._where(key)}: {_describe(exc)}") from None

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        byte_range = f"bytes={offset}-{offset + length - 1}"
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(key), Range=byte_range)
            return obj["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            message = f"cannot read {self._where(key)} {byte_range}: {_describe(exc)}"
            raise StorageError(message) from None

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        paginator = self.client.get_paginator("list_objects_v2")
        full = self._key(prefix) if prefix else (self.prefix + "/" if self.prefix else "")
        strip = len(self.prefix) + 1 if self.prefix else 0
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                for obj in page.get("Contents", []):
                    yield StoredObject(obj["Key"][strip:], obj["Size"])
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot list {self._where(prefix)}: {_describe(exc)}") from None

    def exists(self, key: str) -> bool:
        try:
            return self._remote_sha256(key) is not None
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot read {self._where(key)}: {_describe(exc)}") from None

    def check(self, *, write: bool) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise StorageError(f"bucket {self.bucket!r} does not exist") from None
            if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                raise StorageError(
                    f"access to bucket {self.bucket!r} denied: check the AWS credentials "
                    f"(AWS_ACCESS_KEY_ID / AWS_PROFILE) and the endpoint ({code})"
                ) from None
            raise StorageError(f"cannot reach bucket {self.bucket!r}: {_describe(exc)}") from None
        except BotoCoreError as exc:
            raise StorageError(f"cannot reach bucket {self.bucket!r}: {_describe(exc)}") from None
