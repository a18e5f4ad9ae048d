"""One page cannot stall a crawl: extraction has a time and a size budget, and a crawl
told to stop stops, however long the page in hand would take."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.conftest import BIN, ROOT, start_replay
from tests.test_no_orphans import children, left_behind

pytestmark = pytest.mark.e2e

ROUTES = [ROOT / "tests/replay" / name for name in ("routes.yaml", "routes-hostile.yaml")]
STALL = "https://www.ecns.cn/news/politics/2023-02-05/detail-stall.shtml"


def test_two_sigterms_end_a_crawl_busy_with_a_page_of_minutes(tmp_path):
    """8 MB of paragraphs, minutes of extraction, budget and size cap lifted: the crawl
    is stopped the way an operator or a service manager does, twice, and is gone within
    seconds, its extraction workers with it."""
    proc, replay = start_replay(tmp_path, [*ROUTES, ROOT / "tests/replay/routes-stall.yaml"])
    env = replay.env(
        ARCHIVE_URI=str(tmp_path / "archive"),
        NEWSARCHIVE_SPOOL=str(tmp_path / "spool"),
        NEWSARCHIVE_STATE=str(tmp_path / "state"),
        NEWSARCHIVE_EXTRACT_TIMEOUT="900",
        NEWSARCHIVE_EXTRACT_MAX_BYTES="50000000",
        NEWSARCHIVE_LOG_LEVEL="DEBUG",
    )
    log = tmp_path / "crawl.log"
    try:
        with log.open("w") as sink:
            crawl = subprocess.Popen(
                [str(BIN / "scrapy"), "crawl", "ecns"], cwd=ROOT, env=env, stderr=sink
            )
            deadline = time.monotonic() + 120
            while f"Crawled (200) <GET {STALL}>" not in log.read_text():
                assert time.monotonic() < deadline and crawl.poll() is None, log.read_text()[-3000:]
                time.sleep(0.2)
            time.sleep(3)  # the page is in a worker now
            workers = children(crawl.pid)
            crawl.send_signal(signal.SIGTERM)
            time.sleep(1)
            crawl.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            try:
                crawl.wait(timeout=30)
            except subprocess.TimeoutExpired:
                crawl.kill()
                pytest.fail("the crawl was still running 30 s after two SIGTERMs")
            took = time.monotonic() - stopped
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert left_behind(workers, seconds=5) == set()
    assert crawl.returncode != 0
    assert took < 30
