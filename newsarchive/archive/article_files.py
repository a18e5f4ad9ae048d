"""Article records as gzipped JSON Lines, partitioned Hive-style by source and date.

``articles/source=<s>/date=<YYYY-MM-DD>/<crawl id>-<n>.jsonl.gz``: DuckDB and pyarrow
read the partitions directly. The date is the article's own day (its best-evidence
publication date, newsarchive.record.published_day), else the crawl date, so a backfill
lands where a reader looks.
Open files are capped: a years-long backfill must not hold a compressor per day.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from newsarchive.archive import layout
from newsarchive.archive.article_index import IndexEntry, write_index
from newsarchive.record import published_day
from newsarchive.storage.spool import Spool

# No article record comes near this (a long article's record is tens of KB); a line
# over it is read no further, so a hostile file cannot make a reader hold gigabytes.
MAX_RECORD_BYTES = 32 * 1024 * 1024


class OversizedRecord(ValueError):
    """A line of an article file longer than any record the writer makes."""


def read_records(data: bytes) -> Iterator[dict[str, Any]]:
    """The records of one article file, as written here (gzipped JSON Lines). Raises
    ValueError (OversizedRecord, bad JSON) or OSError (not gzip) for a damaged or
    hostile file: a reader skips such a file and says so."""
    with gzip.open(io.BytesIO(data), "rb") as lines:
        number = 0
        while line := lines.readline(MAX_RECORD_BYTES + 1):
            number += 1
            if len(line) > MAX_RECORD_BYTES:
                raise OversizedRecord(f"record {number} is over {MAX_RECORD_BYTES:,} bytes")
            if line.strip():
                yield json.loads(line)


def recency(record: dict[str, Any]) -> tuple[int, str, str]:
    """How recent a version of an article is: its version number, then its capture time
    (two workers that captured the same version), then its extraction time (a capture
    re-extracted by ``newsarchive reprocess`` carries ``extracted_at``; the crawl's own
    extraction has none and comes first). The one rule for "the latest version", used by
    the crawl state's rebuild, ``newsarchive show``, ``download`` and ``reprocess``."""
    version = record.get("version")
    return (
        version if isinstance(version, int) else 1,
        record.get("fetched_at") or "",
        record.get("extracted_at") or "",
    )


def _most_recent(records: Iterable[dict[str, Any]], key: Callable[[dict], Any]) -> dict:
    """The most recent record (:func:`recency`; the later one read on a tie) per key."""
    newest: dict = {}
    for record in records:
        group = key(record)
        held = newest.get(group)
        if held is None or recency(record) >= recency(held):
            newest[group] = record
    return newest


def latest_versions(records: Iterable[dict[str, Any]], key: str = "id") -> dict[str, dict]:
    """The latest version (:func:`recency`) of each article among ``records``, by its
    ``key`` field: ``id`` for the archive's articles, ``url`` for the crawl state."""
    return _most_recent(records, lambda record: record[key])


def capture_key(record: dict[str, Any]) -> tuple[str, int, str]:
    """One capture of one article: its id, version and capture time. Several records of
    one capture are extractions of it (the crawl's, then ``newsarchive reprocess``'s)."""
    version = record.get("version")
    return (
        str(record.get("id")),
        version if isinstance(version, int) else 1,
        str(record.get("fetched_at") or ""),
    )


def newest_extractions(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every capture of every article among ``records`` (all versions), each once: its
    newest extraction (:func:`recency`)."""
    return list(_most_recent(records, capture_key).values())


def each_version(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One article's records as its versions, oldest first, each once: the newest
    extraction of its latest capture (:func:`recency`)."""
    newest = _most_recent(records, lambda record: recency(record)[0])
    return [newest[version] for version in sorted(newest)]


def partition_date(record: dict[str, Any], crawl_date: str) -> str:
    """The article's own day (newsarchive.record.published_day: what the page, else the
    feed or sitemap, else the URL says), else the crawl's."""
    day = published_day(record)
    return day.isoformat() if day else crawl_date


class _OpenFile:
    def __init__(self, key: str, path: Path) -> None:
        self.key = key
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.raw: IO[bytes] = path.open("wb")
        self.gz = gzip.GzipFile(fileobj=self.raw, mode="wb", mtime=0)
        self.records = 0


class ArticleFileWriter:
    def __init__(
        self,
        spool: Spool,
        *,
        source: str,
        crawl_id: str,
        crawl_date: str,
        on_closed=None,
        max_open: int = 16,
    ) -> None:
        self.spool = spool
        self.source = source
        self.crawl_id = crawl_id
        self.crawl_date = crawl_date
        self.on_closed = on_closed
        self.max_open = max_open
        self._open: OrderedDict[str, _OpenFile] = OrderedDict()
        self._serial = 0
        self.index: list[IndexEntry] = []

    def write(self, record: dict[str, Any]) -> str:
        """Append a record; returns the key of the file it went to."""
        date = partition_date(record, self.crawl_date)
        handle = self._open.get(date)
        if handle is None:
            handle = self._new_file(date)
        self._open.move_to_end(date)
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        handle.gz.write(line.encode("utf-8"))
        # A sync flush costs a few bytes and makes every record readable from the file as
        # it stands: a killed crawl loses none that the crawl state counts as stored.
        handle.gz.flush()
        self.index.append(IndexEntry.of(record, handle.key, handle.records))
        handle.records += 1
        return handle.key

    def _new_file(self, date: str) -> _OpenFile:
        while len(self._open) >= self.max_open:
            _, oldest = self._open.popitem(last=False)
            self._finish(oldest)
        self._serial += 1
        key = layout.article_key(self.source, date, self.crawl_id, self._serial)
        handle = _OpenFile(key, self.spool.open_path_for(key))
        self._open[date] = handle
        return handle

    def _finish(self, handle: _OpenFile) -> None:
        handle.gz.close()
        handle.raw.flush()
        os.fsync(handle.raw.fileno())
        handle.raw.close()
        if self.on_closed:
            self.on_closed(handle.key, handle.records)
        self.spool.finish(handle.key)

    def close(self) -> None:
        """Finish every article file, then write the run's index of them (at the end,
        whole: a killed run leaves none, and its files are scanned instead)."""
        while self._open:
            _, handle = self._open.popitem(last=False)
            self._finish(handle)
        if self.index:
            key = layout.index_key(self.source, self.crawl_date, self.crawl_id)
            path = self.spool.open_path_for(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                fh.write(write_index(self.index))
                fh.flush()
                os.fsync(fh.fileno())
            if self.on_closed:
                self.on_closed(key, len(self.index))
            self.spool.finish(key)
            self.index = []
