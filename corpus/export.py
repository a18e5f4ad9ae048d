"""Article records as a table: Parquet (with a fixed schema) or CSV, and JSON Lines as
stored.

The Parquet schema is a promise to every notebook that reads it, so it is declared
here once, documented column by column in docs/DATASHEET.md (a test holds the two
together), and versioned with ``SCHEMA_VERSION``. Nested values that pandas, DuckDB and
Hugging Face ``datasets`` all read are kept nested (lists, lists of structs); nothing is
a map, which ``datasets`` does not support. Times come twice: as the outlet wrote them
(with its UTC offset, the faithful form) and as UTC timestamps (the queryable form).
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from newsarchive.record import published_day

# 2: published_estimate, published_source, published_date and title_source added.
# 3: declared_canonical added.
# 4: extracted_at added (a capture re-extracted by newsarchive reprocess).
# 5: story added (the republication cluster).
# 6: standfirst added (the summary between headline and body; paragraphs begin with it).
SCHEMA_VERSION = 6

# The table's columns, in order, with their types (`!`: never null). pyarrow is an
# optional dependency (newsarchive[parquet]): the column list serves CSV without it, and
# the Arrow schema is built from it when Parquet is asked for.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "string!"),
    ("url", "string!"),
    ("canonical_url", "string"),
    ("declared_canonical", "string"),
    ("source", "string!"),
    ("outlet", "string"),
    ("language", "string"),
    ("title", "string"),
    ("title_source", "string"),
    ("text", "string"),
    ("paragraphs", "list<string>"),
    ("standfirst", "list<string>"),
    ("authors", "list<string>"),
    ("editor", "string"),
    ("agency", "string"),
    ("dateline", "string"),
    ("section", "string"),
    ("tags", "list<string>"),
    ("published", "string"),
    ("published_utc", "timestamp"),
    ("published_estimate", "string"),
    ("published_source", "string"),
    ("published_date", "date32"),
    ("updated", "string"),
    ("updated_utc", "timestamp"),
    ("fetched_at", "timestamp"),
    ("extracted_at", "timestamp"),
    ("story", "string"),
    ("captions", "list<caption>"),
    ("removed", "list<removed>"),
    ("content_sha256", "string"),
    ("version", "int32"),
    ("previous_sha256", "string"),
    ("incomplete", "bool"),
    ("pages", "int32"),
    ("warc_filename", "string"),
    ("warc_offset", "int64"),
    ("warc_length", "int64"),
    ("warc_record_id", "string"),
    ("warc_date", "string"),
    ("http_status", "int32"),
    ("http_etag", "string"),
    ("http_last_modified", "string"),
    ("http_payload_digest", "string"),
    ("discovered_via", "string"),
    ("encoding", "string"),
    ("extractor", "string"),
    ("pipeline", "string"),
    ("schema_version", "int16!"),
)
COLUMN_NAMES = [name for name, _ in COLUMNS]
PARQUET_BATCH = 2000
PARQUET_EXTRA = "Parquet needs pyarrow: pip install 'newsarchive[parquet]'"


def parquet_available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


@cache
def schema(columns: tuple[tuple[str, str], ...] = COLUMNS, version: int = SCHEMA_VERSION) -> Any:
    """The Parquet schema (a ``pyarrow.Schema``), built from :data:`COLUMNS` (or another
    table's columns: the ledger's, ``corpus.edits.CHANGE_COLUMNS``)."""
    import pyarrow as pa

    def item_list(item: Any) -> Any:
        # Lists with Parquet's own item name, so that a file reads back with exactly this
        # schema (pyarrow's default name, ``item``, comes back as ``element``).
        return pa.list_(pa.field("element", item))

    types = {
        "string": pa.string(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "date32": pa.date32(),
        "int16": pa.int16(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
        "list<string>": item_list(pa.string()),
        "list<caption>": item_list(
            pa.struct(
                [
                    pa.field("text", pa.string()),
                    pa.field("credit", pa.string()),
                    pa.field("image", pa.string()),
                ]
            )
        ),
        "list<removed>": item_list(
            pa.struct([pa.field("rule", pa.string()), pa.field("lines", pa.int32())])
        ),
        "list<sentence_change>": item_list(
            pa.struct(
                [
                    pa.field("kind", pa.string()),
                    pa.field("old", pa.string()),
                    pa.field("new", pa.string()),
                    pa.field("cosmetic", pa.bool_()),
                ]
            )
        ),
    }
    return pa.schema(
        [
            pa.field(name, types[kind.rstrip("!")], nullable=not kind.endswith("!"))
            for name, kind in columns
        ],
        metadata={b"newsarchive.schema_version": str(version).encode()},
    )


def _utc(value: str | None) -> datetime | None:
    """A timestamp only where the text gives a time and its offset; a bare date or a
    time without a zone stays null here (and as written in the text column)."""
    if not value or len(value) <= 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def _name_version(value: dict | None) -> str | None:
    return f"{value['name']} {value['version']}" if value else None


def row(record: dict[str, Any]) -> dict[str, Any]:
    """One stored article record flattened to the table's columns."""
    warc = record.get("warc") or {}
    http = record.get("http") or {}
    return {
        "id": record["id"],
        "url": record["url"],
        "canonical_url": record.get("canonical_url"),
        "declared_canonical": record.get("declared_canonical"),
        "source": record["source"],
        "outlet": record.get("outlet"),
        "language": record.get("language"),
        "title": record.get("title"),
        "title_source": record.get("title_source"),
        "text": record.get("text"),
        "paragraphs": record.get("paragraphs") or [],
        "standfirst": record.get("standfirst") or [],
        "authors": record.get("authors") or [],
        "editor": record.get("editor"),
        "agency": record.get("agency"),
        "dateline": record.get("dateline"),
        "section": record.get("section"),
        "tags": record.get("tags") or [],
        "published": record.get("published"),
        "published_utc": _utc(record.get("published")),
        "published_estimate": record.get("published_estimate"),
        "published_source": record.get("published_source"),
        "published_date": published_day(record),
        "updated": record.get("updated"),
        "updated_utc": _utc(record.get("updated")),
        "fetched_at": _utc(record.get("fetched_at")),
        "extracted_at": _utc(record.get("extracted_at")),
        "story": record.get("story"),
        "captions": [
            {"text": c.get("text"), "credit": c.get("credit"), "image": c.get("image")}
            for c in record.get("captions") or []
        ],
        "removed": [
            {"rule": rule, "lines": n} for rule, n in sorted((record.get("removed") or {}).items())
        ],
        "content_sha256": record.get("content_sha256"),
        "version": record.get("version", 1),
        "previous_sha256": record.get("previous_sha256"),
        "incomplete": bool(record.get("incomplete")),
        "pages": len(record.get("pages") or []) or 1,
        "warc_filename": warc.get("filename"),
        "warc_offset": warc.get("offset"),
        "warc_length": warc.get("length"),
        "warc_record_id": warc.get("record_id"),
        "warc_date": warc.get("date"),
        "http_status": http.get("status"),
        "http_etag": http.get("etag"),
        "http_last_modified": http.get("last_modified"),
        "http_payload_digest": http.get("payload_digest"),
        "discovered_via": (record.get("discovered") or {}).get("via"),
        "encoding": record.get("encoding"),
        "extractor": _name_version(record.get("extractor")),
        "pipeline": _name_version(record.get("pipeline")),
        "schema_version": SCHEMA_VERSION,
    }


def _atomic(path: Path) -> Path:
    """Write next to the target and rename at the end: an interrupted export never
    leaves a half-written file under the real name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(path.name + ".part")


@dataclass(frozen=True)
class Table:
    """What a flat export holds: its columns and how a record becomes a row. Articles
    by default; the ledger's changes have their own (``corpus.edits.CHANGES``)."""

    columns: tuple[tuple[str, str], ...]
    to_row: Callable[[dict[str, Any]], dict[str, Any]]
    version: int

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


def write_parquet(records: Iterable[dict], path: Path, table: Table | None = None) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(PARQUET_EXTRA) from None
    table = table or ARTICLES
    arrow = schema(table.columns, table.version)
    tmp = _atomic(path)
    n = 0
    batch: list[dict] = []
    # Row groups of PARQUET_BATCH rows: memory holds one batch, whatever the selection.
    with pq.ParquetWriter(tmp, arrow, compression="zstd") as writer:
        for record in records:
            batch.append(table.to_row(record))
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=arrow))
                n, batch = n + len(batch), []
        if batch or not n:
            writer.write_table(pa.Table.from_pylist(batch, schema=arrow))
            n += len(batch)
    os.replace(tmp, path)
    return n


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(
    records: Iterable[dict], path: Path, *, bom: bool = False, table: Table | None = None
) -> int:
    """RFC 4180 CSV, UTF-8; list columns hold JSON arrays. With ``bom`` the file starts
    with a byte-order mark, which Excel needs to read UTF-8 (Chinese text) correctly."""
    table = table or ARTICLES
    tmp = _atomic(path)
    n = 0
    with tmp.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=table.names)
        writer.writeheader()
        for record in records:
            writer.writerow({k: _cell(v) for k, v in table.to_row(record).items()})
            n += 1
    os.replace(tmp, path)
    return n


def write_jsonl(records: Iterable[dict], path: Path) -> int:
    """The records exactly as stored (docs/article.schema.json), one per line."""
    tmp = _atomic(path)
    n = 0
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(tmp, "wt", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


ARTICLES = Table(COLUMNS, row, SCHEMA_VERSION)

WRITERS: dict[str, Callable[[Iterable[dict], Path], int]] = {
    "jsonl": write_jsonl,
    "parquet": write_parquet,
    "csv": write_csv,
}
