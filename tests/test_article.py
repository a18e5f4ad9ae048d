"""The article pipeline on real pages: the seed pages give exactly their expected result."""

from __future__ import annotations

import pytest

from newsarchive.items import ArticlePage
from pipelines.article import article_id, build_article
from pipelines.extract import ExtractionFailed
from tests.conftest import FIXTURES
from tests.pages import SEED_PAGES, seed_expected

# Fields a page states; China Daily's page also carries a publishdate meta (2023-07-14)
# that the seed text does not show, so "published" is checked separately for it.
FIELDS = ("title", "section", "agency", "updated", "dateline", "authors", "editor", "language")


def page(source: str, url: str, path: str, content_type: str = "text/html; charset=utf-8"):
    return ArticlePage.single(source, url, (FIXTURES / path).read_bytes(), content_type)


def expected(seed: str) -> dict:
    return seed_expected(seed)


@pytest.fixture(scope="module")
def records():
    return {seed: build_article(page(*args)) for seed, args in SEED_PAGES.items()}


@pytest.mark.parametrize("seed", sorted(SEED_PAGES))
def test_seed_page_body_is_exactly_the_expected_paragraphs(records, seed):
    assert records[seed]["paragraphs"] == expected(seed)["body"]


@pytest.mark.parametrize("seed", sorted(SEED_PAGES))
def test_seed_page_leaks_no_junk_line(records, seed):
    text = records[seed]["text"]
    leaked = [j for j in expected(seed)["junk"] if j.strip() and j.strip() in text.split("\n\n")]
    assert leaked == []


@pytest.mark.parametrize("seed", sorted(SEED_PAGES))
def test_seed_page_metadata_matches(records, seed):
    want = expected(seed)
    assert {f: records[seed][f] for f in FIELDS} == {f: want[f] for f in FIELDS}


@pytest.mark.parametrize("seed", sorted(SEED_PAGES))
def test_seed_page_captions_leave_the_body_with_their_credit(records, seed):
    got = [{"text": c["text"], "credit": c["credit"]} for c in records[seed]["captions"]]
    assert got == expected(seed)["captions"]


def test_published_is_the_page_date_or_null_never_a_guess(records):
    assert records["000"]["published"] == "2023-07-14"  # China Daily's publishdate meta
    assert records["002"]["published"] == "2023-05-25"
    assert records["003"]["published"] is None  # trafilatura would guess from asset paths
    assert records["004"]["published"] == "2023-02-04T15:13:19+08:00"


def test_cleaning_is_counted_per_rule(records):
    assert records["002"]["removed"] == {"end_mark": 1}
    assert records["003"]["removed"] == {"stray_label": 1}


def test_id_is_stable_across_scheme_and_host_case():
    assert article_id("http://WWW.ECNS.cn/a.shtml") == article_id("https://www.ecns.cn/a.shtml")


def test_gb2312_legacy_page_gives_chinese_text():
    record = build_article(
        page(
            "xinhua",
            "http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm",
            "captured/xinhua/xinhuanet-chinaneast-zh-legacy-gb2312-article.html",
            "text/html; charset=gb2312",
        )
    )
    assert record["language"] == "zh"
    assert record["encoding"] == "gb18030"
    assert "李金泽" in record["text"]


def test_an_empty_page_fails_with_a_named_reason():
    empty = page("ecns", "https://www.ecns.cn/x.shtml", "reconstructed/ecns-004.html")
    empty.pages[0].body = b""
    with pytest.raises(ExtractionFailed) as err:
        build_article(empty)
    assert err.value.reason == "empty_page"
