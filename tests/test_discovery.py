"""Discovery on the recorded feeds, sitemaps and listings, as real Scrapy responses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

import settings as project_settings
from crawler.spiders.cgtn import CgtnSpider
from crawler.spiders.chinadaily import ChinaDailySpider
from crawler.spiders.chinaorgcn import ChinaOrgCnSpider
from crawler.spiders.discovery import entry_day, parse_day, url_day
from crawler.spiders.ecns import EcnsSpider
from crawler.spiders.xinhua import XinhuaSpider
from tests.conftest import FIXTURES

# The project's own settings (their defaults live only in settings/).
PROJECT_SETTINGS = {k: v for k, v in vars(project_settings).items() if k.startswith("NEWSARCHIVE_")}


def spider(cls, **args):
    crawler = get_crawler(cls, settings_dict=PROJECT_SETTINGS)
    return cls.from_crawler(crawler, **args)


def response(cls, url: str, fixture: str, meta: dict | None = None):
    """A real Scrapy response carrying a replay fixture (path under fixtures/)."""
    request = Request(url, meta=meta or {})
    return cls(url=url, body=(FIXTURES / fixture).read_bytes(), request=request, encoding="utf-8")


def urls(requests) -> list[str]:
    return [r.url for r in requests]


def listing(spider_, url: str, fixture: str) -> list:
    """Everything a first listing page yields."""
    return list(spider_.parse_listing(response(HtmlResponse, url, fixture, {"listing_page": 1})))


ECNS_FEED = ("https://www.ecns.cn/rss/rss.xml", "constructed/ecns-rss-2026.xml")
CGTN_FEED = (
    "https://www.cgtn.com/subscribe/rss/section/china.xml",
    "constructed/cgtn-rss-china-2026.xml",
)
CGTN_INDEX = ("https://www.cgtn.com/sitemap.xml", "constructed/cgtn-sitemap-index-2026.xml")
CGTN_ROBOTS = ("https://www.cgtn.com/robots.txt", "constructed/cgtn-robots.txt")
# China.org.cn's home page after a redesign: every article link in a shape no pattern takes.
DRIFTED_HOME = ("http://www.china.org.cn/", "drifted/chinaorgcn-home-new-shape.html")
# The day the replay's CGTN fixtures were made as of (their newest lastmod).
CGTN_DAY = datetime(2026, 9, 26, tzinfo=UTC)


def test_feed_yields_each_article_item_once():
    ecns = spider(EcnsSpider)
    found = urls(ecns.parse_feed(response(XmlResponse, *ECNS_FEED)))
    assert len(found) == 12 and len(set(found)) == 12
    assert found[0] == "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"


def test_feed_links_lose_their_tracking_parameters_before_the_pattern():
    cgtn = spider(CgtnSpider)
    found = urls(cgtn.parse_feed(response(XmlResponse, *CGTN_FEED)))
    assert found[0] == (
        "https://news.cgtn.com/news/2026-09-25/"
        "China-launches-new-satellite-for-ocean-monitoring-1Gq3XkTz2Lm/p.html"
    )
    assert len(found) == 8 and not any("?" in u for u in found)


def test_google_news_sitemap_gives_publication_dates_and_titles():
    cgtn = spider(CgtnSpider)
    requests = list(
        cgtn.parse_sitemap(
            response(
                XmlResponse,
                "https://www.cgtn.com/sitemap_latestnews.xml",
                "constructed/cgtn-sitemap-latestnews.xml",
            )
        )
    )
    first = requests[0].meta["discovered"]
    assert first == {
        "via": "sitemap",
        "date": "2026-09-25T14:32:00+08:00",
        "title": "China launches new satellite for ocean monitoring",
    }
    assert {r.url.split("/")[2] for r in requests} == {
        "news.cgtn.com",
        "newsus.cgtn.com",
        "newseu.cgtn.com",
        "newsaf.cgtn.com",
    }


def test_a_sitemap_index_is_walked_only_within_the_default_window():
    cgtn = spider(CgtnSpider)
    cgtn.now = CGTN_DAY
    children = urls(cgtn.parse_sitemap(response(XmlResponse, *CGTN_INDEX)))
    assert children == [
        "https://www.cgtn.com/sitemap_latestnews.xml",
        "https://www.cgtn.com/sitemap_news.xml",
    ]
    assert cgtn.crawler.stats.get_value("discovery/sitemap_children_skipped") == 2


def test_since_reaches_back_into_the_archived_sitemaps():
    cgtn = spider(CgtnSpider, since="2024-01-01")
    cgtn.now = CGTN_DAY
    children = urls(cgtn.parse_sitemap(response(XmlResponse, *CGTN_INDEX)))
    assert children[-1] == "https://www.cgtn.com/sitemap_archived_2024.xml"
    assert len(children) == 3


def test_robots_sitemap_lines_are_chosen_by_the_year_in_their_names():
    cgtn = spider(CgtnSpider)
    cgtn.now = CGTN_DAY
    children = urls(cgtn.parse_robots(response(TextResponse, *CGTN_ROBOTS)))
    assert children == [
        "https://www.cgtn.com/sitemap_latestnews.xml",
        "https://www.cgtn.com/sitemap_news.xml",
    ]
    assert cgtn.crawler.stats.get_value("discovery/sitemap_children_skipped") == 4


def test_a_feed_frozen_in_2017_is_reported_stale_and_the_crawl_goes_on():
    daily = spider(ChinaDailySpider)
    feed = response(
        XmlResponse,
        "http://www.chinadaily.com.cn/rss/china_rss.xml",
        "constructed/chinadaily-rss-2017.xml",
    )
    found = urls(daily.parse_feed(feed))
    assert len(found) == 10
    stats = daily.crawler.stats
    assert stats.get_value("discovery/stale_feed") == 1
    assert stats.get_value("discovery/stale_feeds") == [
        {"url": "http://www.chinadaily.com.cn/rss/china_rss.xml", "newest": "2017-12-12"}
    ]


def test_a_fresh_feed_is_not_stale():
    cgtn = spider(CgtnSpider)
    cgtn.now = CGTN_DAY
    list(cgtn.parse_feed(response(XmlResponse, *CGTN_FEED)))
    assert cgtn.crawler.stats.get_value("discovery/stale_feed") is None


def test_a_hub_page_leads_to_its_datasource_lists():
    xinhua = spider(XinhuaSpider)
    hub = listing(
        xinhua,
        "https://www.news.cn/milpro/",
        "captured/xinhua/newscn-zh-milpro-channel-listing-2026-09-16.html",
    )
    lists = [r.url for r in hub if r.callback == xinhua.parse_datasource]
    assert "https://www.news.cn/milpro/ds_37b25e9f5d2343d8b4790ab6a8f8ae91.json" in lists
    assert len(lists) == len(set(lists)) == 18


def test_a_datasource_list_gives_articles_with_their_titles_and_times():
    xinhua = spider(XinhuaSpider)
    found = list(
        xinhua.parse_datasource(
            response(
                TextResponse,
                "https://english.news.cn/list/ds_a950c54446a0421f9b94c0b053efdf33.json",
                "constructed/xinhua-en-ds_a950c54446a0421f9b94c0b053efdf33.json",
            )
        )
    )
    assert (
        found[0].url == "https://english.news.cn/20260509/3f2a9c7e5b1d4e8fa6c0b2d4e6f8a1c3/c.html"
    )
    assert found[0].meta["discovered"] == {
        "via": "datasource",
        "date": "2026-05-09 10:15:32",
        "title": "China's railways log record passenger trips during May Day holiday",
    }
    assert (
        "https://english.news.cn/africa/20260421/5303a610f63d4845a2eed579c5361e0c/c.html"
        in urls(found)
    )


def test_links_that_look_like_articles_but_match_no_pattern_are_counted_with_examples():
    org = spider(ChinaOrgCnSpider)
    assert listing(org, *DRIFTED_HOME) == []
    stats = org.crawler.stats
    assert stats.get_value("discovery/unmatched_article_like") == 11
    assert "http://www.china.org.cn/2026-08/14/article_118647000.html" in stats.get_value(
        "discovery/unmatched_examples"
    )


def test_capture_unmatched_archives_them_too():
    requests = listing(spider(ChinaOrgCnSpider, capture_unmatched="1"), *DRIFTED_HOME)
    assert len(requests) == 11
    assert {r.meta["discovered"]["via"] for r in requests} == {"unmatched"}


def test_since_and_until_keep_only_entries_in_the_window():
    ecns = spider(EcnsSpider, since="2023-02-04", until="2023-02-04")
    found = urls(ecns.parse_feed(response(XmlResponse, *ECNS_FEED)))
    assert found and all("/2023-02-04/" in u for u in found)
    assert ecns.crawler.stats.get_value("discovery/out_of_window") == 6


def test_limit_caps_the_articles_scheduled():
    ecns = spider(EcnsSpider, limit="3")
    assert len(urls(ecns.parse_feed(response(XmlResponse, *ECNS_FEED)))) == 3


def test_listing_follows_articles_and_the_next_page_only():
    daily = spider(ChinaDailySpider)
    requests = listing(
        daily,
        "https://www.chinadaily.com.cn/china/59b8d010a3108c54ed7dfc30",
        "reconstructed/discovery/chinadaily-listing-national-affairs.html",
    )
    pages = [r.url for r in requests if r.callback == daily.parse_listing]
    assert pages == ["https://www.chinadaily.com.cn/china/59b8d010a3108c54ed7dfc30/page_2.html"]
    articles = [r for r in requests if r.callback == daily.parse_article]
    assert articles[0].url.endswith("WS64b0aaf4a31035260b816a3c.html")


def test_chinanews_scroll_pages_paginate():
    ecns = spider(EcnsSpider)
    requests = listing(
        ecns,
        "https://www.chinanews.com.cn/scroll-news/news1.html",
        "constructed/chinanews-scroll-news-2026.html",
    )
    pages = [r.url for r in requests if r.callback == ecns.parse_listing]
    assert pages == ["https://www.chinanews.com.cn/scroll-news/news2.html"]
    assert "https://www.chinanews.com.cn/gj/2024/05-01/10210211.shtml" in urls(requests)


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
        ValueError, match=r"-a since='2023-13-01' is not a date: expected YYYY-MM-DD"
    ):
        parse_day("2023-13-01", "since")


def test_since_after_until_is_refused():
    with pytest.raises(ValueError, match="is after"):
        spider(EcnsSpider, since="2024-01-02", until="2024-01-01")


def feed(url: str, body: bytes, content_type: str = "application/rss+xml; charset=utf-8"):
    return XmlResponse(
        url=url, body=body, headers={"Content-Type": content_type}, request=Request(url)
    )


def test_a_gbk_feed_labelled_utf8_gives_its_titles():
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss><channel><item>'
        "<title>中国新闻</title>"
        "<link>https://www.ecns.cn/news/politics/2026-09-01/detail-ihaaaaaa1111111.shtml</link>"
        "</item></channel></rss>"
    ).encode("gbk")
    (request,) = spider(EcnsSpider).parse_feed(feed(ECNS_FEED[0], body))
    assert request.meta["discovered"]["title"] == "中国新闻"


def test_an_atom_entry_link_is_resolved_against_its_xml_base():
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        b'xml:base="https://www.ecns.cn/news/"><entry xml:base="politics/">'
        b'<title>T</title><link href="2026-09-01/detail-ihaaaaaa1111111.shtml"/>'
        b"<updated>2026-09-01T10:00:00Z</updated></entry></feed>"
    )
    (request,) = spider(EcnsSpider).parse_feed(feed("https://www.ecns.cn/rss/atom.xml", body))
    assert request.url == (
        "https://www.ecns.cn/news/politics/2026-09-01/detail-ihaaaaaa1111111.shtml"
    )


def test_an_entity_bomb_feed_yields_nothing_and_is_counted():
    laughs = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "' + f"&lol{n - 1 if n > 2 else ''};" * 10 + '">' for n in range(2, 10)
    )
    body = (
        f"<!DOCTYPE lolz [{laughs}]><rss><channel><item><title>&lol9;</title>"
        "<link>https://www.ecns.cn/news/politics/2026-09-01/detail-ihaaaaaa1111111.shtml</link>"
        "</item></channel></rss>"
    ).encode()
    ecns = spider(EcnsSpider)
    assert list(ecns.parse_feed(feed(ECNS_FEED[0], body))) == []
    assert ecns.crawler.stats.get_value("discovery/bad_feed/no_links") == 1
