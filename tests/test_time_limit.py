"""A crawl has a time limit (NEWSARCHIVE_TIME_LIMIT, Scrapy's CLOSESPIDER_TIMEOUT): at
the limit it stops, stores what it captured, exits 4 and says why in its manifest."""

from __future__ import annotations

import json

import pytest

from tests.conftest import crawl

pytestmark = pytest.mark.e2e


def test_a_crawl_at_its_time_limit_stops_stores_and_says_so(replay, tmp_path):
    archive = tmp_path / "archive"
    result = crawl(
        replay,
        "ecns",
        str(archive),
        tmp_path / "spool",
        NEWSARCHIVE_TIME_LIMIT="4",
        NEWSARCHIVE_DOWNLOAD_DELAY="1.5",  # 17 entry points cannot be read in 4 s
        NEWSARCHIVE_AUTOTHROTTLE="0",
    )
    assert result.returncode == 4, result.stderr[-2000:]
    (manifest,) = [json.loads(p.read_text()) for p in (archive / "runs").glob("*.json")]
    assert (manifest["status"], manifest["status_reason"]) == (
        "closespider_timeout",
        "the crawl reached its time limit (NEWSARCHIVE_TIME_LIMIT)",
    )
    assert manifest["stats"]["downloader/response_count"] > 0
    assert list(archive.glob("warc/source=ecns/date=*/*.warc.gz"))
