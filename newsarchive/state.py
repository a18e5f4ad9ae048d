"""Crawl state: what the archive already holds, per URL, across runs.

Embedded default: SQLite in the state folder, one database per archive (like the spool),
so a change of ARCHIVE_URI never mixes histories. It can be rebuilt from the archive's
own article files, so a new machine pointed at an existing bucket does not fetch
everything again. Scrapy-free: tests and the ``newsarchive`` command use it directly.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    article_id TEXT,
    status TEXT NOT NULL,            -- live | deleted
    first_seen TEXT NOT NULL,        -- first archived (UTC ISO)
    last_fetch TEXT NOT NULL,
    content_sha256 TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,             -- WARC-Payload-Digest of the last full capture
    record_id TEXT,                  -- ... its WARC-Record-ID
    record_date TEXT                 -- ... its WARC-Date
);
CREATE INDEX IF NOT EXISTS pages_by_article ON pages (article_id);
"""

# When an archived article is fetched again, as ages since its first capture: dense in
# the first day, when state media delete and retitle (a story gone 20 minutes after
# publication, a headline fixed within the hour), sparse after. ZeroScraper and
# NewsEdits' crawlers revisit on such decaying schedules.
DEFAULT_REVISIT_SCHEDULE = "1h,3h,12h,1d,3d,7d"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def parse_schedule(text: str) -> tuple[timedelta, ...]:
    """``"1h,3h,12h,1d,3d,7d"`` as ages, sorted; a clear error for anything else (a
    schedule misread as empty would silently stop every revisit)."""
    points = []
    for part in (p.strip() for p in text.split(",")):
        match = _DURATION.fullmatch(part)
        if not match:
            raise ValueError(
                f"revisit schedule {text!r}: {part!r} is not a duration such as 30m, 3h or 7d"
            )
        points.append(timedelta(seconds=float(match[1]) * _UNITS[match[2]]))
    return tuple(sorted(points))


def horizon(schedule: Sequence[timedelta]) -> timedelta:
    """The age after which an article is never due (see :meth:`PageState.due`)."""
    if not schedule:
        return timedelta(0)
    last = schedule[-1]
    before = schedule[-2] if len(schedule) > 1 else timedelta(0)
    return last + max(last - before, timedelta(seconds=1))


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class PageState:
    url: str
    article_id: str | None
    status: str
    first_seen: str
    last_fetch: str
    content_sha256: str | None
    version: int
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    record_id: str | None
    record_date: str | None

    def due(self, now: datetime, schedule: Sequence[timedelta]) -> bool:
        """Whether the newest point of the revisit schedule (ages since the first capture)
        that has come has not been checked yet: one revisit makes up for points a run
        missed. The last point stays open for as long as the gap before it (a 7d point
        after 3d: until day 11), then nothing is due again, so every article costs at
        most one request per point. A deleted article stays on the schedule, so that its
        return is seen. A point of 0s makes the next run after the first capture
        revisit."""
        first, last = _moment(self.first_seen), _moment(self.last_fetch)
        passed = [point for point in schedule if first + point <= now]
        if not passed or now - first >= horizon(schedule):
            return False
        return last <= first + passed[-1]

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def next_version(
    known: dict[str, Any] | None, content_sha256: str
) -> tuple[int, str | None] | None:
    """The version a freshly extracted article is in the archive, and the content hash of
    the one it replaces; None when its clean text is the one already archived (new bytes
    around the same article, a rail or an ad changed: nothing new to store).

    ``known`` is what the crawl state held for the URL (:class:`PageState` as a dict, as
    it travels in request meta); every change of the clean text is a new version and
    earlier ones are kept."""
    previous = (known or {}).get("content_sha256")
    if not previous:
        return 1, None
    if previous == content_sha256:
        return None
    return int((known or {})["version"]) + 1, previous


class CrawlStateStore(Protocol):
    """What a crawl needs of its state, whichever store holds it: SQLite on one machine
    (:class:`CrawlState`), Redis shared by distributed workers (``RedisCrawlState``)."""

    def get(self, url: str) -> PageState | None: ...

    def article_urls(self, article_id: str) -> list[str]:
        """The URLs whose latest capture was stored under this article id, sorted."""
        ...

    def __len__(self) -> int: ...

    def captured_since(self, when: str) -> Iterator[PageState]:
        """Every page first captured at or after ``when`` (UTC ISO): the only ones a
        revisit schedule can make due (:func:`horizon`)."""
        ...

    def record_capture(
        self,
        url: str,
        *,
        when: str,
        article_id: str | None = None,
        content_sha256: str | None = None,
        version: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        payload_digest: str | None = None,
        record_id: str | None = None,
        record_date: str | None = None,
    ) -> None: ...

    def mark_deleted(self, url: str, *, when: str) -> None: ...

    def close(self) -> None: ...


def open_cache(
    path: Path, open_db: Callable[[Path], sqlite3.Connection], what: str
) -> sqlite3.Connection:
    """``open_db(path)``, or, when the file is damaged or of another schema, the same on
    a new file, the old one set aside (renamed, never deleted): the crawl state and the
    story index are caches of the archive, rebuilt from it when empty, so a bad file
    must not stop the crawl, nor, worse, let it run without them."""
    try:
        return open_db(path)
    except sqlite3.DatabaseError as exc:
        set_aside = path.with_name(f"{path.name}.unusable-{int(time.time())}")
        path.rename(set_aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        logger.warning(
            "%s %s is unusable (%s): set aside as %s, rebuilt from the archive",
            what,
            path,
            exc,
            set_aside.name,
        )
        return open_db(path)


class CrawlState:
    """The crawl state of one machine, in SQLite. It is a cache of what the archive
    holds: a database that is damaged or of another schema is set aside (renamed, never
    deleted) and a new one is rebuilt from the archive, rather than stopping the crawl
    or, worse, letting it run without one."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = open_cache(path, self._open, "crawl state")

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            columns = [row[1] for row in db.execute("PRAGMA table_info(pages)")]
            if columns != ["url", *list(PageState.__dataclass_fields__)[1:]]:
                raise sqlite3.DatabaseError(f"a pages table of another schema: {columns}")
            db.execute("SELECT COUNT(*) FROM pages").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, url: str) -> PageState | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(PageState.__dataclass_fields__)} FROM pages WHERE url = ?",
                (url,),
            ).fetchone()
        return PageState(*row) if row else None

    def article_urls(self, article_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT url FROM pages WHERE article_id = ? ORDER BY url", (article_id,)
            ).fetchall()
        return [row[0] for row in rows]

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]

    def captured_since(self, when: str) -> Iterator[PageState]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(PageState.__dataclass_fields__)} FROM pages "
                "WHERE first_seen >= ? ORDER BY first_seen, url",
                (when,),
            ).fetchall()
        return (PageState(*row) for row in rows)

    def record_capture(
        self,
        url: str,
        *,
        when: str,
        article_id: str | None = None,
        content_sha256: str | None = None,
        version: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        payload_digest: str | None = None,
        record_id: str | None = None,
        record_date: str | None = None,
    ) -> None:
        """A page fetched (new, changed or unchanged): keep the latest facts, keeping
        first_seen and any fact this fetch did not give."""
        with self._lock:
            self._db.execute(
                """
                INSERT INTO pages (url, article_id, status, first_seen, last_fetch,
                    content_sha256, version, etag, last_modified, payload_digest,
                    record_id, record_date)
                VALUES (?, ?, 'live', ?, ?, ?, COALESCE(?, 1), ?, ?, ?, ?, ?)
                ON CONFLICT(url) DO UPDATE SET
                    status = 'live',
                    last_fetch = excluded.last_fetch,
                    article_id = COALESCE(excluded.article_id, article_id),
                    content_sha256 = COALESCE(excluded.content_sha256, content_sha256),
                    version = COALESCE(?, version),
                    etag = COALESCE(excluded.etag, etag),
                    last_modified = COALESCE(excluded.last_modified, last_modified),
                    payload_digest = COALESCE(excluded.payload_digest, payload_digest),
                    record_id = COALESCE(excluded.record_id, record_id),
                    record_date = COALESCE(excluded.record_date, record_date)
                """,
                (
                    url,
                    article_id,
                    when,
                    when,
                    content_sha256,
                    version,
                    etag,
                    last_modified,
                    payload_digest,
                    record_id,
                    record_date,
                    version,
                ),
            )

    def mark_deleted(self, url: str, *, when: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE pages SET status = 'deleted', last_fetch = ? WHERE url = ?", (when, url)
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def archived_records(
    storage,
    problems: list[str],
    what: str,
    on_record: Callable[[dict], None],
    on_manifest: Callable[[dict], None] | None = None,
) -> Iterator[dict]:
    """Every record of every article file the run manifests list, one file in memory at
    a time, each passed to ``on_record`` first; ``on_manifest`` sees each readable
    manifest after its files. By the archive's one rule (newsarchive.archive.manifest):
    files listed as not uploaded are skipped; an unreadable manifest, a refused entry,
    or a file that is missing, damaged or holds a record ``on_record`` cannot take is
    skipped and named in ``problems`` ("skipped in the <what>"), so that one bad file
    does not keep every later crawl from starting. What the crawl state and the story
    index are rebuilt from."""
    from newsarchive.archive.article_files import read_records
    from newsarchive.archive.manifest import listed_files, read_manifests
    from newsarchive.storage import StorageError

    for read in read_manifests(storage):
        if read.manifest is None:
            problems.append(str(read.problem))
            continue
        files, refused = listed_files(read.manifest)
        problems.extend(refused)
        for item in files:
            if item.kind != "articles":
                continue
            try:
                records = list(read_records(storage.get_bytes(item.key)))
                for record in records:
                    on_record(record)
            except (StorageError, OSError, EOFError, ValueError, KeyError, TypeError) as exc:
                problems.append(f"{item.key}: skipped in the {what} ({exc!r})")
                continue
            yield from records
        if on_manifest is not None:
            on_manifest(read.manifest)


def rebuild(state: CrawlStateStore, storage, problems: list[str] | None = None) -> int:
    """Fill an empty crawl state from the archive itself: the latest version of every
    article the run manifests list, and the deletions they record. Returns URLs known.

    It reads the manifests by the archive's one rule (newsarchive.archive.manifest): files listed
    as not uploaded are not in storage and are skipped; an unreadable manifest, a
    refused entry, or an article file that is missing or damaged is skipped and named
    in ``problems``, so that one bad file does not keep every later crawl from starting."""
    from newsarchive.archive.article_files import latest_versions
    from newsarchive.archive.manifest import deletions, reappearances

    problems = [] if problems is None else problems
    first_seen: dict[str, str] = {}
    deleted: dict[str, str] = {}
    back: dict[str, str] = {}

    def first_capture(record: dict) -> None:
        url, when = record["url"], record.get("fetched_at") or ""
        first_seen[url] = min(first_seen.get(url, when), when)

    def gone_and_back(manifest: dict) -> None:
        for url, when in deletions(manifest):
            deleted[url] = max(deleted.get(url, ""), when)
        for url, when in reappearances(manifest):
            back[url] = max(back.get(url, ""), when)

    archived = archived_records(storage, problems, "state rebuild", first_capture, gone_and_back)
    latest = latest_versions(archived, key="url")
    for url, record in latest.items():
        http, warc = record.get("http") or {}, record.get("warc") or {}
        state.record_capture(
            url,
            when=first_seen[url],
            article_id=record["id"],
            content_sha256=record["content_sha256"],
            version=record.get("version", 1),
            etag=http.get("etag"),
            last_modified=http.get("last_modified"),
            payload_digest=http.get("payload_digest"),
            record_id=warc.get("record_id"),
            record_date=warc.get("date"),
        )
    for url, when in deleted.items():
        if url in latest and when >= max(latest[url].get("fetched_at") or "", back.get(url, "")):
            state.mark_deleted(url, when=when)
    return len(latest)
