"""Pages that used to lose their article: an impossible date in the markup, a charset
declaration that lies, a right-to-left override in the title, an article hundreds of
elements deep. Each is a real ECNS article page with one thing made hostile."""

from __future__ import annotations

import re

import pytest

from newsarchive.decode import decode_html
from newsarchive.items import ArticlePage
from pipelines.article import build_article
from tests.conftest import ROOT

URL = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"
PAGE = (ROOT / "tests/replay/fixtures/reconstructed/ecns-004.html").read_bytes()
TITLE = "China, Russia to strengthen cooperation in international affairs"


def article(body: bytes, content_type: str = "text/html; charset=utf-8"):
    return build_article(ArticlePage.single("ecns", URL, body, content_type))


GOOD = article(PAGE)


@pytest.mark.parametrize(
    "value",
    ["2023-02-04T25:61:00+08:00", "2023-02-04T10:00:00+99:00", "2023-02-04T10:00:00+24:00"],
)
def test_an_impossible_date_in_the_markup_costs_the_date_not_the_article(value):
    undated = re.sub(rb'<meta name="publishdate" content="[^"]*" />', b"", PAGE)
    undated = undated.replace(b"2023-02-04 15:13:19", b"")
    meta = f'<meta property="article:published_time" content="{value}" />'.encode()
    record = article(undated.replace(b"</head>", meta + b"</head>"))
    assert record["paragraphs"] == GOOD["paragraphs"]
    assert record["published"] is None
    assert record["impossible_dates"] == ["article:published_time"]


@pytest.mark.parametrize("label", ["utf-16", "utf-7", "UTF-16LE"])
def test_a_charset_no_page_can_have_is_not_believed(label):
    lying = PAGE.replace(b'charset="utf-8"', f'charset="{label}"'.encode())
    lying = lying.replace(b"charset=utf-8", f"charset={label}".encode())
    assert decode_html(lying, "text/html")[1] == "utf-8"
    assert (article(lying, "text/html")["title"], article(lying, "text/html")["paragraphs"]) == (
        TITLE,
        GOOD["paragraphs"],
    )


def test_a_right_to_left_override_in_the_title_keeps_the_headline_out_of_the_body():
    hostile = PAGE.replace(b"<title>", "<title>\u202e".encode()).replace(
        b'id="contitle">', 'id="contitle">\u202e'.encode()
    )
    record = article(hostile)
    assert (record["title"], record["paragraphs"]) == (TITLE, GOOD["paragraphs"])


@pytest.mark.parametrize("depth", [300, 100_000])
def test_an_article_hundreds_of_wrappers_deep_is_found(depth):
    start = PAGE.index(b">", PAGE.index(b"<body")) + 1
    end = PAGE.rindex(b"</body>")
    deep = PAGE[:start] + b"<div>" * depth + PAGE[start:end] + b"</div>" * depth + PAGE[end:]
    assert article(deep)["paragraphs"] == GOOD["paragraphs"]
