"""The scoring rules of the extraction development sets (eval/README.md), on small cases."""

from __future__ import annotations

from tests.eval_sets import SnippetScore, ZhScore, date_right, score_zh_page


def test_snippets_are_matched_with_whitespace_folded():
    score = SnippetScore()
    case = {"with": ["main  text here", "missing"], "without": ["Impressum", "menu"]}
    score.add("The main text\n here. Impressum", case, "page")
    assert (score.tp, score.fn, score.fp, score.tn) == (1, 1, 1, 1)
    assert score.failed == []


def test_an_empty_output_is_a_failed_page():
    score = SnippetScore()
    score.add("", {"with": ["a"], "without": []}, "page")
    assert score.failed == ["page"]


WANT = {
    "title": "标题",
    "published": "2019-09-07T13:43:45+08:00",
    "paragraphs": ["第一段。", "第二段。"],
    "optional": ["一、"],
    "junk": ["责任编辑：杨倩"],
    "agency": "",
    "editor": "杨倩",
}


def test_paragraphs_count_once_optional_lines_are_ignored_and_junk_is_named():
    score = ZhScore()
    output = {
        "paragraphs": ["第一段。", "第一段。", "一、", "责任编辑：杨倩_NF4425", "第二 段。"],
        "title": "标题",
        "published": "2019-09-07T13:43:00+08:00",
        "agency": None,
        "editor": "杨倩",
    }
    score_zh_page(score, output, WANT, "page")
    assert (score.right, score.produced, score.expected, score.junk) == (1, 4, 2, 1)
    assert (score.titles, score.dates, score.agency, score.editor) == (1, 1, 1, 1)


def test_a_date_is_right_to_the_minute_or_to_the_day_when_only_a_day_is_expected():
    assert date_right("2019-09-07T05:43:10+00:00", WANT)
    assert not date_right("2019-09-07", WANT)
    assert not date_right("2019-09-07T14:43:00+08:00", WANT)
    assert date_right("2019-09-07T23:59:00+08:00", {"published": "2019-09-07"})
    assert date_right(None, {"published": ""})
    assert date_right("2019-09-08", {"published": "2019-09-07", "published_alt": ["2019-09-08"]})
