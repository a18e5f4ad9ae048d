"""Fault scenarios, run against the real crawler, replay and storage: a storage outage, a
kill mid-crawl, hostile and malformed pages, and a search of everything a run wrote for
its credentials. Each returns what was expected, archived, lost and duplicated.

The tests call these scenarios one by one; ``make chaos`` runs them all and prints the
table (``python -m tests.chaos``), exiting non-zero if anything was lost, duplicated or
failed. The outage and secrets scenarios need the SeaweedFS server ``make chaos`` and
``make test`` start (S3_TEST_* variables).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.storage import Storage
from newsarchive.storage.local import LocalStorage
from tests.archive_checks import EXPECTED_ARTICLES, keys, read_articles, warcio_check
from tests.conftest import BIN, ROOT, start_replay

HOSTILE_ROUTES = [ROOT / "tests/replay/routes.yaml", ROOT / "tests/replay/routes-hostile.yaml"]
HOSTILE_GOOD = {
    *EXPECTED_ARTICLES["ecns"],
    *(
        f"https://www.ecns.cn/news/politics/2023-02-05/detail-{name}.shtml"
        for name in ("badutf8", "gbkasutf8", "slowdown", "scripts", "intact")
    ),
}
# Every hostile answer, with the counter that must name it.
HOSTILE_COUNTERS = {
    "truncated HTML": "fetch/failed/truncated",
    "invalid UTF-8": "decode/label_overridden",
    "GBK served as UTF-8": "decode/label_overridden",
    "50 MB body": "fetch/failed/too_large",
    "gzip bomb": "fetch/failed/decompression_bomb",
    "binary served as text/html": "article/extraction_failed/binary_body",
    "empty body": "article/extraction_failed/empty_page",
    "redirect loop": "redirect/loop",
    "pagination trap": "discovery/listing_page_cap",
    "PDF at an article URL": "article/extraction_failed/not_html",
    "503 until retries run out": "fetch/failed/http_503",
    "429 with Retry-After": "retry_after/waited",
    "redirect to 169.254.169.254": "scope/refused/link_local",
    "redirect to file://": "scope/refused/scheme",
    "redirect off site": "offsite/filtered",
    "a page that stalls extraction": "article/extraction_failed/timeout",
    "HTML over the extraction size cap": "article/extraction_failed/too_large",
    "3,000 response headers": "fetch/failed/header_flood",
    "redirect from https to plain http": "redirect/downgrade",
}


@dataclass
class Outcome:
    scenario: str
    expected: int
    archived: int
    duplicated: int
    failed: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def lost(self) -> int:
        return self.expected - self.archived


def tally(storage: Storage, expected: set[str]) -> tuple[int, int]:
    """(articles of the expected set archived, duplicated article versions)."""
    records = read_articles(storage)
    versions = Counter((r["url"], r.get("version", 1)) for r in records)
    archived = len(expected & {r["url"] for r in records})
    return archived, sum(n - 1 for n in versions.values())


def scrapy_crawl(env: dict, source: str, log: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "scrapy"), "crawl", source, "-s", f"LOG_FILE={log}", *args],
        cwd=ROOT,
        env=env,
        stdout=log.with_suffix(".out").open("w"),
        stderr=subprocess.STDOUT,
    )


def run_stats(storage: Storage) -> Counter:
    import json

    total: Counter = Counter()
    for key in keys(storage, "runs/"):
        for name, value in json.loads(storage.get_bytes(key)).get("stats", {}).items():
            if isinstance(value, int):
                total[name] += value
    return total


# -- scenarios -------------------------------------------------------------------------


def hostile(tmp: Path) -> Outcome:
    """Hostile and malformed answers at article URLs, among good pages."""
    proc, replay = start_replay(tmp, HOSTILE_ROUTES)
    env = replay.env(
        ARCHIVE_URI=str(tmp / "archive"),
        NEWSARCHIVE_SPOOL=str(tmp / "spool"),
        NEWSARCHIVE_STATE=str(tmp / "state"),
        # A budget the stalling page (10 s and more) runs over, and no good page does.
        NEWSARCHIVE_EXTRACT_TIMEOUT="3",
    )
    try:
        status = scrapy_crawl(env, "ecns", tmp / "crawl.log").wait(timeout=600)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    storage = LocalStorage(tmp / "archive")
    archived, duplicated = tally(storage, HOSTILE_GOOD)
    stats = run_stats(storage)
    failed = [f"exit {status}"] if status != 0 else []
    failed += [f"{case}: no {name}" for case, name in HOSTILE_COUNTERS.items() if not stats[name]]
    log = (tmp / "crawl.log").read_text()
    if "Traceback" in log:
        failed.append("a traceback in the log")
    return Outcome(
        "hostile input",
        len(HOSTILE_GOOD),
        archived,
        duplicated,
        failed,
        {"stats": stats, "log": log},
    )


def first_article_written(spool: Path) -> bool:
    return any(
        p.name.endswith(".jsonl.gz") and p.stat().st_size > 40
        for p in spool.rglob("*")
        if p.is_file()
    )


def kill(tmp: Path, sig: int = signal.SIGKILL) -> Outcome:
    """A crawl killed once it has archived its first article, then run again."""
    archive, spool = tmp / "archive", tmp / "spool"
    folders = {
        "ARCHIVE_URI": str(archive),
        "NEWSARCHIVE_SPOOL": str(spool),
        "NEWSARCHIVE_STATE": str(tmp / "state"),
    }
    proc, replay = start_replay(tmp, None, "--delay", "0.4")
    try:
        victim = scrapy_crawl(replay.env(**folders), "xinhua", tmp / "victim.log")
        deadline = time.time() + 60
        while not first_article_written(spool) and time.time() < deadline:
            time.sleep(0.05)
        interrupted_mid_crawl = victim.poll() is None
        os.kill(victim.pid, sig)
        victim.wait(timeout=60)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    before = len(read_articles(LocalStorage(archive))) if archive.exists() else 0
    proc, replay = start_replay(tmp)
    try:
        status = scrapy_crawl(replay.env(**folders), "xinhua", tmp / "restart.log").wait(600)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    storage = LocalStorage(archive)
    archived, duplicated = tally(storage, EXPECTED_ARTICLES["xinhua"])
    failed = [] if interrupted_mid_crawl else ["the crawl ended before it could be killed"]
    failed += [f"restart exit {status}"] if status != 0 else []
    failed += [
        f"{key} fails warcio check"
        for key in keys(storage, "warc/")
        if warcio_check(storage.root / key).returncode != 0
    ]
    leftovers = [p for p in spool.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    failed += [f"left in the spool: {p.name}" for p in leftovers]
    # Both runs are in the table: the interrupted one says what happened to it.
    statuses = sorted(
        json.loads((archive / key).read_text())["status"] for key in keys(storage, "runs/")
    )
    wanted = sorted(["finished", "killed" if sig == signal.SIGKILL else "shutdown"])
    failed += [f"run statuses {statuses}, not {wanted}"] if statuses != wanted else []
    name = "kill -9 mid-crawl" if sig == signal.SIGKILL else "SIGTERM mid-crawl"
    return Outcome(
        name,
        len(EXPECTED_ARTICLES["xinhua"]),
        archived,
        duplicated,
        failed,
        {"before_restart": before, "victim_status": victim.returncode},
    )


def no_archive(tmp: Path) -> Outcome:
    """A crawl whose spool cannot be written (a file where the folder should be, as a
    full or read-only disk would leave it): it must fetch nothing and exit 3."""
    proc, replay = start_replay(tmp)
    spool = tmp / "spool"
    spool.write_text("not a folder")
    env = replay.env(
        ARCHIVE_URI=str(tmp / "archive"),
        NEWSARCHIVE_SPOOL=str(spool),
        NEWSARCHIVE_STATE=str(tmp / "state"),
    )
    try:
        status = scrapy_crawl(env, "ecns", tmp / "crawl.log").wait(timeout=300)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log = (tmp / "crawl.log").read_text()
    failed = [f"exit {status}, not 3"] if status != 3 else []
    if "'downloader/response_count'" in log:
        failed.append("pages were fetched with no archive to keep them")
    if (tmp / "archive" / "runs").exists():
        failed.append("a run manifest was written")
    return Outcome("no archive, no crawl", 0, 0, 0, failed)


def hostile_bucket(tmp: Path) -> Outcome:
    """`newsarchive download --with-warc` from a bucket whose manifest lists a key that
    climbs out of the partition (an authorized_keys file) and whose record names a WARC
    file outside OUT: nothing may be written outside OUT, the honest articles must be."""
    from tests.test_hostile_archive import download, files_under, hostile_archive

    bucket = tmp / "bucket" / "archive"
    for key, data in hostile_archive().items():
        path = Path(os.path.normpath(bucket / key))  # where a naive writer put it
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    before = files_under(tmp)
    result = download(str(bucket), tmp / "work" / "out", "--with-warc")
    written = files_under(tmp) - before
    outside = sorted(p for p in written if not p.startswith("work/out/"))
    failed = [f"wrote outside OUT: {', '.join(outside)}"] if outside else []
    failed += [] if result.returncode == 1 else [f"exit {result.returncode}, not 1"]
    exported = tmp / "work" / "out" / "articles.jsonl"
    rows = len(exported.read_text().splitlines()) if exported.exists() else 0
    return Outcome("hostile bucket", 2, rows, 0, failed)


def s3_env() -> dict[str, str] | None:
    if not os.environ.get("S3_TEST_ENDPOINT"):
        return None
    return {
        "AWS_ENDPOINT_URL": os.environ["S3_TEST_ENDPOINT"],
        "AWS_ACCESS_KEY_ID": os.environ["S3_TEST_KEY"],
        "AWS_SECRET_ACCESS_KEY": os.environ["S3_TEST_SECRET"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "bucket": os.environ["S3_TEST_BUCKET"],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def outage(tmp: Path, s3: dict[str, str], seconds: float = 30.0, *, hang: bool = False) -> Outcome:
    """The S3 endpoint goes away for `seconds` while the crawl is writing, then comes
    back; the next run must upload what the first left in the spool. With ``hang`` the
    endpoint stays up and stops answering instead (connections accepted, never answered):
    the first run must still end, in a time its bounds set (an S3 call's read timeout,
    here 5 s, and the upload deadline, here 30 s), and the next run upload what it left."""
    from newsarchive.storage.s3 import S3Storage

    port = free_port()
    target = s3["AWS_ENDPOINT_URL"].removeprefix("http://")

    def gate() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.gate", "--listen", str(port), "--to", target],
            cwd=ROOT,
        )

    prefix = f"chaos-outage-{time.time_ns()}"
    creds = {k: v for k, v in s3.items() if k not in ("bucket", "AWS_ENDPOINT_URL")}
    proc, replay = start_replay(tmp, None, "--delay", "0.2")
    bounds = {"NEWSARCHIVE_S3_READ_TIMEOUT": "5", "NEWSARCHIVE_UPLOAD_DEADLINE": "30"}
    env = replay.env(
        **creds,
        **(bounds if hang else {}),
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        ARCHIVE_URI=f"s3://{s3['bucket']}/{prefix}",
        NEWSARCHIVE_SPOOL=str(tmp / "spool"),
        NEWSARCHIVE_STATE=str(tmp / "state"),
        NEWSARCHIVE_UPLOAD_ATTEMPTS="3",
        NEWSARCHIVE_UPLOAD_BACKOFF="1",
        NEWSARCHIVE_LOG_LEVEL="DEBUG",  # the secrets scenario searches the most verbose log
    )
    door = gate()
    time.sleep(0.5)
    try:
        first = scrapy_crawl(env, "xinhua", tmp / "during-outage.log")
        deadline = time.time() + 60
        while time.time() < deadline and not first_article_written(tmp / "spool"):
            time.sleep(0.05)
        if hang:
            door.send_signal(signal.SIGUSR1)  # the endpoint stops answering, mid-crawl
        else:
            door.kill()  # the endpoint goes away, mid-crawl
            door.wait()
        down_at = time.monotonic()
        first_status = first.wait(timeout=600)
        ended_after = time.monotonic() - down_at
        time.sleep(max(0.0, seconds - (time.monotonic() - down_at)))
        spooled = sorted(
            p.relative_to(tmp / "spool").as_posix()
            for p in (tmp / "spool").rglob("*")
            if p.is_file() and not p.name.endswith(".lock")
        )
        if hang:
            door.kill()
            door.wait()
        door = gate()  # and comes back
        time.sleep(0.5)
        second_status = scrapy_crawl(env, "xinhua", tmp / "after-outage.log").wait(timeout=600)
    finally:
        door.kill()
        door.wait()
        proc.terminate()
        proc.wait(timeout=10)
    os.environ.update({**creds, "AWS_ENDPOINT_URL": s3["AWS_ENDPOINT_URL"]})
    storage = S3Storage(s3["bucket"], prefix)
    archived, duplicated = tally(storage, EXPECTED_ARTICLES["xinhua"])
    failed = [] if first_status in (0, 3) else [f"first run exit {first_status}"]
    failed += [] if second_status == 0 else [f"second run exit {second_status}"]
    failed += [] if first_status == 0 or spooled else ["exit 3 but the spool was empty"]
    for key in keys(storage, "warc/"):
        path = tmp / "check.warc.gz"
        path.write_bytes(storage.get_bytes(key))
        if warcio_check(path).returncode != 0:
            failed.append(f"{key} fails warcio check")
    name = "S3 endpoint hangs" if hang else f"S3 outage {seconds:.0f} s"
    return Outcome(
        name,
        len(EXPECTED_ARTICLES["xinhua"]),
        archived,
        duplicated,
        failed,
        {
            "first_status": first_status,
            "ended_after": ended_after,
            "spooled": spooled,
            "storage": storage,
            "tmp": tmp,
        },
    )


def secrets(run: Outcome, s3: dict[str, str]) -> Outcome:
    """Search everything the outage run wrote — archive objects (WARC and article files
    decompressed), manifests, stats, logs, spool, state — for its credentials."""
    storage, tmp = run.details["storage"], run.details["tmp"]
    needles = [s3["AWS_SECRET_ACCESS_KEY"].encode(), s3["AWS_ACCESS_KEY_ID"].encode()]
    blobs: dict[str, bytes] = {}
    for key in keys(storage, ""):
        data = storage.get_bytes(key)
        blobs[key] = gzip.decompress(data) if key.endswith(".gz") else data
    for path in tmp.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.name.endswith(".gz"):
                with contextlib.suppress(OSError, EOFError):
                    data = gzip.decompress(data)
            blobs[str(path)] = data
    leaks = [name for name, data in blobs.items() if any(n in data for n in needles)]
    return Outcome(
        "credentials in output",
        run.expected,
        run.archived,
        run.duplicated,
        [f"credential found in {name}" for name in leaks],
        {"searched": len(blobs)},
    )


# -- the table -------------------------------------------------------------------------


def table(outcomes: list[Outcome]) -> str:
    columns = ("pages expected", "archived", "lost", "duplicated")
    head = f"{'scenario':26}  " + "  ".join(columns) + "  result"
    lines = [head, "-" * len(head)]
    for o in outcomes:
        result = "ok" if not o.failed else "FAILED: " + "; ".join(o.failed)
        lines.append(
            f"{o.scenario:26}  {o.expected:>14}  {o.archived:>8}  {o.lost:>4}  "
            f"{o.duplicated:>10}  {result}"
        )
    lost = sum(o.lost for o in outcomes)
    dup = sum(o.duplicated for o in outcomes)
    failed = sum(1 for o in outcomes if o.failed)
    lines.append(
        f"chaos: {len(outcomes)} scenarios, {lost} lost, {dup} duplicated, {failed} failed"
    )
    return "\n".join(lines)


def main() -> int:
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="chaos-") as scratch:
        root = Path(scratch)

        def folder(name: str) -> Path:
            (root / name).mkdir()
            return root / name

        outcomes.append(hostile(folder("hostile")))
        outcomes.append(kill(folder("kill"), signal.SIGKILL))
        outcomes.append(kill(folder("term"), signal.SIGTERM))
        outcomes.append(no_archive(folder("no-archive")))
        outcomes.append(hostile_bucket(folder("hostile-bucket")))
        s3 = s3_env()
        if s3 is None:
            print("chaos: no S3 server (S3_TEST_ENDPOINT); run `make chaos`", file=sys.stderr)
            return 2
        run = outage(folder("outage"), s3)
        outcomes.append(run)
        outcomes.append(secrets(run, s3))
        outcomes.append(outage(folder("hang"), s3, hang=True))
    print(table(outcomes))
    bad = any(o.lost or o.duplicated or o.failed for o in outcomes)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
