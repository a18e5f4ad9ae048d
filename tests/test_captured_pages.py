"""Real pages captured from the outlets: each gives the clean result written down, by
reading the page, in tests/expected_captured/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.items import ArticlePage
from pipelines.article import build_article
from tests.conftest import FIXTURES

EXPECTED = sorted((Path(__file__).parent / "expected_captured").glob("*.json"))
FIELDS = (
    "title",
    "language",
    "published",
    "updated",
    "agency",
    "dateline",
    "editor",
    "authors",
    "section",
)


def record_for(expected: dict) -> dict:
    body = (FIXTURES / "captured" / expected["file"]).read_bytes()
    return build_article(
        ArticlePage.single(expected["source"], expected["url"], body, expected["content_type"])
    )


@pytest.fixture(scope="module", params=EXPECTED, ids=lambda p: p.stem[:40])
def case(request):
    expected = json.loads(request.param.read_text())
    return expected, record_for(expected)


def test_captured_page_body_is_exactly_the_article(case):
    expected, record = case
    assert record["paragraphs"] == expected["body"]


def test_captured_page_leaks_no_junk_line(case):
    expected, record = case
    assert [j for j in expected["junk"] if j in record["paragraphs"]] == []


def test_captured_page_metadata(case):
    expected, record = case
    assert {f: record[f] for f in FIELDS} == {f: expected[f] for f in FIELDS}


def test_captured_page_captions(case):
    expected, record = case
    assert [{"text": c["text"], "credit": c["credit"]} for c in record["captions"]] == expected[
        "captions"
    ]


def test_legacy_gbk_page_keeps_its_chinese_paragraphs_whole():
    expected = json.loads(
        (
            EXPECTED[0].parent / "xinhuanet-he-zh-2012-06-04-content_25340717-wayback.json"
        ).read_text()
    )
    record = record_for(expected)
    assert len(record["paragraphs"]) == 6
    assert all(not p.startswith(("\u3000", "\xa0", " ")) for p in record["paragraphs"])
