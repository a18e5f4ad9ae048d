"""Dates researchers can count by: `published` is what the page states and is never
guessed; `published_estimate` carries the best evidence the crawl saw, with its source,
and `published_day` is the outlet's (Beijing) calendar day of it."""

from __future__ import annotations

from datetime import date

from newsarchive.items import ArticlePage
from newsarchive.record import published_day
from pipelines.article import build_article, published_estimate

URL = "https://news.cgtn.com/news/2024-05-29/some-story-1u1qFGVx1mM/index.html"
UNDATED_URL = "https://news.cgtn.com/news/share/some-story-1u1qFGVx1mM/index.html"


def test_the_page_s_own_date_comes_first():
    feed = {"via": "feed", "date": "Wed, 29 May 2024 09:00:00 +0800"}
    assert published_estimate("2024-05-28T20:15:00+08:00", feed, URL) == (
        "2024-05-28T20:15:00+08:00",
        "page",
    )


def test_an_rss_date_stands_in_when_the_page_gives_none():
    feed = {"via": "feed", "date": "Wed, 29 May 2024 09:00:00 +0800"}
    assert published_estimate(None, feed, UNDATED_URL) == ("2024-05-29T09:00:00+08:00", "feed")


def test_a_sitemap_date_is_marked_as_the_sitemap_s():
    sitemap = {"via": "sitemap", "date": "2024-05-29T01:00:00Z"}
    assert published_estimate(None, sitemap, UNDATED_URL) == (
        "2024-05-29T01:00:00+00:00",
        "sitemap",
    )


def test_the_url_s_date_is_the_last_resort():
    assert published_estimate(None, {"via": "listing"}, URL) == ("2024-05-29", "url")


def test_no_evidence_gives_no_date():
    assert published_estimate(None, {"via": "listing"}, UNDATED_URL) == (None, None)


def test_the_day_is_beijing_s():
    assert published_day({"published_estimate": "2024-05-28T20:00:00Z"}) == date(2024, 5, 29)
    assert published_day({"published_estimate": "2024-05-29T00:30:00+08:00"}) == date(2024, 5, 29)
    assert published_day({"published_estimate": "2024-05-29"}) == date(2024, 5, 29)


def test_records_written_before_the_estimate_use_published():
    assert published_day({"published": "2023-02-04T15:13:19+08:00"}) == date(2023, 2, 4)
    assert published_day({"published": None}) is None


PARAGRAPH = (
    "The ninth meeting of the law enforcement and security cooperation mechanism was held "
    "in Beijing on Wednesday, and officials from both sides discussed further cooperation "
    "in a number of areas, according to a statement released after the meeting."
)
UNDATED_UNTITLED = (
    "<html><body><div class='content'>"
    + "".join(f"<p>{PARAGRAPH} Part {n}.</p>" for n in range(1, 6))
    + "</div></body></html>"
).encode()


def test_an_undated_untitled_page_takes_the_feed_s_date_and_title():
    page = ArticlePage.single("cgtn", UNDATED_URL, UNDATED_UNTITLED, "text/html; charset=utf-8")
    page.discovered = {
        "via": "feed",
        "date": "Wed, 29 May 2024 09:00:00 +0800",
        "title": "9th meeting of China-Russia law enforcement security cooperation held",
    }
    record = build_article(page)
    assert (record["published"], record["published_estimate"], record["published_source"]) == (
        None,
        "2024-05-29T09:00:00+08:00",
        "feed",
    )
    assert (record["title"], record["title_source"]) == (
        "9th meeting of China-Russia law enforcement security cooperation held",
        "feed",
    )
