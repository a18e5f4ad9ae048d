"""The standfirst (pipelines/standfirst.py) and cross-reference lines
(pipelines/furniture.py): real pages of trafilatura's benchmark (eval/trafilatura), and
small pages that state one rule each."""

from __future__ import annotations

import gzip
from pathlib import Path

import lxml.html

from newsarchive.items import ArticlePage
from pipelines.article import build_article
from pipelines.extract import extract
from pipelines.furniture import remove_furniture

PAGES = Path(__file__).resolve().parent.parent / "eval" / "trafilatura" / "pages"
BODY = "".join(
    f"<p>Paragraph {n} of the report, a sentence long enough to be read as prose by any "
    f"extractor, with its facts, its figures and its quotes in the usual order.</p>"
    for n in range(1, 7)
)
LEAD = "A summary of the story in one sentence, as the page prints it under the headline."


def benchmark_record(name: str, url: str) -> dict:
    body = gzip.decompress((PAGES / f"{name}.html.gz").read_bytes())
    return dict(build_article(ArticlePage.single("", url, body)))


def page(header: str, after: str = "") -> str:
    return (
        "<html><head><title>Site</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<header><h1>The headline of the story</h1>{header}<p>By A. Writer</p></header>"
        f"<article>{BODY}</article>{after}<footer>Contact</footer></body></html>"
    )


def test_the_guardians_standfirst_opens_the_body():
    record = benchmark_record(
        "theguardian.com.academics",
        "https://www.theguardian.com/education/2020/jan/20/"
        "thousands-of-uk-academics-treated-as-second-class-citizens",
    )
    lead = (
        "Report claims higher education institutions have created pool of low-paid staff "
        "for teaching and research"
    )
    assert record["standfirst"] == [lead]
    assert record["paragraphs"][:2] == [
        lead,
        "Thousands of academic staff at British universities are being treated as "
        "second-class citizens on precarious contracts, says a report highlighting the "
        "“alarming rise of mass casualised labour” in higher education.",
    ]
    assert record["text"].startswith(lead + "\n\n")


def test_a_marked_summary_between_headline_and_body_is_the_standfirst():
    extraction = extract(page(f"<p class='article-lead'>{LEAD}</p>"), "https://example.org/a")
    assert extraction.standfirst == [LEAD]
    assert extraction.paragraphs[0].startswith("Paragraph 1 ")


def test_a_teaser_below_the_body_is_not_the_standfirst():
    rail = f"<div class='teaser'><p>{LEAD}</p></div>"
    extraction = extract(page("", after=rail), "https://example.org/a")
    assert extraction.standfirst == []


def test_a_teaser_above_the_headline_is_not_the_standfirst():
    html = page("").replace("<header>", f"<header><div class='teaser-text'>{LEAD}</div>")
    assert extract(html, "https://example.org/a").standfirst == []


def test_a_standfirst_the_body_already_holds_is_not_repeated():
    html = page(f"<p class='lead'>{LEAD}</p>").replace("<article>", f"<article><p>{LEAD}</p>")
    extraction = extract(html, "https://example.org/a")
    assert extraction.standfirst == []
    assert extraction.paragraphs.count(LEAD) == 1


def test_a_short_marked_line_is_a_label_not_a_standfirst():
    extraction = extract(page("<p class='intro'>von Redaktion</p>"), "https://example.org/a")
    assert extraction.standfirst == []


def test_a_caption_inside_the_marked_block_is_not_standfirst():
    figure = (
        "<figure><img src='a.jpg'><figcaption>A picture of the scene, as the photographer "
        "saw it on the morning of the event.</figcaption></figure>"
    )
    extraction = extract(
        page(f"<div class='lead'><p>{LEAD}</p>{figure}</div>"), "https://example.org/a"
    )
    assert extraction.standfirst == [LEAD]


def test_cross_references_in_the_body_are_not_article_text():
    record = benchmark_record("100noticias.com-millones", "https://100noticias.com.ni/a")
    assert not any(p.startswith(("Lea también:", "Lea más:", "Lea:")) for p in record["paragraphs"])
    assert record["paragraphs"][0].startswith("(EFE).- Nicaragua cerró 2021 con una deuda")


def removed_paragraphs(body: str) -> list[str]:
    tree = lxml.html.fromstring(f"<html><body>{body}</body></html>")
    before = [p.text_content() for p in tree.iter("p")]
    remove_furniture(tree)
    after = [p.text_content() for p in tree.iter("p")]
    return [p for p in before if p not in after]


def test_a_label_and_one_link_is_a_cross_reference():
    line = "<p><strong>Read also: <a href='/b'>The other story of the day</a></strong></p>"
    assert removed_paragraphs(line) == ["Read also: The other story of the day"]


def test_a_sentence_with_a_link_is_not_a_cross_reference():
    line = "<p>The minister said on Monday that <a href='/b'>the plan</a> would go ahead.</p>"
    assert removed_paragraphs(line) == []


def test_a_contact_address_is_not_a_cross_reference():
    assert removed_paragraphs("<p>E-Mail: <a href='mailto:a@b.org'>a@b.org</a></p>") == []


def test_a_link_without_a_label_is_left_to_the_extractor():
    assert removed_paragraphs("<p>» <a href='/more'>Ansehen</a></p>") == []
    assert removed_paragraphs("<p><a href='/b'>The other story of the day</a></p>") == []


def test_a_class_word_that_only_contains_date_does_not_silence_the_standfirst():
    html = page(f"<div class='article-update'><p class='lead'>{LEAD}</p></div>")
    assert extract(html, "https://example.org/a").standfirst == [LEAD]


def test_a_date_inside_the_marked_block_is_not_standfirst():
    date = "<span class='date-published'>1 December 2026, 09:30 Beijing time, updated</span>"
    html = page(f"<div class='intro'><p>{LEAD}</p>{date}</div>")
    assert extract(html, "https://example.org/a").standfirst == [LEAD]
