"""Normalization: dates as the outlets print them (ISO 8601, Beijing time where the page
gives a time and no zone), and the headline chosen by agreement among title sources."""

import pytest

from pipelines.extract import PageLines
from pipelines.normalize import (
    credited_editor,
    dated_line,
    header_facts,
    headline,
    labelled_published,
    parse_datetime,
    printed_part,
    yearless_published,
)


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


# The lines below are as the zh-dev pages print them (eval/zh-dev, named per test).


def test_a_date_printed_in_parts_is_read_as_one():
    # qq-0: the year, the day and the time in three elements of a date badge.
    lines = ["2019", "09 / 07", "19 : 02", "扬眼", "企鹅号", "分享"]
    assert header_facts(lines) == {"published": "2019-09-07T19:02:00+08:00"}


def test_the_neighbouring_article_s_date_is_not_the_article_s():
    # mingridapan-1: "上一篇 :" over the previous article's headline, with its date.
    lines = [
        "上一篇 :",
        "今日股市行情分析--2019年8月19日",
        "下一篇 :",
        "没有了",
        "当前位置： 主页 >",
    ]
    assert header_facts(lines) == {}


def test_a_label_over_its_date_under_the_headline():
    # mingridapan-1: the lines under the headline, nearest first.
    lines = ["发布时间：", "2019-09-26 10:09:11", "\ue60e 4"]
    assert header_facts(lines, below=True) == {"published": "2019-09-26T10:09:11+08:00"}


def test_a_publication_label_under_the_body():
    # cjddsb-1 prints its date after the article, before the category links.
    lines = ["赞 0", "分享", "发布日期：2019-09-23 14:34:05 所属分类： 要闻"]
    assert labelled_published(lines) == "2019-09-23T14:34:05+08:00"


def test_a_date_under_the_body_without_a_label_is_not_taken():
    assert labelled_published(["相关新闻", "金融知识进万家 2019-09-20 10:00"]) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间：10-08 12:00 优质原创作者", "2019-10-08T12:00:00+08:00"),  # baijiahao-1
        ("发布时间：19-10-08 12:00", "2019-10-08T12:00:00+08:00"),  # baijiahao-3's form
    ],
)
def test_a_yearless_date_takes_its_year_from_the_page_s_meta_of_that_day(line, expected):
    assert yearless_published([line], ["2019-10-08 12:00:57"]) == expected


def test_a_yearless_date_with_no_meta_of_that_day_stays_unknown():
    assert yearless_published(["发布时间：10-08 12:00"], ["2019-10-09 08:00:00"]) is None


@pytest.mark.parametrize(
    ("title", "printed", "expected"),
    [
        # zsnews-1: the issuing office joined on with a space, then the site.
        (
            "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作 东区办事处_中山网",
            {"顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作", "东区办事处"},
            "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作",
        ),
        # mingridapan-1: a column name before the headline.
        (
            "明日股市预测--最新出炉联合国贸发报告：2019年全球经济增长率降至2.3%",
            {"最新出炉联合国贸发报告：2019年全球经济增长率降至2.3%"},
            "最新出炉联合国贸发报告：2019年全球经济增长率降至2.3%",
        ),
        # A printed line that stops mid-phrase is not the headline.
        ("Officials review the harbour plan", {"Officials review the har"}, None),
        # Nor is a short one (a nav link that starts the title).
        ("新闻动态--中国地理学会官网", {"新闻动态"}, None),
    ],
)
def test_the_part_of_the_title_the_page_prints(title, printed, expected):
    assert printed_part(title, printed) == expected


def test_the_editor_on_a_line_of_credits():
    # zyyfy-1's closing line.
    assert credited_editor("医技药剂党支部、药剂科供稿 摄影/张艳 编辑/苏芳") == "苏芳"


def test_a_source_ends_where_the_next_label_begins():
    # stcn-1 prints date, source and author run together.
    assert header_facts(["2019-09-26 12:11来源：证券时报网作者：李在山"]) == {
        "published": "2019-09-26T12:11:00+08:00",
        "source": "证券时报网",
    }
