"""The captures behind a selection of articles: their WARC records, and a WACZ of them.

Each article record points at its response record (file, offset, length), so only those
bytes are fetched, by range request, never the whole WARC file. Every record fetched is
checked before it is kept: it must parse as one WARC record, carry the record id the
article names, and pass its block and payload digests. The records keep their original
ids and dates, so a citation made from the download matches the archive.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from newsarchive.archive import layout
from newsarchive.archive.warc import BadRecord, WarcPointer, checked_record
from newsarchive.storage import Storage, StorageError


def pointers(records: list[dict]) -> tuple[dict[str, list[WarcPointer]], list[str]]:
    """WARC file -> the records (every page of every article) to take from it, and the
    pointers refused (with the article they came from)."""
    by_file: dict[str, set[WarcPointer]] = defaultdict(set)
    refused: list[str] = []
    for record in records:
        pages = record.get("pages") or [{"warc": record.get("warc")}]
        for page in pages:
            warc = page.get("warc") if isinstance(page, dict) else page
            if not warc:
                continue
            try:
                found = WarcPointer.parse(warc)
            except layout.BadKey as exc:
                refused.append(f"article {record.get('id')}: WARC pointer refused: {exc}")
                continue
            by_file[found.filename].add(found)
    grouped = {name: sorted(found, key=lambda p: p.offset) for name, found in by_file.items()}
    return grouped, refused


def fetch_warc(
    storage: Storage, name: str, wanted: list[WarcPointer], out: Path
) -> tuple[int, int, list[str]]:
    """Write the wanted records of one archived WARC file to ``out``; returns (records,
    bytes, problems). A record that fails its checks is left out and reported. Written
    under a temporary name and renamed when whole, so a rerun after an interruption
    finds either a complete file or none; one with a record that could not be read (not
    one that failed its checks: that is the archive's state) is left for the rerun."""
    tmp = out.with_name(out.name + ".part")
    out.parent.mkdir(parents=True, exist_ok=True)
    written, kept, problems, unreachable = 0, 0, [], False
    with tmp.open("wb") as fh:
        for pointer in wanted:
            try:
                data = checked_record(
                    storage.get_range(name, pointer.offset, pointer.length), pointer
                )
            except BadRecord as exc:
                problems.append(f"{name}: {exc}")
                continue
            except StorageError as exc:
                problems.append(str(exc))
                unreachable = True
                continue
            fh.write(data)
            written += len(data)
            kept += 1
    if kept and not unreachable:  # a rerun retries what could not be read this time
        os.replace(tmp, out)
    else:
        tmp.unlink()
    return kept, written, problems


def local_path(out: Path, name: str) -> Path:
    """warc/source=x/date=d/file.warc.gz -> OUT/warc/source=x/date=d/file.warc.gz"""
    return layout.inside(out / "warc", str(layout.parse(name, kind="warc")).removeprefix("warc/"))


def pages_jsonl(records: list[dict], path: Path) -> None:
    """The WACZ page list: one entry per article, titled, at its capture time, so
    ReplayWeb.page lists the articles rather than every asset."""
    lines: list[dict[str, Any]] = [
        {"format": "json-pages-1.0", "id": "pages", "title": "newsarchive articles"}
    ]
    for record in sorted(records, key=lambda r: (r["source"], r["url"])):
        warc = record.get("warc") or {}
        if not warc:
            continue
        lines.append(
            {
                "id": record["id"],
                "url": record["url"],
                "ts": warc.get("date") or record.get("fetched_at"),
                "title": record.get("title") or record["url"],
            }
        )
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))


def make_wacz(warc_files: list[Path], records: list[dict], out: Path, title: str) -> None:
    """Package with py-wacz (the reference implementation of the format) in a child
    process: it prints its progress on stdout, which belongs to our summary."""
    if not warc_files:
        raise StorageError("no WARC records selected: nothing to put in a WACZ")
    pages = out.with_name(out.stem + ".pages.jsonl")
    pages_jsonl(records, pages)
    tmp = out.with_name(out.name + ".part.wacz")
    args = [sys.executable, "-m", "wacz", "create", "-o", str(tmp), "-p", str(pages)]
    args += ["--title", title, *map(str, warc_files)]
    done = subprocess.run(args, capture_output=True, text=True)
    with contextlib.suppress(FileNotFoundError):
        pages.unlink()
    if done.returncode != 0 or not tmp.exists():
        raise StorageError(f"wacz create failed: {(done.stderr or done.stdout).strip()[-500:]}")
    os.replace(tmp, out)
