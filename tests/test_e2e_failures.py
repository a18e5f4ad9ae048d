"""End to end: pages that yield no article are kept, counted and logged, never lost."""

from __future__ import annotations

import pytest

from newsarchive.storage.local import LocalStorage
from tests.archive_checks import EXPECTED_ARTICLES, keys, read_articles, read_manifests
from tests.conftest import crawl_overlay

pytestmark = pytest.mark.e2e

BROKEN = {
    "https://www.ecns.cn/news/society/2023-02-04/detail-ihcfilpl7597905.shtml": "empty_page",
    "https://www.ecns.cn/news/cns-wire/2023-02-04/detail-ihcfaxdv9100547.shtml": "no_article_text",
}


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("broken")
    result = crawl_overlay(tmp, "routes-broken.yaml")
    return LocalStorage(tmp / "archive"), result


def test_a_crawl_with_broken_pages_still_finishes(broken_run):
    storage, result = broken_run
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(read_articles(storage)) == len(EXPECTED_ARTICLES["ecns"])  # all the good pages


def test_broken_pages_are_counted_under_their_reason(broken_run):
    storage, _ = broken_run
    (manifest,) = read_manifests(storage)
    assert manifest["stats"]["article/extraction_failed"] == 2
    for reason in BROKEN.values():
        assert manifest["stats"][f"article/extraction_failed/{reason}"] == 1
    assert manifest["counts"]["extraction_failed"] == 2


def test_broken_pages_are_logged_with_url_and_reason(broken_run):
    _, result = broken_run
    for url, reason in BROKEN.items():
        assert f"no article from {url}: {reason}" in result.stderr


def test_broken_pages_are_still_in_the_warc(broken_run):
    from warcio.archiveiterator import ArchiveIterator

    storage, _ = broken_run
    captured = set()
    for key in keys(storage, "warc/"):
        with (storage.root / key).open("rb") as fh:
            captured |= {
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(fh)
                if r.rec_type == "response"
            }
    assert set(BROKEN) <= captured
