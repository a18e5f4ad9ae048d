"""The archive as a researcher sees it: files found through the run manifests.

The manifests are the archive's index: they list every file with its size and sha256,
so selecting a source or a date range picks partitions from them and never lists the
whole bucket, and every file can be verified on the way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from pipelines.article_files import read_records
from pipelines.storage import Storage, StorageError


@dataclass(frozen=True)
class ArchivedFile:
    key: str
    kind: str  # warc | articles
    size: int
    sha256: str
    records: int | None
    crawl_id: str

    @property
    def source(self) -> str:
        return self.key.split("/")[1].removeprefix("source=")

    @property
    def day(self) -> date:
        return date.fromisoformat(self.key.split("/")[2].removeprefix("date="))


class ArchiveReader:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._manifests: list[dict] | None = None

    def manifests(self) -> list[dict]:
        if self._manifests is None:
            found = []
            for obj in self.storage.list("runs/"):
                if obj.key.endswith(".json"):
                    try:
                        found.append(json.loads(self.storage.get_bytes(obj.key)))
                    except (StorageError, ValueError):
                        continue  # verify reports it; readers go on
            self._manifests = sorted(found, key=lambda m: m.get("started_at", ""))
        return self._manifests

    def files(self, kind: str | None = None) -> list[ArchivedFile]:
        """Every file the manifests list (recovered ones included), each once."""
        seen: dict[str, ArchivedFile] = {}
        for manifest in self.manifests():
            for entry in manifest.get("files", []) + manifest.get("recovered_files", []):
                if entry.get("uploaded") is False:
                    continue
                item = ArchivedFile(
                    entry["key"],
                    entry.get("kind") or entry["key"].split("/")[0],
                    entry["size"],
                    entry["sha256"],
                    entry.get("records"),
                    manifest["crawl_id"],
                )
                if kind is None or item.kind == kind:
                    seen.setdefault(item.key, item)
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
        return sorted({m.get("source") for m in self.manifests() if m.get("source")})
