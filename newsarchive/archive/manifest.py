"""The run manifest, ``runs/<crawl id>.json``: what one crawl wrote and what it saw.

It is the archive's table of contents: ``newsarchive verify`` re-hashes files against
it, downloads check against it, and crawl state can be rebuilt from it. This module
writes it (:class:`RunManifest`) and reads it back (:func:`read_manifests`,
:func:`listed_files`, :func:`deletions`) for every reader: the read side, the crawl
state's rebuild and the runs table apply one rule to entries that are unreadable,
malformed or listed as not uploaded.
"""

from __future__ import annotations

import json
import platform
import re
import socket
import statistics
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from newsarchive.archive import layout
from newsarchive.storage import Storage, StorageError
from newsarchive.storage.spool import Uploaded


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


# What a run did: a crawl fetched pages; a reprocess run re-extracted captures already
# archived (newsarchive reprocess) and fetched nothing.
RUN_KINDS = ("crawl", "reprocess")


def run_kind(manifest: dict[str, Any]) -> str:
    """A manifest's kind; manifests written before kinds existed are crawls."""
    kind = manifest.get("kind")
    return kind if kind in RUN_KINDS else "crawl"


class RunManifest:
    def __init__(
        self, crawl_id: str, source: str, started_at: datetime, kind: str = "crawl"
    ) -> None:
        self.crawl_id = crawl_id
        self.kind = kind
        self.source = source
        self.started_at = started_at
        self.files: list[dict[str, Any]] = []
        self.records: dict[str, int] = {}
        self.recovered: list[dict[str, Any]] = []
        # Articles found gone (with the kind of deletion and the WARC record proving
        # it), and deleted articles found back.
        self.deleted: list[dict[str, Any]] = []
        self.reappeared: list[dict[str, Any]] = []
        # Captures that gave no article (with their WARC pointers), and, for a reprocess
        # run, the failed captures it retried and what came of each.
        self.failures: list[dict[str, Any]] = []
        self.retried: list[dict[str, Any]] = []
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
                    "kind": kind,
                    "size": uploaded.size,
                    "sha256": uploaded.sha256,
                    "records": self.records.get(uploaded.key),
                    "uploaded": uploaded.ok,
                }
            )

    def add_failure(self, failure: dict[str, Any]) -> None:
        with self._lock:
            self.failures.append(failure)

    def add_retried(self, retried: dict[str, Any]) -> None:
        with self._lock:
            self.retried.append(retried)

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

    def render(
        self, *, status: str, stats: dict[str, Any], errors: list[str], why: str = ""
    ) -> bytes:
        with self._lock:
            files = sorted(self.files, key=lambda f: f["key"])
        warcs = [f for f in files if f["kind"] == "warc"]
        articles = [f for f in files if f["kind"] == "articles"]
        document = {
            "crawl_id": self.crawl_id,
            "kind": self.kind,
            "source": self.source,
            "status": status,
            # One line saying why a run is not simply "finished" (empty when it is).
            "status_reason": why,
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
                "reappeared": stats.get("article/reappeared", 0),
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
            "reappeared": sorted(self.reappeared, key=lambda d: d["url"]),
            "extraction_failures": sorted(self.failures, key=lambda f: f["url"]),
            "retried_failures": sorted(self.retried, key=lambda r: r["record_id"]),
            "files": files,
            "recovered_files": sorted(self.recovered, key=lambda f: f["key"]),
            "errors": errors,
            "stats": {k: _jsonable(v) for k, v in sorted(stats.items())},
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


# A source's usual yield (the median of its recent runs) below this is too small to tell
# a collapse from a quiet hour.
USUAL_YIELD_MIN = 10
RECENT_RUNS = 5


def article_links(stats: dict[str, Any]) -> int:
    """How many article links a run's discovery recognised (by the profile's patterns,
    fetched or not: new, due for a revisit, archived and not due, over the limit). It is
    the yield that collapses when a template or a URL pattern changes while every entry
    point still answers 200."""
    scheduled = sum(
        int(v)
        for k, v in stats.items()
        if k.startswith("discovery/articles_from_") and k != "discovery/articles_from_unmatched"
    )
    return (
        scheduled
        + int(stats.get("discovery/archived_not_due", 0))
        + int(stats.get("discovery/over_limit", 0))
    )


def recent_yields(storage: Storage, source: str, count: int = RECENT_RUNS) -> list[int]:
    """:func:`article_links` of the source's last ``count`` runs that finished or were
    degraded, newest first. Runs are found by their keys (layout.run_source), so only
    those manifests are read; an unreadable one is passed over."""
    keys = sorted(
        (o.key for o in storage.list("runs/") if layout.run_source(o.key) == source),
        reverse=True,
    )
    yields: list[int] = []
    for key in keys:
        document = read_manifest(storage, key).manifest
        if document is None or document["status"] not in ("finished", "degraded"):
            continue
        if run_kind(document) != "crawl":
            continue  # a reprocess run discovers nothing
        stats = document.get("stats")
        if isinstance(stats, dict):
            yields.append(article_links(stats))
        if len(yields) >= count:
            break
    return yields


def judge_run(
    reason: str,
    stats: dict[str, Any],
    errors: list[str],
    *,
    max_failure_share: float,
    shares_frontier: bool = False,
    recent: list[int] | None = None,
    min_yield_share: float = 0.2,
) -> tuple[str, str]:
    """(status, why) of a run, from what Scrapy says ended it and what the run counted.

    ``failed``: storage errors, nothing fetched at all, or every entry point (feed,
    sitemap, listing…) failed: an outage or a ban, which must not read as "no new
    articles". ``degraded``: more than ``max_failure_share`` of the article pages could
    not be fetched for a reason other than 404/410 (a dead link is the site's answer
    about its content; refusals, timeouts, 403/429/5xx are trouble for the crawl). An
    early stop keeps Scrapy's reason (``shutdown``…).

    ``degraded`` too: a yield collapse, fewer than ``min_yield_share`` of the article
    links the source's ``recent`` runs usually found (their median, when it is at least
    USUAL_YIELD_MIN and there are three or more of them). It is checked for unwindowed
    runs only (a backfill of one day finds few links by design).

    A distributed worker (``shares_frontier``) reads only its share of the entry points:
    that share all failing (the replay's four dead ECNS listings falling to one worker)
    while the worker fetched article pages from the shared queue is the run's business,
    not a failed worker."""
    if errors:
        return "failed", f"{len(errors)} file(s) could not be stored (kept in the spool)"
    if reason == "closespider_timeout":
        return reason, "the crawl reached its time limit (NEWSARCHIVE_TIME_LIMIT)"
    if reason != "finished":
        return reason, f"the crawl stopped early ({reason})"
    entries = int(stats.get("discovery/entries", 0))
    entries_failed = int(stats.get("discovery/entries_failed", 0))
    worked_for_peers = shares_frontier and stats.get("article/pages_fetched", 0)
    if entries and entries_failed >= entries and not worked_for_peers:
        why = _failure_classes(stats, "discovery/entries_failed/")
        return "failed", f"all {entries} entry points failed ({why})"
    due = int(stats.get("discovery/due", 0))
    if (entries or due) and not stats.get("downloader/response_count", 0):
        # (A distributed worker that found the shared frontier empty had no entries:
        # idle, not failed. A revisit-only run with nothing due fetched nothing, rightly.)
        return "failed", "nothing was fetched"
    trouble, tried = fetch_trouble(stats)
    if tried and trouble / tried > max_failure_share:
        failed = int(stats.get("fetch/failed", 0))
        why = _failure_classes(stats, "fetch/failed/")
        return "degraded", f"{failed} of {tried} article pages could not be fetched ({why})"
    windowed = stats.get("discovery/out_of_window", 0)
    if recent and len(recent) >= 3 and not shares_frontier and not windowed:
        usual = statistics.median(recent)
        found = article_links(stats)
        if usual >= USUAL_YIELD_MIN and found < usual * min_yield_share:
            return "degraded", (
                f"found {found} article links against a median of {usual:g} in its last "
                f"{len(recent)} runs (a changed template or URL pattern? see "
                "discovery/unmatched_article_like and `newsarchive probe`)"
            )
    return "finished", ""


def fetch_trouble(stats: dict[str, Any]) -> tuple[int, int]:
    """(article pages lost to trouble, article pages tried) of a run. A 404 or 410 is
    the site's answer about its content, not trouble: refusals, timeouts, 403/429/5xx
    are."""
    failed = int(stats.get("fetch/failed", 0))
    tried = failed + int(stats.get("article/pages_fetched", 0))
    gone = sum(int(stats.get(f"fetch/failed/http_{code}", 0)) for code in (404, 410))
    return failed - gone, tried


def _failure_classes(stats: dict[str, Any], prefix: str) -> str:
    counts = _counts_under(stats, prefix)
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _counts_under(stats: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The stats named ``prefix<name>``, by name: one counter per cleaning rule, per field."""
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


# -- reading manifests back ------------------------------------------------------------


@dataclass(frozen=True)
class ArchivedFile:
    """A file a run manifest lists as stored, its entry checked."""

    key: str
    kind: str  # warc | articles | index
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


@dataclass(frozen=True)
class ManifestRead:
    """One ``runs/*.json`` as read: the manifest, or why it could not be used."""

    key: str
    manifest: dict[str, Any] | None
    problem: str | None = None


def read_manifest(storage: Storage, key: str) -> ManifestRead:
    """One run manifest, or why it cannot be used (unreadable, not JSON, not an object,
    malformed): the one way every reader reads a manifest."""
    try:
        document = json.loads(storage.get_bytes(key))
    except StorageError as exc:
        return ManifestRead(key, None, f"{key}: unreadable run manifest: {exc}")
    except ValueError as exc:
        return ManifestRead(key, None, f"{key}: damaged run manifest (not JSON: {exc})")
    if not isinstance(document, dict):
        return ManifestRead(key, None, f"{key}: not a run manifest (not an object)")
    wrong = malformed(document)
    if wrong:
        return ManifestRead(key, None, f"{key}: malformed run manifest: {wrong}")
    return ManifestRead(key, document)


def read_manifests(storage: Storage) -> list[ManifestRead]:
    """Every run manifest of the archive, oldest run first; one that cannot be read
    carries its problem instead (and sorts first)."""
    found = [
        read_manifest(storage, o.key) for o in storage.list("runs/") if o.key.endswith(".json")
    ]
    return sorted(found, key=lambda m: str((m.manifest or {}).get("started_at", "")))


# The fields every reader relies on, with the JSON type RunManifest.render writes.
_FIELDS: dict[str, tuple[type, ...]] = {
    "crawl_id": (str,),
    "source": (str,),
    "status": (str,),
    "started_at": (str,),
    "status_reason": (str,),
    "counts": (dict,),
    "stats": (dict,),
    "discovery": (dict,),
    "removed_by_rule": (dict,),
    "files": (list,),
    "recovered_files": (list,),
    "deleted": (list,),
    "reappeared": (list,),
    "extraction_failures": (list,),
    "retried_failures": (list,),
    "errors": (list,),
}


def malformed(document: dict[str, Any]) -> str | None:
    """Why a run manifest cannot be read as one (a required field missing, a field or a
    count of the wrong type), or None. A manifest comes from the archive, which a
    reader may not control: every command trusts it only after this."""
    for name in ("crawl_id", "source", "status", "started_at"):
        if name not in document:
            return f"no {name!r}"
    for name, types in _FIELDS.items():
        if name in document and not isinstance(document[name], types):
            return f"{name!r} is a {type(document[name]).__name__}, not a {types[0].__name__}"
    try:
        datetime.fromisoformat(document["started_at"])
    except ValueError:
        return f"started_at {document['started_at'][:40]!r} is not a time"
    for name, value in (document.get("counts") or {}).items():
        if not isinstance(value, int) or isinstance(value, bool):
            return f"counts.{name} is not a count"
    return None


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _entry(entry: object, crawl_id: str) -> ArchivedFile:
    """One file entry, checked: the key follows the layout (it decides where a download
    writes), size and sha256 are what verification needs."""
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


def listed_files(manifest: dict[str, Any]) -> tuple[list[ArchivedFile], list[str]]:
    """The files a manifest lists as stored (its own and those it recovered from an
    earlier run's spool), each checked, and the problems of the entries refused.

    An entry marked ``"uploaded": false`` is left out without a problem: the writer
    says so honestly when storage was down, the file waits in that machine's spool, and
    a later run lists it under ``recovered_files`` once uploaded."""
    crawl_id = str(manifest.get("crawl_id"))
    files: list[ArchivedFile] = []
    problems: list[str] = []
    for field in ("files", "recovered_files"):
        listed = manifest.get(field) or []
        if not isinstance(listed, list):
            problems.append(f"run {crawl_id}: {field!r} is not a list of files")
            continue
        for entry in listed:
            if isinstance(entry, dict) and entry.get("uploaded") is False:
                continue
            try:
                files.append(_entry(entry, crawl_id))
            except layout.BadKey as exc:
                problems.append(f"run {crawl_id}: entry refused: {exc}")
    return files, problems


def extraction_failures(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The captures a run's extraction failed on, each with its source, URL, pipeline
    version and WARC pointers (entries without a well-formed first pointer are left
    out: a reader of the archive trusts no entry blindly)."""
    found = []
    for entry in manifest.get("extraction_failures") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("pages"), list):
            continue
        pages = [p for p in entry["pages"] if isinstance(p, dict)]
        first = (pages[0].get("warc") if pages else None) or {}
        if isinstance(entry.get("url"), str) and isinstance(first.get("record_id"), str):
            found.append({**entry, "pages": pages})
    return found


def retried_failures(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(WARC record id, pipeline version) of each failed capture a reprocess run retried."""
    return [
        (entry["record_id"], str(entry.get("pipeline")))
        for entry in manifest.get("retried_failures") or []
        if isinstance(entry, dict) and isinstance(entry.get("record_id"), str)
    ]


@dataclass(frozen=True)
class Deletion:
    """An article a run found gone, or (``kind`` "reappeared") found back after a
    deletion: when, how, and the WARC record that shows it (the 404, the redirect, the
    page saying the article is gone, the article served again)."""

    url: str
    at: str
    kind: str
    warc: dict[str, Any] | None
    detail: str | None = None


def _entries(manifest: dict[str, Any], name: str) -> list[dict[str, Any]]:
    listed = manifest.get(name) or []
    return [
        entry
        for entry in (listed if isinstance(listed, list) else [])
        if isinstance(entry, dict)
        and isinstance(entry.get("url"), str)
        and isinstance(entry.get("at"), str)
    ]


def deletion_events(manifest: dict[str, Any]) -> list[Deletion]:
    """The run's deletions and reappearances, malformed entries left out. A deletion
    written before kinds were recorded is a 404 or 410 by its status."""
    found = []
    for entry in _entries(manifest, "deleted"):
        kind = entry.get("kind") or f"http_{entry.get('status')}"
        warc = entry.get("warc") if isinstance(entry.get("warc"), dict) else None
        detail = entry.get("detail") if isinstance(entry.get("detail"), str) else None
        found.append(Deletion(entry["url"], entry["at"], str(kind), warc or None, detail))
    for entry in _entries(manifest, "reappeared"):
        warc = entry.get("warc") if isinstance(entry.get("warc"), dict) else None
        found.append(Deletion(entry["url"], entry["at"], "reappeared", warc or None))
    return found


def deletions(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(URL, when) of the articles the run found deleted, malformed entries left out."""
    return [(entry["url"], entry["at"]) for entry in _entries(manifest, "deleted")]


def reappearances(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(URL, when) of the deleted articles the run found back."""
    return [(entry["url"], entry["at"]) for entry in _entries(manifest, "reappeared")]
