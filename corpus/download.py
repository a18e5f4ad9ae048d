"""``newsarchive download``: a researcher's slice of the archive, verified, resumable.

The article files the selection is read from are copied into ``OUT/archive-files/``
with the archive's own layout, each checked against the sha256 its run manifest
recorded; a file that fails is reported and left out, never
half-used. A copy already in OUT with the right hash is not fetched again, which is what
makes an interrupted download resumable. The table (JSONL, Parquet or CSV) is then
built from the copies, and ``download.json`` records what was asked, from where, when,
and the hash of everything written, for the methods section of a paper.

The copies are whole files: they hold every record of a partition, whatever
``--lang``, ``--contains`` or the latest-version rule left out, so they are kept apart
from the selection (``OUT/articles.<format>``), under a name that does not invite a
query: a DuckDB query on an ``OUT/articles/`` folder once read 13 rows for a 5-article
selection.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from corpus import export, warc_export
from corpus.reader import ArchivedFile, ArchiveReader
from corpus.selection import Selection
from newsarchive.archive import layout
from newsarchive.archive.article_files import (
    latest_versions,
    newest_extractions,
    read_records,
)
from newsarchive.archive.manifest import iso, software_versions, utc_now
from newsarchive.record import published_day
from newsarchive.storage import StorageError, sha256_file

FETCH_THREADS = 8
# Where the verified copies of the archive's article files go, inside OUT.
COPIES = "archive-files"


@dataclass
class Report:
    selected: int = 0
    fetched: int = 0
    fetched_bytes: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)
    records: int = 0
    articles: int = 0
    output: Path | None = None
    warc_records: int = 0
    warc_files: int = 0
    warc_bytes: int = 0
    wacz: Path | None = None
    written: dict[str, str] = field(default_factory=dict)

    def skip(self, problem: str, warn: Callable[[str], None]) -> None:
        """A file, entry or record left out: said now, and listed in download.json."""
        self.skipped.append(problem)
        warn(problem)


def _have(path: Path, item: ArchivedFile) -> bool:
    return path.is_file() and path.stat().st_size == item.size and sha256_file(path) == item.sha256


def _fetch(reader: ArchiveReader, item: ArchivedFile, path: Path) -> str | None:
    """Copy one file, verified; returns a warning instead of raising."""
    try:
        data = reader.storage.get_bytes(item.key)
    except StorageError as exc:
        return f"{item.key}: skipped: {exc}"
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != item.size or digest != item.sha256:
        return (
            f"{item.key}: skipped: does not match the manifest of run {item.crawl_id} "
            f"({len(data):,} bytes, sha256 {digest[:12]}…; expected {item.size:,} bytes, "
            f"{item.sha256[:12]}…); `newsarchive verify` checks the whole archive"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return None


def copy_partitions(
    reader: ArchiveReader,
    files: list[ArchivedFile],
    out: Path,
    report: Report,
    progress: Callable[[int], None],
    warn: Callable[[str], None],
) -> list[Path]:
    good: list[Path] = []
    todo: list[tuple[ArchivedFile, Path]] = []
    for item in files:
        try:
            path = layout.inside(out / COPIES, item.key)
        except layout.BadKey as exc:  # the reader parsed the key; this is the last guard
            report.skip(f"{item.key}: refused: {exc}", warn)
            continue
        if _have(path, item):
            report.already += 1
            good.append(path)
            progress(item.size)
        else:
            todo.append((item, path))
    with ThreadPoolExecutor(FETCH_THREADS) as pool:
        futures = {pool.submit(_fetch, reader, item, path): (item, path) for item, path in todo}
        for future in as_completed(futures):
            item, path = futures[future]
            problem = future.result()
            progress(item.size)
            if problem:
                report.skip(problem, warn)
            else:
                report.fetched += 1
                report.fetched_bytes += item.size
                good.append(path)
    return sorted(good)


def _disable(progress_bar: bool | None) -> bool | None:
    """tqdm's None: draw the bar only on a terminal (not into a log or a pipe)."""
    return None if progress_bar is None else not progress_bar


def _sort_key(record: dict) -> tuple:
    """The table's order: by source, the article's day (published_date), its stated time,
    id and version. Following the partitions' order, it lets the second pass hold only
    a day's records at a time."""
    day = published_day(record)
    return (
        record["source"],
        day.isoformat() if day else "",
        record.get("published") or "",
        record["id"],
        record.get("version", 1),
    )


# What the WARC export and the WACZ page list need of a chosen record (kept for each
# chosen article only when --with-warc or --wacz asks, not the whole record).
_POINTER_FIELDS = ("id", "url", "source", "title", "fetched_at", "warc", "pages")


def _choose(
    copies: list[Path],
    selection: Selection,
    all_versions: bool,
    report: Report,
    warn: Callable[[str], None],
) -> list[tuple[tuple, int, int]]:
    """First pass over the copies, one file in memory at a time: (sort key, file, line)
    of every record the selection keeps (its latest version only, unless all
    versions are asked for; of each, the newest extraction), in the order the table is
    written. A file that cannot be
    read whole (damaged, hostile: a record of gigabytes, not JSON) is left out and said."""

    def of_file(number: int, path: Path) -> list[dict]:
        kept = []
        for line, record in enumerate(read_records(path.read_bytes())):
            report.records += 1
            if selection.matches(record):
                kept.append(
                    {
                        "id": record["id"],
                        "version": record.get("version"),
                        "fetched_at": record.get("fetched_at"),
                        "extracted_at": record.get("extracted_at"),
                        "at": (_sort_key(record), number, line),
                    }
                )
        return kept

    def selected() -> Iterator[dict]:
        # Only what the archive's latest-version rule reads, and where the record is.
        for number, path in enumerate(copies):
            try:
                yield from of_file(number, path)
            except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
                report.skip(f"{path.name}: unreadable article file, left out ({exc})", warn)

    # Each capture once, in its newest extraction (newsarchive reprocess adds extractions).
    entries = (
        newest_extractions(selected()) if all_versions else latest_versions(selected()).values()
    )
    return sorted(entry["at"] for entry in entries)


def _chosen_records(copies: list[Path], chosen: list[tuple[tuple, int, int]]) -> Iterator[dict]:
    """Second pass: the chosen records in table order, holding in memory only the chosen
    records of the files the current stretch of the order draws from."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for _, number, line in chosen:
        wanted[number].add(line)
    loaded: dict[int, dict[int, dict]] = {}
    last_use = {number: i for i, (_, number, _) in enumerate(chosen)}
    for i, (_, number, line) in enumerate(chosen):
        if number not in loaded:
            loaded[number] = {
                n: record
                for n, record in enumerate(read_records(copies[number].read_bytes()))
                if n in wanted[number]
            }
        yield loaded[number][line]
        if last_use[number] == i:
            del loaded[number]


def _earlier_exports(path: Path, warn: Callable[[str], None]) -> dict:
    """What an earlier export into the same OUT recorded, kept under ``earlier`` (oldest
    first): a second export (another format, another filter) adds to download.json, and
    the files the first one wrote stay accounted for."""
    if not path.is_file():
        return {}
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        warn(f"{path}: not readable ({exc}); its record of earlier exports is replaced")
        return {}
    if not isinstance(previous, dict):
        return {}
    earlier = previous.pop("earlier", [])
    return {"earlier": [*(earlier if isinstance(earlier, list) else []), previous]}


def download(
    reader: ArchiveReader,
    selection: Selection,
    out: Path,
    *,
    fmt: str = "jsonl",
    all_versions: bool = False,
    with_warc: bool = False,
    wacz: bool = False,
    progress_bar: bool | None = None,
    warn: Callable[[str], None] = print,
    bom: bool = False,
) -> Report:
    from tqdm import tqdm

    report = Report()
    files = reader.select(
        "articles", sources=selection.sources, since=selection.since, until=selection.until
    )
    report.selected = len(files)
    for problem in reader.problems:
        report.skip(problem, warn)
    out.mkdir(parents=True, exist_ok=True)
    with tqdm(
        total=sum(f.size for f in files),
        unit="B",
        unit_scale=True,
        desc="article files",
        disable=_disable(progress_bar),
        leave=False,
    ) as bar:
        copies = copy_partitions(reader, files, out, report, bar.update, warn)

    # Two passes, a file at a time: memory holds the selection's index (and, for the
    # WARC export, its pointers), never the archive's records.
    chosen = _choose(copies, selection, all_versions, report, warn)
    report.articles = len(chosen)
    report.output = out / f"articles.{fmt}"
    pointers_of: list[dict] = []

    def records() -> Iterator[dict]:
        with tqdm(
            total=len(chosen),
            unit="art",
            desc=f"articles.{fmt}",
            disable=_disable(progress_bar),
            leave=False,
        ) as bar:
            for record in _chosen_records(copies, chosen):
                if with_warc or wacz:
                    pointers_of.append({k: record.get(k) for k in _POINTER_FIELDS})
                bar.update(1)
                yield record

    if fmt == "csv":
        export.write_csv(records(), report.output, bom=bom)
    else:
        export.WRITERS[fmt](records(), report.output)
    report.written[report.output.name] = sha256_file(report.output)

    if with_warc or wacz:
        warc_files = []
        wanted, refused = warc_export.pointers(pointers_of)
        for problem in refused:
            report.skip(problem, warn)
        with tqdm(
            total=sum(len(v) for v in wanted.values()),
            unit="rec",
            desc="WARC records",
            disable=_disable(progress_bar),
            leave=False,
        ) as bar:
            for name, pointers in sorted(wanted.items()):
                target = warc_export.local_path(out, name)
                if target.is_file():
                    kept, size, problems = len(pointers), target.stat().st_size, list[str]()
                else:
                    kept, size, problems = warc_export.fetch_warc(
                        reader.storage, name, pointers, target
                    )
                bar.update(len(pointers))
                for problem in problems:
                    report.skip(problem, warn)
                if target.is_file():
                    warc_files.append(target)
                    report.warc_records += kept
                    report.warc_bytes += size
        report.warc_files = len(warc_files)
        for path in warc_files:
            report.written[path.relative_to(out).as_posix()] = sha256_file(path)
        if wacz:
            report.wacz = out / "articles.wacz"
            warc_export.make_wacz(
                warc_files, pointers_of, report.wacz, f"newsarchive: {selection.describe()}"
            )
            report.written[report.wacz.name] = sha256_file(report.wacz)

    (out / "download.json").write_text(
        json.dumps(
            {
                **_earlier_exports(out / "download.json", warn),
                "archive": reader.storage.uri,
                "downloaded_at": iso(utc_now()),
                "selection": {
                    "sources": selection.sources,
                    "since": selection.since.isoformat() if selection.since else None,
                    "until": selection.until.isoformat() if selection.until else None,
                    "languages": selection.languages,
                    "contains": selection.contains,
                    "all_versions": all_versions,
                },
                "runs": sorted({f.crawl_id for f in files}),
                "article_files": [f.key for f in files],
                "skipped": report.skipped,
                "articles": report.articles,
                "format": fmt,
                "parquet_schema_version": export.SCHEMA_VERSION,
                "files": report.written,
                "versions": software_versions(),
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    return report
