"""One contract, two crawl states: the SQLite store of a single machine and the Redis
store distributed workers share answer every question the same way."""

from __future__ import annotations

import uuid

import pytest

from newsarchive.redis_state import RedisCrawlState
from newsarchive.state import CrawlState, CrawlStateStore

URL = "https://www.ecns.cn/news/2026-05-01/detail-ihabcdef1234567.shtml"
FIRST, LATER, LATEST = "2026-05-01T08:00:00Z", "2026-05-02T08:00:00Z", "2026-05-03T08:00:00Z"


@pytest.fixture(params=["sqlite", "redis"])
def state(request, tmp_path) -> CrawlStateStore:
    if request.param == "sqlite":
        store: CrawlStateStore = CrawlState(tmp_path / "state.sqlite")
    else:
        redis_url = request.getfixturevalue("redis_url")
        store = RedisCrawlState(redis_url, f"archive-{uuid.uuid4().hex}")
    yield store
    store.close()


def test_a_url_never_captured_is_unknown(state):
    assert (state.get(URL), len(state)) == (None, 0)


def test_a_first_capture_is_live_version_1_first_seen_then(state):
    state.record_capture(URL, when=FIRST, article_id="a1", content_sha256="c1", etag='"e1"')
    page = state.get(URL)
    assert (page.status, page.version, page.first_seen, page.last_fetch) == (
        "live",
        1,
        FIRST,
        FIRST,
    )
    assert (page.article_id, page.content_sha256, page.etag) == ("a1", "c1", '"e1"')


def test_a_later_capture_keeps_first_seen_and_the_facts_it_did_not_give(state):
    state.record_capture(URL, when=FIRST, content_sha256="c1", etag='"e1"', last_modified="M1")
    state.record_capture(URL, when=LATER, etag='"e2"')
    page = state.get(URL)
    assert (page.first_seen, page.last_fetch) == (FIRST, LATER)
    assert (page.content_sha256, page.etag, page.last_modified) == ("c1", '"e2"', "M1")


def test_a_new_version_is_recorded(state):
    state.record_capture(URL, when=FIRST, content_sha256="c1")
    state.record_capture(URL, when=LATER, content_sha256="c2", version=2)
    page = state.get(URL)
    assert (page.version, page.content_sha256) == (2, "c2")


def test_a_deleted_article_is_known_as_deleted(state):
    state.record_capture(URL, when=FIRST, content_sha256="c1")
    state.mark_deleted(URL, when=LATER)
    page = state.get(URL)
    assert (page.status, page.last_fetch, page.content_sha256) == ("deleted", LATER, "c1")


def test_deleting_a_url_never_captured_records_nothing(state):
    state.mark_deleted(URL, when=LATER)
    assert (state.get(URL), len(state)) == (None, 0)


def test_an_article_that_comes_back_is_live_again(state):
    state.record_capture(URL, when=FIRST, content_sha256="c1")
    state.mark_deleted(URL, when=LATER)
    state.record_capture(URL, when=LATEST)
    assert state.get(URL).status == "live"


def test_every_url_captured_is_counted_once(state):
    for when in (FIRST, LATER):
        state.record_capture(URL, when=when)
        state.record_capture(URL + "?page=2", when=when)
    assert len(state) == 2


def test_the_urls_stored_under_an_article_id_are_listed(state):
    state.record_capture("https://x/b", when="2026-11-23T10:00:00Z", article_id="id1")
    state.record_capture("http://x/b", when="2026-11-23T10:01:00Z", article_id="id1")
    state.record_capture("https://x/c", when="2026-11-23T10:02:00Z", article_id="id2")
    assert state.article_urls("id1") == ["http://x/b", "https://x/b"]
    assert state.article_urls("none") == []


def test_captured_since_lists_the_pages_first_captured_from_then(state):
    state.record_capture(URL, when=FIRST)
    state.record_capture(URL + "?2", when=LATER)
    state.record_capture(URL, when=LATEST)
    assert [p.url for p in state.captured_since(LATER)] == [URL + "?2"]
    assert sorted(p.url for p in state.captured_since(FIRST)) == [URL, URL + "?2"]
