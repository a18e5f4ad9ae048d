"""Normalization: dates as the outlets print them (ISO 8601, Beijing time where the page
gives a time and no zone), and the headline chosen by agreement among title sources."""

import pytest

from pipelines.extract import PageLines
from pipelines.normalize import dated_line, headline, parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # China Daily's publishdate meta in Buddhist-era years (docs/EVIDENCE.md §3a).
        ("2569-05-17", "2026-05-17"),
        ("2569-05-17 20:43", "2026-05-17T20:43:00+08:00"),
        # CGTN's div.news-section-date (cn_cgtn.py, docs/EVIDENCE.md §2a).
        ("World 12:34, 25-Sep-2026", "2026-09-25T12:34:00+08:00"),
        # ECNS div.downinfo first span (the 2026 captured page).
        ("2026-10-03 09:34:32", "2026-10-03T09:34:32+08:00"),
        ("2019年09月08日 00:20", "2019-09-08T00:20:00+08:00"),
        ("Updated: 2026-05-17 20:43", "2026-05-17T20:43:00+08:00"),
    ],
)
def test_dates_in_the_forms_the_outlets_print(text, expected):
    assert parse_datetime(text) == expected


def test_a_day_only_date_stays_a_day():
    assert parse_datetime("2026-08-14") == "2026-08-14"


# headlines ------------------------------------------------------------------------------


def test_the_heading_that_the_title_tag_agrees_with_is_the_headline():
    headings = ["新华网", "外媒眼中的武汉长假：蓬勃发展，欢声笑语"]
    title = "外媒眼中的武汉长假：蓬勃发展，欢声笑语_首页武汉_新闻中心_长江网"
    assert headline(headings, [None, title]) == "外媒眼中的武汉长假：蓬勃发展，欢声笑语"


def test_a_title_cut_short_at_a_quote_gives_way_to_the_whole_heading():
    heading = '多地项目连环爆雷 狂奔的龙湖集团"暗伤"曝露？'
    assert headline([heading], ["多地项目连环爆雷 狂奔的龙湖集团"]) == heading


def test_a_label_before_the_heading_is_not_part_of_the_headline():
    title = "最不愁吃肉的国家：顿顿有肉吃，却要靠中国运输蔬菜水果"
    assert headline(["原创" + title], [title]) == title


def test_a_logo_heading_never_wins_and_no_agreement_gives_none():
    assert (
        headline(["China Daily"], ["Senior CPC official meets Russian guests - China Daily"])
        is None
    )
    assert headline(["Weather"], ["Markets rally"]) is None


# dates near the headline ------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "dated"),
    [
        ("2019-08-13 14:07来源：澎湃新闻·澎湃号·政务", True),
        ("| 发布时间: 2018-05-17 | 浏览次数: 2168", True),
        ("原创 GameForce 2019-09-04 22:18:34", True),
        ("2018年3月20日，第十三届全国人大一次会议表决通过了《中华人民共和国监察法》。", False),
        ("2019-05-17", False),
    ],
)
def test_a_date_line_states_the_date_and_is_no_sentence(line, dated):
    assert dated_line(line) is dated


def test_the_lines_under_the_headline_are_found_whatever_the_spacing():
    lines = ["首页", "中华人民共和国 监察法", "来源:", "| 发布时间: 2018-05-17 |", "正文"]
    assert PageLines.from_lines(lines).under("中华人民共和国监察法", limit=2) == [
        "来源:",
        "| 发布时间: 2018-05-17 |",
    ]
