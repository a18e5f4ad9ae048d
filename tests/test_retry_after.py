"""Servers that ask the crawler to wait are obeyed, and their answers archived."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.downloadermiddlewares.retry_after import retry_after_seconds
from newsarchive.storage.local import LocalStorage
from tests.archive_checks import EXPECTED_ARTICLES, keys, read_articles, read_manifests
from tests.conftest import crawl_overlay


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Mon, 23 Nov 2026 12:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Mon, 23 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@pytest.mark.e2e
def test_a_429_is_waited_out_and_a_day_long_503_is_left_for_later(tmp_path):
    result = crawl_overlay(tmp_path, "routes-throttled.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    storage = LocalStorage(tmp_path / "archive")
    (manifest,) = read_manifests(storage)
    assert manifest["stats"]["retry_after/waited"] == 1
    assert manifest["stats"]["retry_after/too_long"] == 1
    assert "asks to wait 86400 s, more than NEWSARCHIVE_RETRY_AFTER_MAX" in result.stderr
    assert {r["url"] for r in read_articles(storage)} == EXPECTED_ARTICLES["ecns"]
    feed = []
    for key in keys(storage, "warc/"):
        with (storage.root / key).open("rb") as fh:
            feed += [
                r.http_headers.get_statuscode()
                for r in ArchiveIterator(fh)
                if r.rec_type == "response"
                and r.rec_headers.get_header("WARC-Target-URI").endswith("rss/rss.xml")
            ]
    assert feed == ["429", "200"]
