"""The read side at scale: an archive of N article records made by the project's own
writers (article files, run manifests), then `newsarchive download` of all of it to
Parquet and one `newsarchive show`, as a researcher runs them, with the download's peak
RSS (of the child process, from the kernel's accounting).

    python -m bench.read_side --records 120000

Prints ``read: N records, download peak RSS M MB, show T s``; `make bench` runs it.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from newsarchive.archive import layout
from newsarchive.archive.article_files import ArticleFileWriter
from newsarchive.archive.manifest import RunManifest
from newsarchive.storage import open_storage
from newsarchive.storage.spool import Spool

BIN = Path(sys.executable).parent
SOURCES = ("xinhua", "cgtn", "chinadaily", "ecns", "chinaorgcn")
WORDS = [
    *("China", "cooperation", "development", "economic", "international", "minister"),
    *("meeting", "security", "trade", "province", "growth", "reform", "policy", "people"),
    *("global", "summit", "agreement", "technology"),
]


def article(n: int, day: date, rng: random.Random) -> dict:
    """A record of the archive's shape and of a news article's size (about 2.5 KB of
    text in 8 paragraphs)."""
    source = SOURCES[n % len(SOURCES)]
    url = f"https://www.{source}.example/{day:%Y-%m/%d}/c_{n}.htm"
    paragraphs = [" ".join(rng.choices(WORDS, k=45)) + "." for _ in range(8)]
    text = "\n\n".join(paragraphs)
    published = f"{day.isoformat()}T{n % 24:02d}:{n % 60:02d}:00+08:00"
    return {
        "schema_version": 1,
        "id": hashlib.sha256(url.encode()).hexdigest()[:20],
        "url": url,
        "canonical_url": url,
        "source": source,
        "outlet": source,
        "language": "en" if n % 3 else "zh",
        "title": " ".join(rng.choices(WORDS, k=9)).capitalize(),
        "title_source": "page",
        "paragraphs": paragraphs,
        "text": text,
        "authors": [],
        "editor": None,
        "agency": "Xinhua",
        "dateline": None,
        "section": "World",
        "tags": [],
        "published": published,
        "published_estimate": published,
        "published_source": "page",
        "updated": None,
        "fetched_at": f"{day.isoformat()}T12:00:00Z",
        "captions": [],
        "removed": {},
        "content_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "version": 1,
        "previous_sha256": None,
        "http": {"status": 200, "etag": None, "last_modified": None, "payload_digest": None},
        "warc": None,
        "pages": [{"url": url, "warc": None}],
        "incomplete": False,
        "discovered": {"via": "feed"},
        "encoding": "utf-8",
        "encoding_label_overridden": False,
        "extractor": {"name": "trafilatura", "version": "2.3.1"},
        "pipeline": {"name": "newsarchive", "version": "bench"},
    }


def make_archive(root: Path, records: int) -> tuple[str, str]:
    """An archive of ``records`` articles over a year, one run a day per source (as a
    scheduled crawl leaves it). Returns its URI and one article's id."""
    storage = open_storage(str(root / "archive"))
    rng = random.Random(7)
    start = date(2025, 1, 1)
    per_day = max(1, records // 365)
    made, some_id = 0, ""
    day = start
    while made < records:
        started = datetime(day.year, day.month, day.day, tzinfo=UTC)
        crawl_id = layout.crawl_id("xinhua", started, "bench", 1)
        manifest = RunManifest(crawl_id, "xinhua", started)
        spool = Spool(root / "spool", storage, on_uploaded=manifest.add_file, owner=crawl_id)
        writers = {}
        for _ in range(min(per_day, records - made)):
            record = article(made, day, rng)
            source = record["source"]
            if source not in writers:
                writers[source] = ArticleFileWriter(
                    spool,
                    source=source,
                    crawl_id=f"{crawl_id}-{source}",
                    crawl_date=day.isoformat(),
                    on_closed=manifest.count_records,
                )
            writers[source].write(record)
            some_id = some_id or record["id"]
            made += 1
        for writer in writers.values():
            writer.close()
        spool.close()
        storage.put_bytes(
            manifest.render(status="finished", stats={}, errors=[]), layout.run_key(crawl_id)
        )
        day += timedelta(days=1)
    return storage.uri, some_id


def measure(records: int) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-read-") as scratch:
        root = Path(scratch)
        print(f"bench: writing an archive of {records:,} records…", file=sys.stderr)
        uri, some_id = make_archive(root, records)
        print("bench: newsarchive download --format parquet of all of it…", file=sys.stderr)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run(
            [
                *(str(BIN / "newsarchive"), "download", "--archive", uri),
                *("--out", str(root / "out"), "--format", "parquet", "--no-progress"),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"bench: download failed: {done.stderr[-2000:]}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        # ru_maxrss is the largest child's; the download is the largest child so far.
        peak_mb = max(peak, before) / 1024
        t0 = time.perf_counter()
        shown = subprocess.run(
            [str(BIN / "newsarchive"), "show", some_id, "--archive", uri],
            capture_output=True,
            text=True,
        )
        show_s = time.perf_counter() - t0
        if shown.returncode != 0:
            raise SystemExit(f"bench: show failed: {shown.stderr[-2000:]}")
    return f"read: {records:,} records, download peak RSS {peak_mb:.0f} MB, show {show_s:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.read_side", description=__doc__)
    parser.add_argument("--records", type=int, default=120_000)
    args = parser.parse_args()
    print(measure(args.records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
