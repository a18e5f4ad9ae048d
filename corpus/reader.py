"""The archive as a researcher sees it: files found through the run manifests.

The manifests are the archive's index: they list every file with its size and sha256,
so selecting a source or a date range picks partitions from them and never lists the
whole bucket, and every file can be verified on the way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from pipelines import layout
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
        return layout.parse(self.key).source

    @property
    def day(self) -> date:
        return layout.parse(self.key).day


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _entry(entry: object, crawl_id: str) -> ArchivedFile:
    """One file entry of a manifest, checked: the key follows the layout (it decides
    where a download writes), size and sha256 are what verification needs."""
    if not isinstance(entry, dict):
        raise layout.BadKey(f"{entry!r} is not a file entry")
    key = layout.parse(entry.get("key"))
    kind = entry.get("kind") or key.kind
    size, sha256 = entry.get("size"), entry.get("sha256")
    if kind != key.kind:
        raise layout.BadKey(f"{key}: listed as {kind!r}, but its key is a {key.kind} file")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise layout.BadKey(f"{key}: size {size!r} is not a byte count")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise layout.BadKey(f"{key}: sha256 {sha256!r} is not a sha256 digest")
    records = entry.get("records")
    return ArchivedFile(
        str(key), key.kind, size, sha256, records if isinstance(records, int) else None, crawl_id
    )


class ArchiveReader:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._manifests: list[dict] | None = None
        self.problems: list[str] = []

    def manifests(self) -> list[dict]:
        if self._manifests is None:
            found = []
            for obj in self.storage.list("runs/"):
                if obj.key.endswith(".json"):
                    try:
                        manifest = json.loads(self.storage.get_bytes(obj.key))
                    except (StorageError, ValueError):
                        continue  # verify reports it; readers go on
                    if isinstance(manifest, dict):
                        found.append(manifest)
                    else:
                        self.problems.append(f"{obj.key}: not a run manifest (not an object)")
            self._manifests = sorted(found, key=lambda m: str(m.get("started_at", "")))
        return self._manifests

    def files(self, kind: str | None = None) -> list[ArchivedFile]:
        """Every file the manifests list (recovered ones included), each once."""
        seen: dict[str, ArchivedFile] = {}
        refused: list[str] = []
        for manifest in self.manifests():
            crawl_id = str(manifest.get("crawl_id"))
            entries: list[object] = []
            for field in ("files", "recovered_files"):
                listed = manifest.get(field) or []
                if isinstance(listed, list):
                    entries += listed
                else:
                    refused.append(f"run {crawl_id}: {field!r} is not a list of files")
            for entry in entries:
                if isinstance(entry, dict) and entry.get("uploaded") is False:
                    continue
                try:
                    item = _entry(entry, crawl_id)
                except layout.BadKey as exc:
                    refused.append(f"run {crawl_id}: entry refused: {exc}")
                    continue
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
        return sorted({m.get("source") for m in self.manifests() if m.get("source")})
