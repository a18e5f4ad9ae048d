"""The shared frontier holds requests as data: what the spider queues comes back equal,
and an entry that is not a request of the schema (a pickle above all: unpickling runs
code) is refused, counted and dropped by a worker, never run."""

from __future__ import annotations

import json
import os
import pickle

import pytest
import redis
import scrapy

from crawler.request_codec import RefusedEntry, dumps, loads
from newsarchive.items import ArticlePage, CapturedPage
from tests.conftest import run_scrapy, start_redis
from tests.test_distributed import worker_env


class Spider(scrapy.Spider):
    name = "t"

    def parse_article(self, response):
        pass

    def article_failed(self, failure):
        pass


def roundtrip(request: scrapy.Request) -> dict:
    spider = Spider()
    return loads(dumps(request.to_dict(spider=spider)))


def test_a_revisit_request_comes_back_equal():
    spider = Spider()
    request = scrapy.Request(
        "https://www.ecns.cn/news/2024-01-02/detail-ihc1.shtml",
        callback=spider.parse_article,
        errback=spider.article_failed,
        headers={"If-None-Match": '"abc"'},
        dont_filter=True,
        priority=-3,
        meta={
            "discovered": {"via": "feed", "title": "标题", "date": "2024-01-02"},
            "known": {"version": 2, "etag": None},
            "handle_httpstatus_list": [304, 404, 410],
        },
    )
    assert roundtrip(request) == request.to_dict(spider=spider)


def test_an_article_waiting_for_its_next_page_comes_back_equal():
    page = CapturedPage(
        "https://www.chinadaily.com.cn/a/1.html",
        200,
        "text/html; charset=gbk",
        "正文".encode("gbk") + b"\x00\xff",
        {"filename": "f.warc.gz", "offset": 10, "length": 20, "record_id": "<urn:x>"},
        "2026-11-30T10:00:00Z",
        {"status": 200, "etag": None},
    )
    article = ArticlePage("chinadaily", page.url, "zh", [page], {"via": "listing"}, None)
    request = scrapy.Request(
        "https://www.chinadaily.com.cn/a/1_2.html", meta={"article": article, "rest": []}
    )
    back = roundtrip(request)
    assert back["meta"]["article"] == article
    assert back == request.to_dict(spider=Spider())


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/newsarchive-pwned",))


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (pickle.dumps({"url": "https://x/", "p": Payload()}), "not JSON"),
        (b'{"schema": 1, "_class": "os.system"}', "are not the schema's"),
        (b"[1, 2]", "not a request of schema 1"),
    ],
)
def test_an_entry_that_is_not_a_request_of_the_schema_is_refused(entry, why):
    with pytest.raises(RefusedEntry, match=why):
        loads(entry)


def _valid() -> dict:
    return json.loads(dumps(scrapy.Request("https://www.ecns.cn/").to_dict()))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"callback": "__init__"}, "is not a parse method"),
        ({"errback": "close"}, "is not a failure handler"),
        ({"url": "file:///etc/passwd"}, "is not a web URL"),
        ({"priority": True}, "priority: bool is not allowed"),
        ({"body": {"$bytes": 5}}, "is not base64 text"),
        ({"meta": {"x": {"$object": "os.system"}}}, "unknown tag"),
        ({"meta": {"article": {"$article": {"url": "x"}}}}, "not a valid ArticlePage"),
    ],
)
def test_a_field_outside_the_schema_is_refused(change, why):
    with pytest.raises(RefusedEntry, match=why):
        loads(json.dumps({**_valid(), **change}))


def test_a_request_subclass_never_goes_on_the_frontier():
    with pytest.raises(TypeError, match=r"only scrapy\.Request goes on the frontier"):
        dumps(scrapy.FormRequest("https://www.ecns.cn/").to_dict())


@pytest.mark.e2e
def test_a_crafted_pickle_on_the_frontier_is_dropped_not_run(redis_url, replay, tmp_path):
    marker = tmp_path / "pwned"
    env = worker_env(replay, redis_url, tmp_path)
    prefix = env["NEWSARCHIVE_FRONTIER_PREFIX"]

    class Attack:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    server = redis.Redis.from_url(redis_url)
    server.zadd(f"{prefix}:ecns:requests", {pickle.dumps({"url": "https://x/", "a": Attack()}): 0})
    server.rpush(
        f"{prefix}:ecns:seeds",
        json.dumps({"kind": "feed", "url": "https://www.ecns.cn/rss/rss.xml"}),
    )
    done = run_scrapy(env, "crawl", "ecns", timeout=300)
    assert not marker.exists()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "frontier entry refused (dropped): not JSON" in done.stderr
    (manifest,) = [json.loads(p.read_text()) for p in (tmp_path / "archive/runs").glob("*.json")]
    assert manifest["stats"]["frontier/refused"] == 1
    assert manifest["counts"]["articles"] > 0  # the crawl went on with its real work


@pytest.mark.e2e
def test_workers_run_on_a_redis_that_admits_only_their_acl_user(replay, tmp_path):
    """The README's advice, followed: no default user, one user limited to the
    newsarchive:* keys and kept from dangerous commands. Seeding and crawling work, and
    the password is printed nowhere."""
    acl = ["--user", "default", "off", "--user", "newsarchive", "on", ">s3cret-pw"]
    acl += ["~newsarchive:*", "+@all", "-@dangerous"]
    url = "redis://newsarchive:s3cret-pw@127.0.0.1:{port}/0"
    proc, port = start_redis(tmp_path, *acl, ping_url=url)
    try:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port).set("newsarchive:x", 1)  # no anonymous access
        env = worker_env(
            replay, url.format(port=port), tmp_path, NEWSARCHIVE_FRONTIER_PREFIX="newsarchive"
        )
        seeded = run_scrapy(env, "seed", "ecns")
        crawled = run_scrapy(env, "crawl", "ecns", timeout=300)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (seeded.returncode, crawled.returncode) == (0, 0), crawled.stderr[-2000:]
    (manifest,) = [json.loads(p.read_text()) for p in (tmp_path / "archive/runs").glob("*.json")]
    assert manifest["counts"]["articles"] > 0
    for output in (seeded.stdout, seeded.stderr, crawled.stdout, crawled.stderr):
        assert "s3cret-pw" not in output
