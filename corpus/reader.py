"""The archive as a researcher sees it: files found through the run manifests.

The manifests are the archive's index: they list every file with its size and sha256,
so selecting a source or a date range picks partitions from them and never lists the
whole bucket, and every file can be verified on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from newsarchive.archive.article_files import read_records
from newsarchive.archive.manifest import ArchivedFile, listed_files, read_manifests
from newsarchive.storage import Storage

__all__ = ["ArchiveReader", "ArchivedFile"]


class ArchiveReader:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._manifests: list[dict] | None = None
        self.problems: list[str] = []

    def manifests(self) -> list[dict]:
        """The readable run manifests, oldest run first; the others are problems."""
        if self._manifests is None:
            found = []
            for read in read_manifests(self.storage):
                if read.manifest is None:
                    self.problems.append(str(read.problem))
                else:
                    found.append(read.manifest)
            self._manifests = found
        return self._manifests

    def files(self, kind: str | None = None) -> list[ArchivedFile]:
        """Every file the manifests list (recovered ones included), each once."""
        seen: dict[str, ArchivedFile] = {}
        refused: list[str] = []
        for manifest in self.manifests():
            listed, problems = listed_files(manifest)
            refused += problems
            for item in listed:
                if kind is None or item.kind == kind:
                    seen.setdefault(item.key, item)
        self.problems = sorted(set(self.problems) | set(refused))
        return sorted(seen.values(), key=lambda f: f.key)

    def select(
        self,
        kind: str,
        sources: list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[ArchivedFile]:
        """Files of the partitions the filters select."""
        chosen = []
        for item in self.files(kind):
            if sources and item.source not in sources:
                continue
            if since and item.day < since:
                continue
            if until and item.day > until:
                continue
            chosen.append(item)
        return chosen

    def records(self, item: ArchivedFile, data: bytes | None = None) -> Iterator[dict]:
        return read_records(self.storage.get_bytes(item.key) if data is None else data)

    def sources(self) -> list[str]:
        return sorted({str(m["source"]) for m in self.manifests() if m.get("source")})
