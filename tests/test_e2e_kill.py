"""End to end: a crawl killed mid-way (SIGKILL or SIGTERM) and run again ends with the
same archive as an uninterrupted one: nothing lost, nothing twice, every WARC valid."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter

import pytest

from pipelines.storage.local import LocalStorage
from tests.archive_checks import EXPECTED_ARTICLES, keys, read_articles, warcio_check
from tests.conftest import BIN, ROOT, crawl, start_replay

pytestmark = pytest.mark.e2e


def first_article_written(spool) -> bool:
    return any(
        p.name.endswith(".jsonl.gz") and p.stat().st_size > 40
        for p in (spool).rglob("*")
        if p.is_file()
    )


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "term"])
def test_interrupted_crawl_completes_on_restart_without_loss_or_duplicates(tmp_path, sig):
    archive, spool = tmp_path / "archive", tmp_path / "spool"
    proc, replay = start_replay(tmp_path, None, "--delay", "0.4")
    try:
        env = replay.env(
            ARCHIVE_URI=str(archive),
            NEWSARCHIVE_SPOOL=str(spool),
            NEWSARCHIVE_STATE=str(tmp_path / "state"),
        )
        victim = subprocess.Popen(
            [str(BIN / "scrapy"), "crawl", "xinhua"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while not first_article_written(spool) and time.time() < deadline:
            time.sleep(0.05)
        assert victim.poll() is None, "the crawl ended before it could be interrupted"
        os.kill(victim.pid, sig)
        victim.wait(timeout=60)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    if sig == signal.SIGKILL:
        interrupted = len(read_articles(LocalStorage(archive))) if archive.exists() else 0
        assert interrupted < len(EXPECTED_ARTICLES["xinhua"])  # it really stopped mid-way
    else:
        # SIGTERM: Scrapy finishes what is in flight, stores it and says it stopped early.
        assert victim.returncode == 4

    proc, replay = start_replay(tmp_path)
    try:
        result = crawl(replay, "xinhua", str(archive), spool)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-2000:]
    storage = LocalStorage(archive)
    urls = Counter(r["url"] for r in read_articles(storage))
    assert set(urls) == EXPECTED_ARTICLES["xinhua"]
    assert max(urls.values()) == 1
    for key in keys(storage, "warc/"):
        assert warcio_check(storage.root / key).returncode == 0, key
    leftovers = [p for p in spool.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert leftovers == []
