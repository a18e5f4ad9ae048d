"""Each run's index of the articles it stored: id and URL → article file and line.

``index/source=<s>/date=<crawl date>/<crawl id>.jsonl.gz``, one gzipped JSON line per
stored record::

    {"id": "3f2a…", "url": "//www.ecns.cn/…", "canonical": "//…", "key": "articles/…", "line": 0}

``url`` and ``canonical`` are URL identities (:func:`newsarchive.urls.identity`: the
spelling-free form two ways of writing one page share), so that ``newsarchive show URL``
compares strings instead of canonicalising every record of the archive, and reads only
the article files that hold the article. The run manifest lists the index like any file
(size, sha256), so ``verify`` checks it and a download never copies it.

An archive written before indexes existed, or a run that was killed before it closed
(its files uploaded by a later run), has article files no index names; the reader scans
those, so an index only ever makes finding faster, never incomplete.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from newsarchive.archive import layout
from newsarchive.urls import maybe_identity


@dataclass(frozen=True)
class IndexEntry:
    id: str
    url: str | None
    canonical: str | None
    key: str  # the article file
    line: int  # the record's place in it, from 0

    @classmethod
    def of(cls, record: dict[str, Any], key: str, line: int) -> IndexEntry:
        return cls(
            str(record.get("id")),
            maybe_identity(record.get("url")),
            maybe_identity(record.get("canonical_url")),
            key,
            line,
        )

    @classmethod
    def parse(cls, row: object) -> IndexEntry:
        """One row as read back, checked: its key follows the layout (the reader fetches
        it), the rest has the types written. ValueError otherwise."""
        if not isinstance(row, dict):
            raise ValueError(f"{row!r} is not an index entry")
        line, key = row.get("line"), str(layout.parse(row.get("key"), kind="articles"))
        if not isinstance(line, int) or isinstance(line, bool) or line < 0:
            raise ValueError(f"{key}: line {line!r} is not a record number")
        fields = [row.get(name) for name in ("id", "url", "canonical")]
        if not isinstance(fields[0], str) or not all(
            f is None or isinstance(f, str) for f in fields[1:]
        ):
            raise ValueError(f"{key}: entry {row!r} has a field of the wrong type")
        return cls(fields[0], fields[1], fields[2], key, line)


def write_index(entries: list[IndexEntry]) -> bytes:
    lines = "".join(
        json.dumps(asdict(e), ensure_ascii=False, separators=(",", ":")) + "\n" for e in entries
    )
    return gzip.compress(lines.encode("utf-8"), mtime=0)


def read_index(data: bytes, problems: list[str]) -> Iterator[IndexEntry]:
    """The entries of one index; a row that does not parse is a problem, not an end."""
    with gzip.open(io.BytesIO(data), "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                yield IndexEntry.parse(json.loads(line))
            except (ValueError, layout.BadKey) as exc:
                problems.append(f"index line {number + 1}: {exc}")
