"""Where the archive lives: one interface, a local-folder backend and an S3 backend.

Both the crawler (write side) and the ``newsarchive`` command (read side) go through
this interface, so the archive layout is the same wherever it is stored.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class StorageError(RuntimeError):
    """The archive could not be read or written; the message says which object and why."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int


class Storage(ABC):
    """Keys are '/'-separated paths relative to the archive root."""

    uri: str

    @abstractmethod
    def put_file(self, path: Path, key: str, sha256: str) -> bool:
        """Store a local file under key. Idempotent: an identical object already there is
        left alone. Returns True if bytes were sent, False if the object was already there.
        Raises StorageError if the object exists with different content or cannot be
        written: the caller keeps its local file."""

    @abstractmethod
    def put_bytes(self, data: bytes, key: str) -> None:
        """Store a small object (manifests), overwriting."""

    @abstractmethod
    def get_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    def get_range(self, key: str, offset: int, length: int) -> bytes:
        """Read length bytes at offset without fetching the whole object."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[StoredObject]: ...

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def check(self, *, write: bool) -> None:
        """Raise StorageError with a clear message if the archive cannot be used."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def open_storage(uri: str, *, sign: bool = True) -> Storage:
    """``s3://bucket/prefix`` or a local folder path (``file://`` accepted). sign=False
    reads public buckets anonymously (``--no-sign-request``)."""
    if uri.startswith("s3://"):
        from newsarchive.storage.s3 import S3Storage

        return S3Storage.from_uri(uri, sign=sign)
    from newsarchive.storage.local import LocalStorage

    return LocalStorage(Path(uri.removeprefix("file://")))
