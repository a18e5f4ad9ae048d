"""Distributed crawling on scrapy-redis with a real redis-server: workers share one
frontier and one crawl state, archive what a single process archives, never twice, and
lose nothing when one of them is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import redis

from newsarchive.storage.local import LocalStorage
from tests.archive_checks import EXPECTED_ARTICLES, read_articles, read_manifests
from tests.conftest import BIN, ROOT, run_scrapy, start_replay

pytestmark = pytest.mark.e2e
SOURCES = ("xinhua", "ecns", "cgtn")


@pytest.fixture(scope="module")
def slow_replay(tmp_path_factory):
    """Responses take 0.2 s, as real servers do, so that the work spreads over workers."""
    proc, replay = start_replay(tmp_path_factory.mktemp("replay"), None, "--delay", "0.2")
    yield replay
    proc.terminate()
    proc.wait(timeout=10)


def worker_env(replay, redis_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    settings = {
        "REDIS_URL": redis_url,
        "ARCHIVE_URI": str(tmp / "archive"),
        "NEWSARCHIVE_SPOOL": str(tmp / "spool"),
        "NEWSARCHIVE_FRONTIER_PREFIX": f"t{time.time_ns()}",
        "NEWSARCHIVE_IDLE_EXIT": "2",
        "NEWSARCHIVE_HEARTBEAT_TTL": "3",
        "SCRAPY_SETTINGS_MODULE": "settings.distributed",
    }
    return replay.env(**{**settings, **extra})


def crawl_distributed(env: dict[str, str], sources=SOURCES, workers: int = 2):
    return subprocess.run(
        ["./deploy/crawl-distributed.sh"],
        cwd=ROOT,
        env={**env, "WORKERS": str(workers), "SOURCES": " ".join(sources)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def duplicates(records: list[dict]) -> int:
    counts = Counter((r["url"], r["version"]) for r in records)
    return sum(n - 1 for n in counts.values())


def expected(sources) -> set[str]:
    return set().union(*(EXPECTED_ARTICLES[s] for s in sources))


@pytest.fixture(scope="module")
def two_runs(slow_replay, redis_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("distributed")
    env = worker_env(slow_replay, redis_url, tmp)
    storage = LocalStorage(tmp / "archive")
    first = crawl_distributed(env)
    after_first = read_manifests(storage)
    second = crawl_distributed(env)
    return storage, first, second, after_first


def test_two_workers_archive_every_article_once(two_runs):
    storage, first, _, manifests = two_runs
    records = read_articles(storage)
    assert first.returncode == 0, first.stdout + first.stderr
    assert {r["url"] for r in records} == expected(SOURCES)
    assert duplicates(records) == 0
    assert Counter(m["source"] for m in manifests) == {s: 2 for s in SOURCES}


def test_every_worker_exits_0_when_the_frontier_is_empty(two_runs):
    _, first, _, _ = two_runs
    lines = [line for line in first.stdout.splitlines() if " worker " in line]
    assert len(lines) == 2 * len(SOURCES)
    assert all(" exit 0 " in line for line in lines), lines


def test_the_shared_state_keeps_a_second_run_from_archiving_again(two_runs):
    storage, _, second, first_manifests = two_runs
    seen = {m["crawl_id"] for m in first_manifests}
    later = [m for m in read_manifests(storage) if m["crawl_id"] not in seen]
    assert second.returncode == 0, second.stdout + second.stderr
    assert sum(m["counts"]["new"] + m["counts"]["changed"] for m in later) == 0
    assert sum(m["counts"]["unchanged"] for m in later) == len(expected(SOURCES))
    assert duplicates(read_articles(storage)) == 0


def test_seed_does_not_restart_a_run_in_progress(redis_url, slow_replay, tmp_path):
    env = worker_env(slow_replay, redis_url, tmp_path)
    seed = [str(BIN / "scrapy"), "seed", "ecns"]
    first = subprocess.run(seed, cwd=ROOT, env=env, capture_output=True, text=True)
    again = subprocess.run(seed, cwd=ROOT, env=env, capture_output=True, text=True)
    assert first.stdout == f"ecns: new run, 17 seeds on the frontier at {redis_url}\n"
    assert again.stdout.startswith("ecns: a run is in progress (0 requests queued, 17 seeds")


def test_a_seed_pushed_twice_is_fetched_once(redis_url, slow_replay, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    env = worker_env(slow_replay, redis_url, tmp_path)
    prefix = env["NEWSARCHIVE_FRONTIER_PREFIX"]
    feed = "https://www.ecns.cn/rss/rss.xml"
    # What RedisSpider does with a seed (dont_filter=True) would fetch this feed twice.
    redis.Redis.from_url(redis_url).rpush(
        f"{prefix}:ecns:seeds", *[json.dumps({"kind": "feed", "url": feed})] * 2
    )
    workers = [
        subprocess.Popen(
            [str(BIN / "scrapy"), "crawl", "ecns"],
            cwd=ROOT,
            env={**env, "NEWSARCHIVE_SPOOL": str(tmp_path / f"spool-{i}")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in (1, 2)
    ]
    assert [w.wait(timeout=300) for w in workers] == [0, 0]
    fetched = 0
    for path in (tmp_path / "archive").rglob("*.warc.gz"):
        with path.open("rb") as fh:
            fetched += sum(
                1
                for r in ArchiveIterator(fh)
                if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == feed
            )
    assert fetched == 1


def test_a_killed_worker_loses_nothing(redis_url, tmp_path):
    # Slower still (1 s a response), so the kill lands with the crawl well under way.
    proc, replay = start_replay(tmp_path, None, "--delay", "1.0")
    try:
        killed_mid_crawl(redis_url, replay, tmp_path)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def killed_mid_crawl(redis_url, replay, tmp_path):
    env = worker_env(
        replay, redis_url, tmp_path, NEWSARCHIVE_IDLE_EXIT="8", NEWSARCHIVE_LOG_LEVEL="DEBUG"
    )
    subprocess.run([str(BIN / "scrapy"), "seed", "xinhua"], cwd=ROOT, env=env, check=True)

    def worker(slot: int) -> subprocess.Popen:
        log = tmp_path / f"worker-{slot}.log"
        return subprocess.Popen(
            [str(BIN / "scrapy"), "crawl", "xinhua", "-s", f"LOG_FILE={log}"],
            cwd=ROOT,
            env={**env, "NEWSARCHIVE_SPOOL": str(tmp_path / f"spool-{slot}")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    victim, survivor = worker(1), worker(2)
    log = tmp_path / "worker-1.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count("DEBUG: Crawled (") >= 4:
            break
        if victim.poll() is not None:
            break
        time.sleep(0.05)
    assert victim.poll() is None, "the worker finished before it could be killed"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert survivor.wait(timeout=300) == 0
    # The killed slot restarts: it repairs and uploads what the dead worker left.
    restarted = worker(1)
    assert restarted.wait(timeout=300) == 0

    storage = LocalStorage(tmp_path / "archive")
    records = read_articles(storage)
    assert {r["url"] for r in records} == EXPECTED_ARTICLES["xinhua"]
    assert duplicates(records) == 0
    warcs = sorted(str(p) for p in (tmp_path / "archive").rglob("*.warc.gz"))
    check = subprocess.run([str(BIN / "warcio"), "check", *warcs], capture_output=True)
    assert check.returncode == 0, check.stdout
    survivor_log = (tmp_path / "worker-2.log").read_text()
    restart_log = (tmp_path / "worker-1.log").read_text()
    assert "put back on the frontier" in survivor_log + restart_log


def test_redis_state_keeps_what_a_later_fetch_did_not_give(redis_url):
    from newsarchive.redis_state import RedisCrawlState

    state = RedisCrawlState(redis_url, f"test://{time.time_ns()}")
    url = "https://www.ecns.cn/news/a.shtml"
    state.record_capture(url, when="2026-01-01T00:00:00Z", content_sha256="aa", etag='"1"')
    state.record_capture(url, when="2026-01-02T00:00:00Z", version=2, content_sha256="bb")
    state.mark_deleted(url, when="2026-01-03T00:00:00Z")
    page = state.get(url)
    assert (page.first_seen, page.last_fetch, page.version) == (
        "2026-01-01T00:00:00Z",
        "2026-01-03T00:00:00Z",
        2,
    )
    assert (page.content_sha256, page.etag, page.status) == ("bb", '"1"', "deleted")
    assert len(state) == 1
    assert state.get("https://www.ecns.cn/other") is None


def test_a_failing_seed_never_prints_the_redis_password(tmp_path):
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "settings.distributed",
        # Nothing listens on port 1: the connection is refused.
        "REDIS_URL": "redis://worker:s3cret-pass@127.0.0.1:1/0",
        "ARCHIVE_URI": str(tmp_path / "archive"),
    }
    done = run_scrapy(env, "seed", "ecns")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "newsarchive: cannot reach the frontier at redis://worker:***@127.0.0.1:1/0: "
    )
    assert "s3cret-pass" not in done.stdout + done.stderr
