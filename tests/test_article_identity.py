"""Which URL an article is identified by (pipelines.normalize.identity_url): the page's
declared canonical only when it is consistent, else the fetched URL; every spelling of
one URL gives one id."""

from __future__ import annotations

import pytest

from newsarchive import profiles
from pipelines.article import article_id
from pipelines.normalize import identity_url

ECNS = profiles.load("ecns")
PAGE = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"
OTHER = "https://www.ecns.cn/news/society/2023-02-05/detail-ihcfzaaa1111111.shtml"


@pytest.mark.parametrize(
    ("declared", "why"),
    [
        ("https://www.ecns.cn/", "the home page"),
        ("https://www.ecns.cn/news/politics/index_2.shtml", "a listing page"),
        ("https://www.ecns.cn/news/politics/", "a section, not an article URL"),
        ("https://evil.example/news/politics/2023-02-04/detail-x.shtml", "another site"),
        ("javascript:void(0)", "not a web URL"),
    ],
)
def test_an_inconsistent_declared_canonical_is_recorded_not_trusted(declared, why):
    identity = identity_url(PAGE, declared, ECNS)
    assert (identity.url, identity.trusted) == (PAGE, False), why
    assert identity.declared == (None if declared.startswith("javascript") else declared)


def test_three_pages_declaring_the_home_page_keep_three_ids():
    pages = [PAGE, OTHER, OTHER.replace("1111111", "2222222")]
    ids = {article_id(identity_url(p, "https://www.ecns.cn/", ECNS).url) for p in pages}
    assert len(ids) == 3


def test_a_consistent_declared_canonical_identifies_the_article():
    mirror = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml?from=app"
    identity = identity_url(mirror, OTHER, ECNS)
    assert (identity.url, identity.trusted) == (OTHER, True)


def test_without_a_profile_only_the_fetched_url_counts():
    assert identity_url(PAGE, OTHER, None).url == PAGE


@pytest.mark.parametrize(
    "spelling",
    [
        "http://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml",
        "https://WWW.ECNS.CN/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml",
        "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml?utm_source=x",
        "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt873169%34.shtml",
        "https://www.ecns.cn:443/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml#top",
    ],
)
def test_every_spelling_of_one_url_gives_one_id(spelling):
    assert article_id(identity_url(spelling, None, ECNS).url) == article_id(PAGE)


def test_a_page_given_with_a_url_that_is_not_a_web_url_keeps_it():
    """`newsarchive extract --url` and the evaluation sets take what they are given."""
    assert (
        identity_url("xhttps://www.example.org/a", None, None).url == "xhttps://www.example.org/a"
    )
