"""The run manifest, ``runs/<crawl id>.json``: what one crawl wrote and what it saw.

It is the archive's table of contents: ``newsarchive verify`` re-hashes files against
it, downloads check against it, and crawl state can be rebuilt from it.
"""

from __future__ import annotations

import json
import platform
import socket
import threading
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pipelines import layout
from pipelines.spool import Uploaded


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("newsarchive", "scrapy", "trafilatura", "warcio", "dateparser", "boto3"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class RunManifest:
    def __init__(self, crawl_id: str, source: str, started_at: datetime) -> None:
        self.crawl_id = crawl_id
        self.source = source
        self.started_at = started_at
        self.files: list[dict[str, Any]] = []
        self.records: dict[str, int] = {}
        self.recovered: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        return layout.run_key(self.crawl_id)

    def count_records(self, key: str, n: int) -> None:
        with self._lock:
            self.records[key] = n

    def add_file(self, uploaded: Uploaded) -> None:
        kind = uploaded.key.split("/", 1)[0]
        with self._lock:
            self.files.append(
                {
                    "key": uploaded.key,
                    "kind": {"warc": "warc", "articles": "articles"}.get(kind, kind),
                    "size": uploaded.size,
                    "sha256": uploaded.sha256,
                    "records": self.records.get(uploaded.key),
                    "uploaded": uploaded.ok,
                }
            )

    def add_recovered(self, uploaded: Uploaded) -> None:
        """A closed file an earlier, interrupted run left in the spool, uploaded now."""
        with self._lock:
            self.recovered.append(
                {
                    "key": uploaded.key,
                    "kind": uploaded.key.split("/", 1)[0],
                    "size": uploaded.size,
                    "sha256": uploaded.sha256,
                    "records": self.records.get(uploaded.key),
                }
            )

    def render(self, *, status: str, stats: dict[str, Any], errors: list[str]) -> bytes:
        with self._lock:
            files = sorted(self.files, key=lambda f: f["key"])
        warcs = [f for f in files if f["kind"] == "warc"]
        articles = [f for f in files if f["kind"] == "articles"]
        document = {
            "crawl_id": self.crawl_id,
            "source": self.source,
            "status": status,
            "started_at": iso(self.started_at),
            "finished_at": iso(utc_now()),
            "host": socket.gethostname(),
            "versions": software_versions(),
            "counts": {
                "pages_fetched": stats.get("downloader/response_count", 0),
                "articles": sum(f["records"] or 0 for f in articles),
                "article_files": len(articles),
                "warc_files": len(warcs),
                "warc_bytes": sum(f["size"] for f in warcs),
                "new": stats.get("article/new", 0),
                "changed": stats.get("article/changed", 0),
                "unchanged": stats.get("article/unchanged", 0),
                "deleted": stats.get("article/deleted", 0),
                "extraction_failed": stats.get("article/extraction_failed", 0),
                "bytes_fetched": stats.get("capture/bytes", 0),
            },
            "removed_by_rule": _counts_under(stats, "clean/removed/"),
            # Drift, so that a redesign shows in the run's record and not only as a drop in
            # yield: links that look like articles but match no pattern, feeds that
            # stopped, metadata fields whose profile selectors matched nothing.
            "discovery": {
                "unmatched_article_like": stats.get("discovery/unmatched_article_like", 0),
                "unmatched_examples": list(stats.get("discovery/unmatched_examples") or []),
                "stale_feeds": list(stats.get("discovery/stale_feeds") or []),
            },
            "selector_missed": _counts_under(stats, "metadata/selector_missed/"),
            "deleted": sorted(self.deleted, key=lambda d: d["url"]),
            "files": files,
            "recovered_files": sorted(self.recovered, key=lambda f: f["key"]),
            "errors": errors,
            "stats": {k: _jsonable(v) for k, v in sorted(stats.items())},
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _counts_under(stats: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The stats named ``prefix<name>``, by name: one counter per cleaning rule, per field."""
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
