"""`make bench`, reprocess section: how fast `newsarchive reprocess` re-extracts an
archive, on one worker and on the default local cluster (one worker per core), the
scaling between them, seconds by stage (read, extract, write), the same on SeaweedFS
when S3_TEST_ENDPOINT is set; and how fast warcio and FastWARC read whole WARC files
(what `extract --warc` does), to show whether a faster reader would pay.

    python -m bench.reprocess [--pages 1000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import crawl, s3_credentials

BIN = Path(sys.executable).parent


def reprocess(archive: str, scratch: Path, workers: int | None, env: dict) -> dict:
    """One run under a new pipeline version: captures, wall seconds, stage seconds."""
    args = [str(BIN / "newsarchive"), "reprocess", "--archive", archive, "--quiet"]
    if workers:
        args += ["--workers", str(workers)]
    started = time.monotonic()
    done = subprocess.run(
        args,
        env={
            **os.environ,
            **env,
            "NEWSARCHIVE_PIPELINE_VERSION": f"bench-{time.time_ns()}",
            "NEWSARCHIVE_SPOOL": str(scratch / "spool"),
            "NEWSARCHIVE_STATE": str(scratch / "state"),
        },
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"reprocess exited {done.returncode}: {done.stderr[-1000:]}")
    stored = int(re.search(r"re-extracted (\d+) of", done.stdout)[1])  # type: ignore[index]
    stages = dict(re.findall(r"(read|extract|write) ([\d.]+)", done.stderr))
    return {"records": stored, "seconds": seconds, **{k: float(v) for k, v in stages.items()}}


def read_rates(warc_dir: Path) -> dict[str, float]:
    """MB/s of reading every record (headers and payload) of the WARC files."""
    files = sorted(warc_dir.rglob("*.warc.gz"))
    size = sum(f.stat().st_size for f in files) / 2**20
    rates = {}
    from warcio.archiveiterator import ArchiveIterator

    started = time.process_time()
    for path in files:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                record.content_stream().read()
    rates["warcio"] = size / (time.process_time() - started)
    try:
        from fastwarc.warc import ArchiveIterator as FastIterator
    except ImportError:
        return rates
    started = time.process_time()
    for path in files:
        with path.open("rb") as fh:
            for record in FastIterator(fh, parse_http=True):
                record.reader.read()
    rates["FastWARC"] = size / (time.process_time() - started)
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reprocess", description=__doc__)
    parser.add_argument("--pages", type=int, default=1000, help="article pages to crawl first")
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench-reprocess-") as scratch:
        root = Path(scratch)
        (root / "crawl").mkdir()
        print(f"bench: crawling {args.pages:,} pages to reprocess…", file=sys.stderr)
        original = root / "archive"
        crawl("local folder", str(original), args.pages, root / "crawl", {})
        runs = {}
        for name, workers in (("1 worker", 1), (f"{os.cpu_count()} workers", None)):
            copy = root / name.replace(" ", "-")
            shutil.copytree(original, copy / "archive")
            print(f"bench: reprocess on {name}…", file=sys.stderr)
            runs[name] = reprocess(str(copy / "archive"), copy, workers, {})
        if os.environ.get("S3_TEST_ENDPOINT"):
            from newsarchive.storage.s3 import S3Storage

            s3 = s3_credentials()
            prefix = f"bench-reprocess-{time.time_ns()}"
            bucket = S3Storage(os.environ["S3_TEST_BUCKET"], prefix)
            for path in sorted(p for p in original.rglob("*") if p.is_file()):
                bucket.put_bytes(path.read_bytes(), path.relative_to(original).as_posix())
            (root / "s3").mkdir()
            print("bench: reprocess on SeaweedFS…", file=sys.stderr)
            runs[f"SeaweedFS, {os.cpu_count()} workers"] = reprocess(
                bucket.uri, root / "s3", None, s3
            )
        rates = read_rates(original / "warc")
        print("bench: extract --warc on 1 worker…", file=sys.stderr)
        started = time.monotonic()
        subprocess.run(
            [
                str(BIN / "newsarchive"),
                "extract",
                "--warc",
                str(original / "warc"),
                "--out",
                str(root / "out.jsonl"),
                "--workers",
                "1",
                "--quiet",
            ],
            check=True,
            capture_output=True,
        )
        scan = time.monotonic() - started
        warc_mb = sum(f.stat().st_size for f in (original / "warc").rglob("*.warc.gz")) / 2**20
        scanned = sum(1 for _ in (root / "out.jsonl").open())
    lines.append(
        f"{'reprocess':28} {'records':>8} {'seconds':>8} {'records/s':>10} "
        f"{'read s':>7} {'extract s':>9} {'write s':>8}"
    )
    for name, run in runs.items():
        lines.append(
            f"{name:28} {run['records']:>8} {run['seconds']:>8.1f} "
            f"{run['records'] / run['seconds']:>10.1f} {run.get('read', 0):>7.1f} "
            f"{run.get('extract', 0):>9.1f} {run.get('write', 0):>8.1f}"
        )
    one, many = list(runs.values())[:2]
    scaling = (many["records"] / many["seconds"]) / (one["records"] / one["seconds"])
    lines.append(
        "(seconds: wall time of the whole command, a local cluster's start included; read "
        "and extract are summed over the workers)"
    )
    lines.append(
        "reading whole WARC files (extract --warc): "
        + ", ".join(f"{name} {rate:.0f} MB/s" for name, rate in rates.items())
    )
    reading = warc_mb / rates["warcio"]
    lines.append(
        f"extract --warc, 1 worker: {scanned} articles from {warc_mb:.1f} MB in {scan:.1f} s "
        f"({scanned / scan:.1f}/s, a local cluster's start included); reading them with "
        f"warcio takes {reading:.2f} s of it ({100 * reading / scan:.0f}%)"
    )
    lines.append(
        f"reprocess: {one['records'] / one['seconds']:.1f} records/s on 1 worker, "
        f"{many['records'] / many['seconds']:.1f} on {os.cpu_count()}, scaling {scaling:.2f}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
