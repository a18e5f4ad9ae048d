"""Finishing files a killed crawl left half-written, so nothing it captured is lost and
nothing broken is uploaded: a WARC is cut after its last complete record, an article file
keeps its complete lines. Both were flushed record by record, so all but the record being
written at the moment of the kill survives."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


def repair_warc(path: Path) -> int:
    """Truncate after the last complete record; returns how many records remain."""
    good_end, count = 0, 0
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        try:
            for record in iterator:
                record.content_stream().read()
                iterator.read_to_end(record)
                end = iterator.get_record_offset() + iterator.get_record_length()
                good_end, count = end, count + 1
        except Exception:
            pass
    with path.open("r+b") as fh:
        fh.truncate(good_end)
        fh.flush()
        os.fsync(fh.fileno())
    return count


def repair_jsonl_gz(path: Path) -> int:
    """Rewrite with the complete JSON lines that can be decompressed; returns their number."""
    data = path.read_bytes()
    text = b""
    decompressor = zlib.decompressobj(wbits=31)
    try:
        while data:
            text += decompressor.decompress(data)
            data = decompressor.unused_data
            if data:
                decompressor = zlib.decompressobj(wbits=31)
    except zlib.error:
        pass
    lines = []
    for raw in text.split(b"\n"):
        try:
            json.loads(raw)
        except ValueError:
            continue
        lines.append(raw)
    tmp = path.with_name(path.name + ".repaired")
    with gzip.open(tmp, "wb") as out:
        for line in lines:
            out.write(line + b"\n")
    os.replace(tmp, path)
    return len(lines)


def repair(path: Path) -> int:
    if path.name.endswith(".warc.gz"):
        return repair_warc(path)
    if path.name.endswith(".jsonl.gz"):
        return repair_jsonl_gz(path)
    return 0
