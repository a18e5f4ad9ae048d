"""Discovery on the recorded feeds, sitemaps and listings, as real Scrapy responses."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.spiders.cgtn import CgtnSpider
from crawler.spiders.chinadaily import ChinaDailySpider
from crawler.spiders.discovery import entry_day, parse_day, url_day
from crawler.spiders.ecns import EcnsSpider
from tests.conftest import FIXTURES

DISCOVERY = FIXTURES / "reconstructed" / "discovery"


def spider(cls, **args):
    crawler = get_crawler(cls)
    return cls.from_crawler(crawler, **args)


def response(cls, url: str, name: str, meta: dict | None = None):
    request = Request(url, meta=meta or {})
    return cls(url=url, body=(DISCOVERY / name).read_bytes(), request=request, encoding="utf-8")


def urls(requests) -> list[str]:
    return [r.url for r in requests]


def test_feed_yields_each_article_item_once():
    ecns = spider(EcnsSpider)
    found = urls(
        ecns.parse_feed(
            response(XmlResponse, "https://www.ecns.cn/rss/politics.xml", "ecns-rss-politics.xml")
        )
    )
    assert len(found) == 11 and len(set(found)) == 11
    assert found[0] == "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"


def test_google_news_sitemap_gives_publication_dates_and_titles():
    cgtn = spider(CgtnSpider)
    requests = list(
        cgtn.parse_sitemap(
            response(XmlResponse, "https://www.cgtn.com/sitemap/news.xml", "cgtn-news-sitemap.xml")
        )
    )
    first = requests[0].meta["discovered"]
    assert first["date"] == "2024-05-29T18:41:00+08:00"
    assert first["title"].startswith("The 9th meeting of the China-Russia")


def test_since_and_until_keep_only_entries_in_the_window():
    ecns = spider(EcnsSpider, since="2023-02-04", until="2023-02-04")
    found = urls(
        ecns.parse_sitemap(
            response(XmlResponse, "https://www.ecns.cn/sitemap.xml", "ecns-sitemap.xml")
        )
    )
    assert found and all("/2023-02-04/" in u for u in found)
    assert ecns.crawler.stats.get_value("discovery/out_of_window") == 5


def test_limit_caps_the_articles_scheduled():
    ecns = spider(EcnsSpider, limit="3")
    found = urls(
        ecns.parse_feed(
            response(XmlResponse, "https://www.ecns.cn/rss/politics.xml", "ecns-rss-politics.xml")
        )
    )
    assert len(found) == 3


def test_listing_follows_articles_and_the_next_page_only():
    daily = spider(ChinaDailySpider)
    url = "https://www.chinadaily.com.cn/china/59b8d010a3108c54ed7dfc30"
    requests = list(
        daily.parse_listing(
            response(
                HtmlResponse, url, "chinadaily-listing-national-affairs.html", {"listing_page": 1}
            )
        )
    )
    pages = [r.url for r in requests if r.callback == daily.parse_listing]
    assert pages == ["https://www.chinadaily.com.cn/china/59b8d010a3108c54ed7dfc30/page_2.html"]
    articles = [r for r in requests if r.callback == daily.parse_article]
    assert articles[0].url.endswith("WS64b0aaf4a31035260b816a3c.html")


def test_dates_in_urls_of_every_outlet_shape():
    assert url_day("https://english.news.cn/20230713/abc/c.html") == date(2023, 7, 13)
    assert url_day("https://www.chinadaily.com.cn/a/202307/14/WS6.html") == date(2023, 7, 14)
    assert url_day("http://www.news.cn/fortune/2023-11/17/c_1.htm") == date(2023, 11, 17)
    assert url_day("http://www.chinanews.com/ll/2020/07-04/9229287.shtml") == date(2020, 7, 4)
    assert url_day("https://www.cgtn.com/news/3d3d514e7a51444d/share_p.html") is None


def test_feed_and_sitemap_dates_are_read_in_both_forms():
    assert entry_day("Sat, 04 Feb 2023 15:13:19 +0800") == date(2023, 2, 4)
    assert entry_day("2023-02-04T15:13:19+08:00") == date(2023, 2, 4)
    assert entry_day("soon") is None


def test_a_malformed_date_argument_says_which_and_the_form():
    with pytest.raises(
        ValueError, match=r"-a since='2023-13-01' is not a date; expected YYYY-MM-DD"
    ):
        parse_day("2023-13-01", "since")


def test_since_after_until_is_refused():
    with pytest.raises(ValueError, match="is after"):
        spider(EcnsSpider, since="2024-01-02", until="2024-01-01")
