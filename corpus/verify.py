"""``newsarchive verify``: every file the manifests list is there, unchanged (size and
sha256), and every WARC record's digests hold (checked the way `warcio check` does)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from corpus.reader import ArchiveReader
from newsarchive.storage import StorageError


@dataclass
class Report:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def warc_problems(data: bytes) -> list[str]:
    problems = []
    iterator = ArchiveIterator(io.BytesIO(data), check_digests=True)
    try:
        for record in iterator:
            stream = record.content_stream()
            while stream.read(1 << 20):
                pass
            if record.digest_checker.passed is False:
                rid = record.rec_headers.get_header("WARC-Record-ID")
                problems += [
                    f"record {rid} at {iterator.get_record_offset()}: {p}"
                    for p in record.digest_checker.problems
                ]
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        problems.append(f"unreadable after offset {iterator.get_record_offset()}: {exc}")
    return problems


def verify(reader: ArchiveReader, progress: Callable[[int], None] | None = None) -> Report:
    """Every listed file re-hashed, every WARC record's digests checked; ``progress`` is
    told the bytes of each file as it is done."""
    report = Report()
    listed = set()
    for item in reader.files():
        listed.add(item.key)
        report.checked += 1
        if progress:
            progress(item.size)
        try:
            data = reader.storage.get_bytes(item.key)
        except StorageError:
            report.problems.append(f"{item.key}: missing (listed by run {item.crawl_id})")
            continue
        if len(data) != item.size or hashlib.sha256(data).hexdigest() != item.sha256:
            report.problems.append(
                f"{item.key}: content differs from the manifest of run {item.crawl_id} "
                f"({len(data):,} bytes, manifest says {item.size:,})"
            )
            continue
        if item.kind == "warc":
            report.problems += [f"{item.key}: {p}" for p in warc_problems(data)]
    report.problems += reader.problems
    for prefix in ("warc/", "articles/", "index/"):
        for obj in reader.storage.list(prefix):
            if obj.key not in listed:
                report.warnings.append(
                    f"{obj.key}: in the archive but in no run manifest "
                    "(a crawl still running, or one that was killed)"
                )
    return report
