"""Articles from any WARC files: the crawler's pipeline over captures made by other tools.

Researchers often hold captures already (browsertrix-crawler, Heritrix, Common Crawl's
news crawl). ``newsarchive extract --warc`` reads their HTML responses, keeps those whose
URL a source profile calls an article (every HTML page with ``all_pages``), and runs the
same ``build_article`` as the crawl, so the records are the archive's own, with a WARC
pointer (file, offset, length, record id, date) into the file they came from.

Nothing is assumed of record order or record types: requests, metadata, resources,
conversions and warcinfo records are passed over (counted), a revisit has no payload to
extract (counted), a response cut short (a truncated file) or whose digests do not match
what was read (altered) is not extracted (counted as damaged), and a record that cannot
be read ends the file's reading with the records read so far kept and the problem
reported.

The unit of work is a whole WARC file (as cc-pyspark's), run on a Dask cluster: a
``LocalCluster`` of one single-threaded worker per core by default, or a running one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsarchive import profiles
from newsarchive.items import ArticlePage, CapturedPage
from newsarchive.record import WarcPointerDict, versioned
from pipelines.article import EXTRACT_MAX_BYTES, build_article
from pipelines.cluster import dask_client
from pipelines.extract import ExtractionFailed

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class FileResult:
    """What one WARC file gave: its article records in file order, the counts of what
    was passed over and why, and the problems met reading it."""

    path: str
    records: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def warc_files(paths: Iterable[str | Path]) -> list[Path]:
    """The WARC files named, folders searched for ``*.warc`` and ``*.warc.gz``, in a
    stable order; a path that is neither raises FileNotFoundError."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith((".warc", ".warc.gz"))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such WARC file or folder: {raw}")
    return list(dict.fromkeys(found))


def _claim(url: str, all_pages: bool) -> tuple[str, str | None] | None:
    """(source, language) for a URL to extract, or None to pass it over."""
    profile = profiles.claiming(url)
    if profile is not None and profile.is_article(url):
        return profile.name, profile.language_for(url)
    if all_pages:
        name = profile.name if profile is not None else (urlsplit(url).hostname or "unknown")
        return name, profile.language_for(url) if profile is not None else None
    return None


def extract_file(path: str, all_pages: bool = False) -> FileResult:
    """The articles of one WARC file (a task of the cluster)."""
    result = FileResult(path)
    counts = result.counts
    try:
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh, check_digests=True)
            for record in records:
                if record.format != "warc":
                    # warcio reads anything it can as a legacy ARC record, garbage too.
                    raise ValueError(f"a record is {record.format or 'unknown'}, not WARC")
                counts["warc_records"] += 1
                kind = record.rec_type
                if kind != "response":
                    counts[f"passed_over/{kind}"] += 1
                    continue
                capture = _capture(record, records, path, counts)
                if capture is None:
                    continue
                claimed = _claim(capture.url, all_pages)
                if claimed is None:
                    counts["passed_over/not_an_article_url"] += 1
                    continue
                source, language = claimed
                page = ArticlePage(source, capture.url, language, [capture])
                try:
                    article = build_article(page)
                except ExtractionFailed as exc:
                    counts[f"extraction_failed/{exc.reason}"] += 1
                    continue
                except Exception as exc:  # a pathological page must not end the file
                    counts["extraction_failed/extractor_error"] += 1
                    result.problems.append(f"{path}: {capture.url}: {type(exc).__name__}: {exc}")
                    continue
                counts["articles"] += 1
                result.records.append(dict(versioned(article, 1, None)))
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
        counts["unreadable_files"] += 1
        result.problems.append(f"{path}: not readable as WARC past this point: {exc}")
    return result


def _capture(record, records: ArchiveIterator, path: str, counts: Counter) -> CapturedPage | None:
    """The HTML response of a response record, with its pointer; None (counted) for
    anything else."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    if http is None or not url.startswith(("http://", "https://")):
        counts["passed_over/not_http"] += 1
        return None
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        status = 0
    content_type = http.get_header("Content-Type")
    if status != 200:
        counts["passed_over/not_200"] += 1
        return None
    if (content_type or "").split(";")[0].strip().lower() not in HTML_TYPES:
        counts["passed_over/not_html"] += 1
        return None
    body = record.content_stream().read(EXTRACT_MAX_BYTES + 1)
    if len(body) > EXTRACT_MAX_BYTES:
        counts["extraction_failed/too_large"] += 1
        return None
    records.read_to_end(record)
    short = getattr(record.raw_stream, "limit", 0) > 0  # its block ended before its length
    if short or record.digest_checker.passed is False:
        # Cut short (a truncated file), or its digests do not match what was read.
        counts["damaged_records"] += 1
        return None
    pointer: WarcPointerDict = {
        "filename": path,
        "offset": records.get_record_offset(),
        "length": records.get_record_length(),
        "record_id": record.rec_headers.get_header("WARC-Record-ID") or "",
        "date": record.rec_headers.get_header("WARC-Date") or "",
    }
    counts["html_responses"] += 1
    return CapturedPage(
        url,
        status,
        content_type,
        body,
        warc=pointer,
        fetched_at=_seconds(pointer["date"]),
        http={
            "status": status,
            "etag": http.get_header("ETag"),
            "last_modified": http.get_header("Last-Modified"),
            "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
        },
    )


def _seconds(warc_date: str) -> str | None:
    """A WARC-Date as the crawl writes ``fetched_at``: UTC to the second."""
    try:
        when = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def extract_files(
    paths: list[Path],
    *,
    all_pages: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
) -> Iterator[FileResult]:
    """Each file's result, in the order of ``paths`` whatever order the cluster finishes
    them in, so the output does not depend on the number of workers. A task whose
    worker is lost is retried once on another."""
    from distributed import as_completed

    with dask_client(scheduler, workers) as client:
        futures = client.map(
            extract_file, [str(p) for p in paths], all_pages=all_pages, retries=1, pure=False
        )
        position = {future.key: n for n, future in enumerate(futures)}
        done: dict[int, FileResult] = {}
        following = 0
        for future in as_completed(futures):
            done[position[future.key]] = future.result()
            future.release()
            while following in done:
                yield done.pop(following)
                following += 1
