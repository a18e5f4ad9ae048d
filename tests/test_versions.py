"""Which version of an article a fresh extraction is: the recrawl policy's call
(newsarchive.state.next_version), not the extraction's."""

from __future__ import annotations

from newsarchive.items import ArticlePage
from newsarchive.state import next_version
from pipelines.article import build_article
from tests.conftest import FIXTURES

SHA_A = "a" * 64
SHA_B = "b" * 64


def test_an_article_the_archive_does_not_hold_is_version_1():
    assert next_version(None, SHA_A) == (1, None)


def test_an_article_known_only_as_deleted_or_unextracted_is_version_1():
    assert next_version({"version": 0, "content_sha256": None}, SHA_A) == (1, None)


def test_changed_clean_text_is_the_next_version_replacing_the_last():
    assert next_version({"version": 2, "content_sha256": SHA_A}, SHA_B) == (3, SHA_A)


def test_the_same_clean_text_is_no_new_version():
    assert next_version({"version": 2, "content_sha256": SHA_A}, SHA_A) is None


def test_the_extraction_gives_a_first_version_whatever_the_state_knew():
    page = ArticlePage.single(
        "ecns",
        "https://www.ecns.cn/news/2024-05-24/detail-ihcvafmp5536128.shtml",
        (FIXTURES / "reconstructed" / "ecns-004.html").read_bytes(),
    )
    page.known = {"version": 4, "content_sha256": SHA_A}
    record = build_article(page)
    assert (record["version"], record["previous_sha256"]) == (1, None)
