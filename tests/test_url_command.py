"""`newsarchive url` on the real 2025-2026 URLs that docs/EVIDENCE.md records: every
outlet's current article shapes are accepted, its listing, feed and topic URLs are not,
and the explanation says which pattern or why not."""

from __future__ import annotations

import json
import subprocess

import pytest

from newsarchive.explain import explain
from newsarchive.urls import article_like, canonical, identity
from tests.conftest import BIN, ROOT

# (source, language, URL) of real article URLs, each quoted in docs/EVIDENCE.md.
REAL_ARTICLES = [
    # CGTN §2: p.html (statevoice 2026-09-26), index.html in 2026 (fanyipigai), US host.
    ("cgtn", "en", "https://news.cgtn.com/news/2026-09-25/Some-headline-words-1Abc2Def3Gh/p.html"),
    (
        "cgtn",
        "en",
        "https://news.cgtn.com/news/2026-02-27/How-China-s-vocational-education-is-"
        "powering-its-next-growth-phase-1L6dIIMwv7i/index.html",
    ),
    ("cgtn", "en", "https://newsus.cgtn.com/news/2026-09-24/A-headline-1Gp9WvRt7Ks/p.html"),
    ("cgtn", "en", "https://newseu.cgtn.com/news/2026-08-01/A-headline-1Gp9WvRt7Ks/p.html"),
    ("cgtn", "en", "https://newsaf.cgtn.com/news/2026-08-01/A-headline-1Gp9WvRt7Ks/p.html"),
    # China Daily §3a (fanyipigai ~2026-09; europe. from a code-index entry).
    (
        "chinadaily",
        "en",
        "https://www.chinadaily.com.cn/a/202609/08/WS6aa01dbae4b06d4aa055cfa9.html",
    ),
    (
        "chinadaily",
        "en",
        "https://global.chinadaily.com.cn/a/202604/01/WS69cd0415a310d6866eb413b0.html",
    ),
    (
        "chinadaily",
        "en",
        "https://europe.chinadaily.com.cn/a/202607/06/WS6a4b0978a310986e2b463ad1.html",
    ),
    (
        "chinadaily",
        "zh",
        "https://cn.chinadaily.com.cn/a/202608/07/WS66b2c1a3a310b35299d2a1f0.html",
    ),
    # Xinhua §4a.
    (
        "xinhua",
        "en",
        "http://english.news.cn/africa/20260421/5303a610f63d4845a2eed579c5361e0c/c.html",
    ),
    ("xinhua", "en", "https://english.news.cn/20260509/3f2a9c7e5b1d4e8fa6c0b2d4e6f8a1c3/c.html"),
    ("xinhua", "zh", "https://www.news.cn/20260916/a0eadcf0797147858e491565bb717620/c.html"),
    ("xinhua", "zh", "https://www.news.cn/milpro/20260915/5f6458f153d94e58a2e0d22264e5252e/c.html"),
    (
        "xinhua",
        "zh",
        "http://www.xinhuanet.com/milpro/20241114/0123456789abcdef0123456789abcdef/c.html",
    ),
    ("xinhua", "zh", "http://www.xinhuanet.com/20240630/0123456789abcdef0123456789abcdef/c.html"),
    (
        "xinhua",
        "zh",
        "http://www3.xinhuanet.com/world/20250126/0123456789abcdef0123456789abcdef/c.html",
    ),
    # ECNS and chinanews §5.
    ("ecns", "en", "https://www.ecns.cn/china/politics/2026-10-03/detail-ihfkteqw7941628.shtml"),
    ("ecns", "en", "https://www.ecns.cn/cns-wire/2026-09-27/detail-ihfkabcd1234567.shtml"),
    ("ecns", "en", "https://www.ecns.cn/2018/05-03/301274.shtml"),
    ("ecns", "zh", "https://www.chinanews.com.cn/gj/2024/05-01/10210211.shtml"),
    ("ecns", "zh", "https://www.chinanews.com.cn/tp/hd2011/2026/09-27/1206069.shtml"),
    ("ecns", "zh", "https://www.chinanews.com.cn/sh/shipin/cns/2026/09-27/news1070333.shtml"),
    # China.org.cn §6: root-level .shtml since 2025, multi-page, and the last old shape.
    ("chinaorgcn", "en", "http://www.china.org.cn/2026-08/14/content_118647000.shtml"),
    ("chinaorgcn", "en", "http://www.china.org.cn/2026-06/07/content_118535073.shtml"),
    ("chinaorgcn", "en", "http://www.china.org.cn/2025-07/18/content_117984485_4.shtml"),
    ("chinaorgcn", "en", "http://www.china.org.cn/business/2025-04/15/content_117826204.htm"),
]

# Entry points, listings and topic pages the evidence names: never articles.
NOT_ARTICLES = [
    "https://www.cgtn.com/subscribe/rss/section/china.xml",
    "https://www.cgtn.com/sitemap_latestnews.xml",
    "https://www.cgtn.com/china",
    "https://www.cgtn.com/world/middle-east",
    "http://www.chinadaily.com.cn/rss/china_rss.xml",
    "https://www.chinadaily.com.cn/china/59b8d010a3108c54ed7dfc30",
    "https://www.chinadaily.com.cn/china/59b8d010a3108c54ed7dfc30/page_2.html",
    "https://china.chinadaily.com.cn/5bd5639ca3101a87ca8ff636",
    "https://english.news.cn/list/latestnews.htm",
    "https://english.news.cn/list/ds_a950c54446a0421f9b94c0b053efdf33.json",
    "https://www.news.cn/milpro/",
    "http://www.news.cn/fortune/index.htm",
    "https://www.ecns.cn/rss/rss.xml",
    "https://www.ecns.cn/news/sci-tech/",
    "https://www.ecns.cn/cns-wire/index_2.shtml",
    "https://www.chinanews.com.cn/rss/scroll-news.xml",
    "https://www.chinanews.com.cn/scroll-news/news1.html",
    "https://www.chinanews.com.cn/scroll-news/2026/0927/news.shtml",
    "http://www.china.org.cn/",
    "http://www.china.org.cn/world/node_7075229.htm",
]


def newsarchive_url(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "newsarchive"), "url", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("source", "language", "url"), REAL_ARTICLES)
def test_real_article_urls_are_articles_of_their_source_and_edition(source, language, url):
    report = explain(url)
    assert (report.source, report.language, report.article) == (source, language, True)
    assert report.pattern


@pytest.mark.parametrize("url", NOT_ARTICLES)
def test_entry_points_listings_and_topics_are_not_articles(url):
    report = explain(url)
    assert report.source is not None
    assert report.article is False


def test_json_output_has_one_object_per_url_with_the_documented_keys():
    result = newsarchive_url(
        "--json",
        "https://news.cgtn.com/news/2026-09-25/A-b-c-d-1Abc2Def3Gh/p.html?UTM_Source=cgtn&UTM_Medium=rss",
        "https://www.bbc.co.uk/news/world",
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {
        "url": "https://news.cgtn.com/news/2026-09-25/A-b-c-d-1Abc2Def3Gh/p.html"
        "?UTM_Source=cgtn&UTM_Medium=rss",
        "canonical": "https://news.cgtn.com/news/2026-09-25/A-b-c-d-1Abc2Def3Gh/p.html",
        "source": "cgtn",
        "language": "en",
        "article": True,
        "pattern": r"^https?://news(us|eu|af)?\.cgtn\.com/news/\d{4}-\d{2}-\d{2}/[^/?#]+"
        r"/(index|p|share_p|share_amp)\.html$",
        "reason": "an article URL",
    }
    assert (second["source"], second["article"]) == (None, False)
    assert "no source profile claims the host www.bbc.co.uk" in second["reason"]


def test_the_text_output_says_why_a_drifted_url_is_not_archived():
    result = newsarchive_url("http://www.china.org.cn/2026-08/15/article_118650001.html")
    assert result.returncode == 0
    assert "not an article: looks like an article" in result.stdout
    assert "discovery/unmatched_article_like" in result.stdout


def test_english_regional_china_daily_hosts_are_not_labelled_chinese():
    assert (
        explain(
            "https://europe.chinadaily.com.cn/a/202607/06/WS6a4b0978a310986e2b463ad1.html"
        ).language
        == "en"
    )


def test_an_english_path_on_a_chinese_xinhua_host_is_english():
    url = "https://www.news.cn/english/20260101/0123456789abcdef0123456789abcdef/c.html"
    assert explain(url).language == "en"


# canonical form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "base", "expected"),
    [
        (
            "https://news.cgtn.com/news/2026-09-25/x-1/p.html?UTM_Source=cgtn&UTM_Medium=rss"
            "&UTM_Campaign=World",
            None,
            "https://news.cgtn.com/news/2026-09-25/x-1/p.html",
        ),
        (
            "//www.chinadaily.com.cn/a/202609/08/WS6aa01dbae4b06d4aa055cfa9.html",
            "https://www.chinadaily.com.cn/world",
            "https://www.chinadaily.com.cn/a/202609/08/WS6aa01dbae4b06d4aa055cfa9.html",
        ),
        (
            "/china/politics/2026-10-03/detail-ihfkteqw7941628.shtml#",
            "https://www.ecns.cn/news/",
            "https://www.ecns.cn/china/politics/2026-10-03/detail-ihfkteqw7941628.shtml",
        ),
        (
            "HTTP://WWW.China.org.cn:80/2026-08/14/content_1.shtml",
            None,
            "http://www.china.org.cn/2026-08/14/content_1.shtml",
        ),
        ("https://www.news.cn/a?spm=x.y&id=3&utm_source=z", None, "https://www.news.cn/a?id=3"),
        ("https://www.news.cn/%7efoo/%2f", None, "https://www.news.cn/~foo/%2F"),
    ],
)
def test_links_are_canonicalised_before_any_pattern(link, base, expected):
    assert canonical(link, base) == expected


def test_http_and_https_spellings_share_one_identity():
    assert identity("http://www.news.cn/x.html") == identity("https://WWW.NEWS.CN/x.html#top")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.china.org.cn/2026-08/15/article_118650001.html", True),
        ("https://news.cgtn.com/news/2026-09-25/New-style-headline-here-1Abc/amp.html", True),
        ("https://www.ecns.cn/news/index_2.shtml", False),
        ("https://www.chinanews.com.cn/scroll-news/2026/0927/news.shtml", False),
        ("https://english.news.cn/list/latestnews.htm", False),
    ],
)
def test_article_like_means_a_date_and_an_id_in_the_path(url, expected):
    assert article_like(url) is expected


def test_urls_can_come_on_standard_input_one_a_line():
    result = subprocess.run(
        [str(BIN / "newsarchive"), "url", "--json", "-"],
        cwd=ROOT,
        input="https://www.ecns.cn/rss/rss.xml\n\nhttp://www.china.org.cn/2026-08/14/content_118647000.shtml\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["source"], r["article"]) for r in found] == [("ecns", False), ("chinaorgcn", True)]
