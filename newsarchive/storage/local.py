"""The embedded default: the archive is a folder on this machine."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from newsarchive.storage import Storage, StorageError, StoredObject, sha256_file


class LocalStorage(Storage):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.uri = str(self.root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"key {key!r} points outside the archive {self.root}")
        return path

    def put_file(self, path: Path, key: str, sha256: str) -> bool:
        target = self._path(key)
        if target.exists():
            if sha256_file(target) == sha256:
                return False
            raise StorageError(f"{target} already exists with different content")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            shutil.copyfile(path, tmp)
            if sha256_file(tmp) != sha256:
                tmp.unlink()
                raise StorageError(f"copy of {path} to {target} does not match its sha256")
            os.replace(tmp, target)
        except OSError as exc:
            raise StorageError(f"cannot write {target}: {exc}") from exc
        return True

    def put_bytes(self, data: bytes, key: str) -> None:
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except OSError as exc:
            raise StorageError(f"cannot write {target}: {exc}") from exc

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"no object {key!r} in archive {self.root}") from exc

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        try:
            with self._path(key).open("rb") as fh:
                fh.seek(offset)
                return fh.read(length)
        except FileNotFoundError as exc:
            raise StorageError(f"no object {key!r} in archive {self.root}") from exc

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        base = self._path(prefix.rstrip("/")) if prefix else self.root
        if base.is_file():
            yield StoredObject(prefix, base.stat().st_size)
            return
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                yield StoredObject(path.relative_to(self.root).as_posix(), path.stat().st_size)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def check(self, *, write: bool) -> None:
        if write:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the archive folder {self.root}: {exc}") from None
            if not os.access(self.root, os.W_OK):
                raise StorageError(f"the archive folder {self.root} is not writable")
        elif not self.root.is_dir():
            raise StorageError(f"no archive at {self.root}: the folder does not exist")
