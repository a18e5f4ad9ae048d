"""The density second opinion (pipelines/density.py) and the layout unwrapping, on real
pages of the zh-dev development set (eval/zh-dev) and trafilatura's benchmark."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from trafilatura.utils import load_html

from pipelines.density import main_block
from pipelines.extract import extract

EVAL = Path(__file__).resolve().parent.parent / "eval"


def zh_page(name: str) -> tuple[str, dict]:
    html = (EVAL / "zh-dev" / f"{name}.html").read_bytes().decode("utf-8")
    return html, json.loads((EVAL / "zh-dev" / f"{name}.expected.json").read_text())


def test_the_densest_block_holds_the_body_not_the_hot_news_ranking():
    html, want = zh_page("163-6")
    block = main_block(load_html(html))
    assert block is not None and block.chinese
    assert all(block.holds(p) for p in want["paragraphs"] if len(p) >= 15)
    assert not block.holds("殴打老师当事人服刑:暴瘦四五十斤 希望以后读MBA")


def test_a_word_or_two_proves_nothing_about_the_block():
    html, _ = zh_page("163-5")
    block = main_block(load_html(html))
    assert block is not None
    assert "推荐" in block.compact
    assert not block.holds("推荐")


def test_scripts_and_styles_are_not_block_text():
    html, _ = zh_page("163-5")
    block = main_block(load_html(html))
    assert block is not None
    assert "text-decoration" not in block.compact
    assert "function(" not in block.compact


def test_hidden_text_is_never_the_body():
    # njxfhn-1 carries 150,000 characters of search keywords in a display:none div.
    html, want = zh_page("njxfhn-1")
    block = main_block(load_html(html))
    assert block is not None
    assert block.holds(want["paragraphs"][0])
    assert len(block.compact) < 2 * sum(len(p) for p in want["paragraphs"])


def test_a_block_after_a_stray_html_end_is_still_found():
    # other-1 (gov.cn) parses into two top-level <html> elements; the body is in the second.
    html, want = zh_page("other-1")
    block = main_block(load_html(html))
    assert block is not None and block.holds(want["paragraphs"][1])


def test_trafilatura_s_wrong_block_is_replaced_by_the_dense_one():
    html, want = zh_page("163-6")
    paragraphs = extract(html, "https://zh-dev.example/163-6").paragraphs
    missed = [p for p in want["paragraphs"] if p not in paragraphs]
    # trafilatura's reading of the block drops one subhead; all else of the body is there.
    assert missed == ["快速赶到现场 排查可疑线索"]
    assert not any("殴打老师" in p for p in paragraphs)


def test_what_trafilatura_appends_after_the_block_is_cut():
    html, want = zh_page("163-1")
    paragraphs = extract(html, "https://zh-dev.example/163-1").paragraphs
    assert paragraphs[-1] == want["paragraphs"][-1]
    assert "目前没有热门跟贴" not in paragraphs


def test_a_page_column_built_as_a_list_item_keeps_its_paragraphs():
    html, want = zh_page("guancha-0")
    paragraphs = extract(html, "https://www.guancha.cn/WangWen/2019_09_07_516891.shtml").paragraphs
    for paragraph in want["paragraphs"]:
        assert paragraph in paragraphs


def test_a_list_of_short_items_with_paragraphs_stays_a_list():
    # A link roll: each <li> holds a title paragraph and a "via" paragraph.
    data = json.loads((EVAL / "trafilatura" / "evaldata.json").read_text())
    url = "https://nurmeinstandpunkt.wordpress.com/2020/01/23/blogposting-01-23-2020/"
    body = gzip.decompress(
        (EVAL / "trafilatura" / "pages" / f"{data[url]['file']}.gz").read_bytes()
    )
    text = "\n".join(extract(body.decode("utf-8"), url).paragraphs)
    for snippet in data[url]["with"]:
        assert snippet in text


def test_english_pages_keep_trafilatura_s_reading():
    html = (
        "<html><body><div><p>" + "Officials said on Monday that the plan, which was "
        "announced last week, would be reviewed. " * 6 + "</p></div>"
        "<div class='related'><p>" + "Another story entirely, with its own sentences, "
        "more of them. " * 3 + "</p></div></body></html>"
    )
    block = main_block(load_html(html))
    assert block is not None and not block.chinese


def test_a_fast_reading_that_keeps_little_of_the_densest_block_is_read_again():
    # trafilatura's fast path keeps only the teaser of this article (none of the three
    # snippets of the benchmark); its fallback comparison keeps the body.
    data = json.loads((EVAL / "trafilatura" / "evaldata.json").read_text())
    url = next(u for u in data if "olympia-2022-zweiter-coronafall" in u)
    body = gzip.decompress(
        (EVAL / "trafilatura" / "pages" / f"{data[url]['file']}.gz").read_bytes()
    )
    text = " ".join(" ".join(extract(body.decode("utf-8"), url).paragraphs).split())
    for snippet in data[url]["with"]:
        assert " ".join(snippet.split()) in text
