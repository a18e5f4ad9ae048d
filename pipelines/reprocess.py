"""Re-extract archived captures when extraction improves, without refetching a page.

Every article record names the pipeline version that extracted it and points at its
response record(s) in the WARC files. ``newsarchive reprocess`` finds, among the newest
extraction of each capture (each version of each article: the archive's one rule,
newsarchive.archive.article_files.recency), those made by another pipeline version (all
of them with ``force``), reads their responses back by range, runs the current pipeline
and stores the result as a new extraction of the same capture: the same id, version,
capture time and WARC pointers, the new text and metadata, and ``extracted_at``. It is
not a new version of the article (edits are what the crawl records); readers take the
newest extraction of each capture, and the older ones stay in the archive.

Incremental: what the current pipeline already extracted is not done again, so a second
run does nothing, and a killed run's records (repaired and uploaded by the next run, as a
killed crawl's are) count as done. Captures of one URL with the same payload digest are
extracted once. The re-extractions are written by an archive session of kind
``reprocess`` per source (spool, article files, show index, run manifest, crawl state:
the crawl's own machinery), so ``newsarchive runs`` lists the run and the crawl state
learns the new text of each latest version (a later crawl would otherwise take the new
pipeline's text for an edit).

The work runs on a Dask cluster, a WARC file a task (the unit cc-pyspark uses; a file of
more than TASK_CAPTURES captures is shared among tasks): each task reads the records it
needs from that file by range, extracts them and returns the records; the driver alone
writes, so what the archive holds never depends on the number of workers.
"""

from __future__ import annotations

import io
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from newsarchive import profiles
from newsarchive.archive import layout
from newsarchive.archive.article_files import capture_key, read_records, recency
from newsarchive.archive.manifest import (
    extraction_failures,
    iso,
    listed_files,
    read_manifests,
    retried_failures,
    utc_now,
)
from newsarchive.archive.warc import BadRecord, WarcPointer, read_record
from newsarchive.items import ArticlePage, CapturedPage
from newsarchive.storage import Storage, StorageError, open_storage
from newsarchive.stories import article_text
from pipelines.article import EXTRACT_MAX_BYTES, PIPELINE_VERSION, build_article
from pipelines.cluster import dask_client
from pipelines.extract import ExtractionFailed

logger = logging.getLogger(__name__)

# What a re-extraction keeps of the record it replaces: the capture and its place among
# the article's versions, which the crawl decided and a new extractor does not.
CARRIED = (
    "id",
    "version",
    "previous_sha256",
    "fetched_at",
    "http",
    "warc",
    "pages",
    "discovered",
    "incomplete",
)


@dataclass(frozen=True)
class Scope:
    """Which records are considered: partitions by source and date, records by language."""

    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    languages: tuple[str, ...] = ()

    def holds_partition(self, source: str, day: date) -> bool:
        if self.sources and source not in self.sources:
            return False
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    def holds_capture(self, source: str, fetched_at: object) -> bool:
        """A capture with no article record (a failed extraction) has no publication
        date: its capture day stands in for the partition's."""
        try:
            day = date.fromisoformat(str(fetched_at)[:10])
        except ValueError:
            return not (self.since or self.until) and self.holds_partition(source, date.min)
        return self.holds_partition(source, day)

    def holds(self, record: dict[str, Any]) -> bool:
        wanted = {language.casefold() for language in self.languages}
        return not wanted or (record.get("language") or "").casefold() in wanted


def pipeline_of(record: dict[str, Any]) -> str:
    pipeline = record.get("pipeline")
    return str(pipeline.get("version")) if isinstance(pipeline, dict) else "unknown"


@dataclass
class Plan:
    """What a run would do: the newest extraction of every capture in scope that is due
    (by source), why each is due, and what could not be read."""

    due: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    made_by: Counter = field(default_factory=Counter)
    current: int = 0
    problems: list[str] = field(default_factory=list)
    # Captures whose extraction failed (the run manifests' extraction_failures), due for
    # another try, by source; and each article's captures as stored (version, capture
    # time, text hash of the newest extraction), which a retried capture joins.
    failures: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    history: dict[str, list[tuple[int, str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @property
    def count(self) -> int:
        return sum(len(records) for records in self.due.values())

    @property
    def failure_count(self) -> int:
        return sum(len(entries) for entries in self.failures.values())


def plan(
    storage: Storage, scope: Scope, *, force: bool = False, recovered: Iterable[str] = ()
) -> Plan:
    """Two passes over the article files in scope, one file in memory at a time: the
    first finds the newest extraction of each capture, the second takes the due ones.
    ``recovered``: keys this run uploaded from the spool, which no manifest lists until
    this run's own is written (a killed run's re-extractions among them).

    A capture the crawl could not extract is due unless an article record points at
    its response already, or a reprocess run retried it with this pipeline (whatever
    came of it; with ``force``, again)."""
    result = Plan()
    files: list[str] = []
    failures: dict[str, dict[str, Any]] = {}
    retried: set[tuple[str, str]] = set()
    for key in recovered:
        try:
            parsed = layout.parse(key)
        except layout.BadKey:
            continue
        if parsed.kind == "articles" and scope.holds_partition(parsed.source, parsed.day):
            files.append(key)
    for read in read_manifests(storage):
        if read.manifest is None:
            result.problems.append(str(read.problem))
            continue
        listed, refused = listed_files(read.manifest)
        result.problems.extend(refused)
        for entry in extraction_failures(read.manifest):
            if scope.holds_capture(str(entry.get("source")), entry.get("fetched_at")):
                failures.setdefault(_first_record_id(entry), entry)
        retried.update(retried_failures(read.manifest))
        files += [
            f.key for f in listed if f.kind == "articles" and scope.holds_partition(f.source, f.day)
        ]
    files = list(dict.fromkeys(files))
    newest: dict[tuple[str, int, str], tuple[tuple[int, str, str], str, int, str]] = {}
    referenced: set[str] = set()
    for key, records in _records_of(storage, files, result.problems):
        for line, record in enumerate(records):
            referenced.add(str((record.get("warc") or {}).get("record_id")))
            if not scope.holds(record):
                continue
            capture = capture_key(record)
            held = newest.get(capture)
            if held is None or recency(record) >= held[0]:
                newest[capture] = (recency(record), key, line, str(record.get("content_sha256")))
    wanted: dict[str, set[int]] = defaultdict(set)
    for (id_, version, fetched_at), (_, key, line, sha) in newest.items():
        wanted[key].add(line)
        result.history[id_].append((version, fetched_at, sha))
    for record_id, entry in failures.items():
        if record_id in referenced:
            continue  # extracted since (by a reprocess run, or a killed one's files)
        if not force and (
            entry.get("pipeline") == PIPELINE_VERSION or ((record_id, PIPELINE_VERSION) in retried)
        ):
            continue
        result.failures[str(entry["source"])].append(entry)
    for key, records in _records_of(storage, sorted(wanted), result.problems):
        for line, record in enumerate(records):
            if line not in wanted[key]:
                continue
            made_by = pipeline_of(record)
            if made_by == PIPELINE_VERSION and not force:
                result.current += 1
                continue
            result.made_by[made_by] += 1
            result.due[str(record.get("source"))].append(record)
    return result


def _first_record_id(entry: dict[str, Any]) -> str:
    return str(entry["pages"][0]["warc"]["record_id"])


def _records_of(
    storage: Storage, keys: Iterable[str], problems: list[str]
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for key in keys:
        try:
            yield key, list(read_records(storage.get_bytes(key)))
        except (StorageError, OSError, EOFError, ValueError) as exc:
            problems.append(f"{key}: unreadable article file, passed over ({exc})")


# -- the work of one task ------------------------------------------------------------


@dataclass
class Outcome:
    """What one task gave for one capture: the new record, or why there is none."""

    capture: tuple[str, int, str]
    source: str
    record: dict[str, Any] | None = None
    failed: str | None = None  # extraction_failed/<reason> | unreadable
    detail: str = ""
    # For a capture whose extraction had failed: its response's WARC record id.
    retry: str | None = None
    # Wall seconds spent reading the WARC record(s) and extracting (make bench).
    read_s: float = 0.0
    extract_s: float = 0.0


def _captured(storage: Storage, page: dict[str, Any], job: dict[str, Any]) -> CapturedPage:
    """One page of a capture, read back from its WARC record. A stored record's HTTP
    facts are the record's; a failed capture's are read from the response."""
    pointer = WarcPointer.parse(page.get("warc"))
    data = read_record(storage, pointer)
    response = next(iter(ArchiveIterator(io.BytesIO(data))))  # (checked: one record)
    http = response.http_headers
    status = int(http.get_statuscode()) if http is not None else 200
    content_type = http.get_header("Content-Type") if http is not None else None
    body = response.content_stream().read()
    facts = job.get("http")
    if not isinstance(facts, dict):
        facts = {
            "status": status,
            "etag": http.get_header("ETag") if http is not None else None,
            "last_modified": http.get_header("Last-Modified") if http is not None else None,
            "payload_digest": response.rec_headers.get_header("WARC-Payload-Digest"),
        }
    return CapturedPage(
        str(page.get("url") or job["url"]),
        status,
        content_type,
        body,
        warc=pointer.as_dict(),  # type: ignore[arg-type]
        fetched_at=job.get("fetched_at"),
        http=facts,
    )


def reextract(storage: Storage, job: dict[str, Any], when: str) -> Outcome:
    """The current pipeline's record of a capture: ``job`` is the stored record it was
    made from, or a run manifest's entry for a capture whose extraction failed."""
    failure = "id" not in job
    capture = ("", 0, str(job.get("fetched_at") or "")) if failure else capture_key(job)
    source = str(job.get("source"))
    pages = job.get("pages") or [{"url": job["url"], "warc": job.get("warc")}]
    retry = _first_record_id(job) if failure else None
    started = time.perf_counter()
    try:
        captured = [_captured(storage, page, job) for page in pages]
    except (BadRecord, StorageError, ValueError, KeyError, TypeError) as exc:
        return Outcome(capture, source, failed="unreadable", detail=str(exc), retry=retry)
    read = time.perf_counter()
    size = sum(len(page.body) for page in captured)
    if size > EXTRACT_MAX_BYTES:
        return Outcome(
            capture,
            source,
            failed="extraction_failed/too_large",
            detail=f"{size:,} bytes of HTML, over NEWSARCHIVE_EXTRACT_MAX_BYTES",
            retry=retry,
        )
    outcome = _extracted(job, captured, when)
    outcome.capture, outcome.retry = capture, retry
    outcome.read_s, outcome.extract_s = read - started, time.perf_counter() - read
    return outcome


def _extracted(job: dict[str, Any], captured: list[CapturedPage], when: str) -> Outcome:
    source = str(job.get("source"))
    profile = profiles.load(source) if source in profiles.available() else None
    discovered = dict(job.get("discovered") or {})
    if job.get("incomplete"):
        discovered["incomplete"] = True
    page = ArticlePage(
        source,
        job["url"],
        profile.language_for(job["url"]) if profile else None,
        captured,
        discovered=discovered,
    )
    nothing = ("", 0, "")
    try:
        new = dict(build_article(page))
    except ExtractionFailed as exc:
        return Outcome(nothing, source, failed=f"extraction_failed/{exc.reason}", detail=str(exc))
    except Exception as exc:  # a bug or a pathological page must not end the run
        return Outcome(
            nothing, source, failed="extraction_failed/extractor_error", detail=repr(exc)
        )
    new.update({name: job.get(name) for name in CARRIED if name in job})
    new["extracted_at"] = when
    return Outcome(nothing, source, new)


def reextract_file(archive_uri: str, jobs: list[dict[str, Any]], when: str) -> list[Outcome]:
    """A cluster task: the captures whose (first) response lies in one WARC file."""
    storage = open_storage(archive_uri)
    return [reextract(storage, job, when) for job in jobs]


def tasks(due: Iterable[dict[str, Any]]) -> tuple[dict[str, list[dict]], dict[tuple, list[dict]]]:
    """The captures to extract, grouped by the WARC file of their (first) response, and
    the captures that share a URL and payload digest with one of them (extracted once:
    their result is that one's, with their own capture fields)."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    same: dict[tuple, list[dict]] = defaultdict(list)
    first_of: dict[tuple[str, str | None], tuple] = {}
    for record in due:
        digest = (record.get("http") or {}).get("payload_digest")
        single = len(record.get("pages") or []) <= 1
        key = (record["url"], digest)
        if digest and single and key in first_of:
            same[first_of[key]].append(record)
            continue
        if digest and single:
            first_of[key] = capture_key(record)
        warc = record.get("warc") or {}
        by_file[str(warc.get("filename") or "")].append(record)
    return by_file, same


# -- the run -------------------------------------------------------------------------

# Captures a task extracts at most: enough that scheduling costs nothing beside them
# (a capture takes 15-20 ms), few enough that two workers share a single WARC file.
TASK_CAPTURES = 100


def leftover_source(spool: Path) -> str | None:
    """The source of a file an earlier run (a killed reprocess or crawl) left in this
    archive's spool, or None when it holds none: a run recovers those files before it
    plans, so that what a killed run re-extracted counts as done."""
    from newsarchive.storage.spool import OPEN_DIR

    if not spool.is_dir():
        return None
    for path in sorted(spool.rglob("*")):
        if not path.is_file() or path.name.endswith(".lock"):
            continue
        parts = path.relative_to(spool).parts
        key = "/".join(parts[2:] if parts[0] == OPEN_DIR else parts)
        try:
            return layout.parse(key).source
        except layout.BadKey:
            continue  # a run manifest kept while storage was down
    return None


@dataclass
class Result:
    planned: int = 0
    # Seconds by stage, summed over captures: reading records and extracting (in the
    # workers), writing (in the driver).
    seconds: dict[str, float] = field(
        default_factory=lambda: {"read": 0.0, "extract": 0.0, "write": 0.0}
    )
    stats: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)


def run(
    archive_uri: str,
    work: Plan,
    *,
    open_session: Callable[[str], Any],
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int, str, int], None] | None = None,
) -> Result:
    """Re-extract the due captures of each source (and retry its failed ones) and store
    them through a session of kind ``reprocess`` per source (``open_session(source)``)."""
    from distributed import as_completed

    due = work.due
    result = Result(planned=work.count + work.failure_count)
    when = iso(utc_now())
    local = not archive_uri.startswith("s3://")
    where = str(Path(archive_uri.removeprefix("file://")).resolve()) if local else archive_uri
    sources = sorted(set(due) | set(work.failures))
    sessions = {source: open_session(source) for source in sources}
    units: list[tuple[str, list[dict]]] = []
    twins: dict[tuple, list[dict]] = {}
    for source in sources:
        by_file, same = tasks(due.get(source, []))
        for entry in work.failures.get(source, []):
            by_file[str(entry["pages"][0]["warc"].get("filename"))].append(entry)
        for name, records in sorted(by_file.items()):
            # A WARC file of a long crawl holds thousands of captures: its records are
            # read by range, so a file is split among tasks at no cost, and a cluster
            # is kept busy even by an archive of a few large files.
            units += [
                (name, records[at : at + TASK_CAPTURES])
                for at in range(0, len(records), TASK_CAPTURES)
            ]
        twins.update(same)
    reason = "error"  # (the cluster failed: the runs say so, not "finished")
    try:
        with dask_client(scheduler, workers) as client:
            futures = [
                client.submit(reextract_file, where, records, when, retries=1, pure=False)
                for _, records in units
            ]
            names = {future.key: name for future, (name, _) in zip(futures, units, strict=True)}
            for done, future in enumerate(as_completed(futures), start=1):
                outcomes = future.result()
                future.release()
                stored = sum(
                    _store_retry(outcome, sessions, work.history, result)
                    if outcome.retry
                    else _store(outcome, sessions, twins, result)
                    for outcome in outcomes
                )
                if progress:
                    progress(done, len(futures), names[future.key], stored)
        reason = "finished"
    finally:
        for source, session in sessions.items():
            mine = f"{source}:"
            stats = {k.removeprefix(mine): v for k, v in result.stats.items() if k.startswith(mine)}
            errors = session.close(reason=reason, stats=stats)
            result.errors += errors
            result.runs.append(session.crawl_id)
    return result


def _store(
    outcome: Outcome, sessions: dict[str, Any], twins: dict[tuple, list[dict]], result: Result
) -> int:
    """Write one outcome (and its twins by payload digest); returns the records stored.
    A capture that could not be re-extracted keeps its older extraction as the newest."""
    source = outcome.source
    result.seconds["read"] += outcome.read_s
    result.seconds["extract"] += outcome.extract_s
    if outcome.record is None:
        id_, version, _ = outcome.capture
        result.failures.append(f"{id_} version {version}: {outcome.failed}: {outcome.detail}")
        result.stats[f"{source}:reprocess/failed"] += 1
        result.stats[f"{source}:reprocess/failed/{outcome.failed}"] += 1
        return 0
    records = [outcome.record]
    for twin in twins.get(outcome.capture, []):
        copy = dict(outcome.record)
        copy.update({name: twin.get(name) for name in CARRIED if name in twin})
        records.append(copy)
        result.stats[f"{source}:reprocess/same_payload_reused"] += 1
    session = sessions[source]
    started = time.perf_counter()
    for record in records:
        # Another extraction of a capture: the article's story stands (the index keeps
        # the signature of its latest version).
        record["story"] = session.stories.story_of(record["id"]) or session.stories.assign(
            record["id"], article_text(record)
        )
        session.articles.write(record)
        _teach_state(session.state, record)
        result.stats[f"{source}:reprocess/reextracted"] += 1
    result.seconds["write"] += time.perf_counter() - started
    return len(records)


def _store_retry(
    outcome: Outcome,
    sessions: dict[str, Any],
    history: dict[str, list[tuple[int, str, str]]],
    result: Result,
) -> int:
    """A capture whose extraction had failed, tried again: stored as the version of its
    article it is (as the crawl would have stored it: a new text after the article's
    latest capture is the next version, the same text is no version), unless the
    article has a later capture already (then it came too late to be a version). Each
    try is listed in the run's manifest, so that it is not tried again by this pipeline."""
    source = outcome.source
    session = sessions[source]
    assert outcome.retry is not None
    if outcome.record is None:
        came = outcome.failed or "failed"
        result.failures.append(f"failed capture {outcome.retry}: {came}: {outcome.detail}")
    else:
        new = outcome.record
        captures = history.get(new["id"], [])
        fetched_at = str(new.get("fetched_at") or "")
        latest = max(captures, default=None)
        if any(at > fetched_at for _, at, _ in captures):
            came = "superseded"  # a later capture of the article is archived
        elif latest is not None and latest[2] == new["content_sha256"]:
            came = "unchanged"  # the text of the article's latest version
        else:
            came = "stored"
            version = latest[0] + 1 if latest else 1
            record: dict[str, Any] = {
                **new,
                "version": version,
                "previous_sha256": latest[2] if latest else None,
            }
            record["story"] = session.stories.assign(record["id"], article_text(record))
            session.articles.write(record)
            http: dict[str, Any] = record.get("http") or {}
            session.state.record_capture(
                record["url"],
                when=fetched_at,
                article_id=record["id"],
                content_sha256=record["content_sha256"],
                version=version,
                etag=http.get("etag"),
                last_modified=http.get("last_modified"),
                payload_digest=http.get("payload_digest"),
                record_id=outcome.retry,
                record_date=dict(record.get("warc") or {}).get("date"),
            )
            history.setdefault(new["id"], []).append((version, fetched_at, new["content_sha256"]))
    session.manifest.add_retried(
        {"record_id": outcome.retry, "pipeline": PIPELINE_VERSION, "outcome": came}
    )
    result.stats[f"{source}:reprocess/failures_retried"] += 1
    result.stats[f"{source}:reprocess/failures_retried/{came.split('/')[-1]}"] += 1
    return int(came == "stored")


def _teach_state(state: Any, record: dict[str, Any]) -> None:
    """The crawl state holds each URL's latest version and its clean text's hash: when
    that version was re-extracted, the state learns the new hash, so the next crawl
    compares the page with the text this pipeline makes of it (not the old pipeline's,
    which would read every article as edited)."""
    known = state.get(record["url"])
    warc = record.get("warc") or {}
    if known is None or known.version != record.get("version"):
        return
    if known.record_id and known.record_id != warc.get("record_id"):
        return  # a later capture of the same version is the state's
    state.record_capture(
        record["url"],
        when=known.last_fetch,
        content_sha256=record["content_sha256"],
        version=known.version,
    )
