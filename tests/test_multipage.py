"""Articles split over several pages are archived as one record, in page order."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from twisted.python.failure import Failure

from crawler.spiders.chinadaily import ChinaDailySpider
from newsarchive.items import ArticlePage
from pipelines.article import build_article
from tests.test_discovery import spider

BASE = "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c"
PARAGRAPH = (
    "Paragraph {n} of a long China Daily report, long enough to be article text, "
    "about cooperation between the two sides in many fields and at all levels."
)


def page_html(numbers: range, links: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{PARAGRAPH.format(n=n)}</p>" for n in numbers)
    nav = "".join(f'<a href="{href}">{i}</a>' for i, href in enumerate(links, start=1))
    return (
        f"<html><head><title>Split story - Chinadaily.com.cn</title></head><body>"
        f"<h1>Split story</h1><div id='Content'>{paragraphs}</div>"
        f"<div id='div_currpage'>{nav}</div></body></html>"
    ).encode()


def fetched(url: str, body: bytes, meta: dict | None = None) -> HtmlResponse:
    meta = {
        "warc": {"filename": "w", "offset": 0, "length": 1, "record_id": url},
        "fetched_at": "2026-11-23T00:00:00Z",
        **(meta or {}),
    }
    return HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url, meta=meta))


def test_a_split_article_is_fetched_page_by_page_and_archived_once():
    daily = spider(ChinaDailySpider)
    links = [f"{BASE}.html", f"{BASE}_2.html", f"{BASE}_3.html"]
    (follow,) = daily.parse_article(fetched(f"{BASE}.html", page_html(range(1, 4), links)))
    assert follow.url == f"{BASE}_2.html"
    (follow,) = daily.parse_continuation(
        fetched(follow.url, page_html(range(4, 7), links), follow.meta)
    )
    assert follow.url == f"{BASE}_3.html"
    (item,) = daily.parse_continuation(
        fetched(follow.url, page_html(range(7, 9), links), follow.meta)
    )
    assert isinstance(item, ArticlePage)
    assert [p.url for p in item.pages] == links
    record = build_article(item)
    assert record["paragraphs"] == [PARAGRAPH.format(n=n) for n in range(1, 9)]
    assert [p["url"] for p in record["pages"]] == links
    assert record["incomplete"] is False


def test_a_missing_later_page_keeps_the_pages_fetched_and_marks_the_record():
    daily = spider(ChinaDailySpider)
    links = [f"{BASE}.html", f"{BASE}_2.html"]
    (follow,) = daily.parse_article(fetched(f"{BASE}.html", page_html(range(1, 4), links)))
    failure = Failure(Exception("404"))
    failure.request = follow
    (item,) = daily.continuation_failed(failure)
    record = build_article(item)
    assert record["paragraphs"] == [PARAGRAPH.format(n=n) for n in range(1, 4)]
    assert record["incomplete"] is True
    assert daily.crawler.stats.get_value("article/continuation_missing") == 1
