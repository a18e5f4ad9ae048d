"""Cleaning rules for conventions common to Chinese pages: each one named, each line it
removes counted, captions moved out of the body with their credit, prose left alone."""

from __future__ import annotations

import pytest

from pipelines.clean import clean


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("本文仅代表作者个人观点。", "disclaimer"),
        ("网友评论仅供其表达个人看法，并不表明网易立场。", "disclaimer"),
        ("本文为原创文章，未经允许不得转载", "disclaimer"),
        ("（原标题：5G手机芯片江湖：玩家减少、五强争霸）", "original_title"),
        ("图片来源：摄图网", "image_credit"),
        ("校对|黄慧敏", "credit_line"),
        ("责编|陈梦莹", "editor_line"),
        ("更多猛料！欢迎扫描左方二维码关注新浪新闻官方微信", "app_promo"),
        ("微信扫一扫", "share_bar"),
        ("为您推荐", "rail_heading"),
        ("您所在的位置：", "breadcrumb"),
        ("- 原标题：苹果回应“违反中国劳动法”：大多数指控错误", "original_title"),
        ("- 责任编辑: 刘响", "editor_line"),
        ("责任编辑：", "editor_line"),
        ("本文来源：每日经济新闻", "source_line"),
        ("（资料来源：参考消息、海外网等）", "source_line"),
        ("采写：南都见习记者 林子沛", "author_line"),
        ("(综合整理自澎湃新闻、智东西、雷锋网等)", "credit_line"),
        ("声明：证券时报力求信息真实、准确，文章提及内容仅供参考。", "disclaimer"),
        ("- 请支持独立网站，转发请注明本文链接：https://www.example.cn/a.shtml", "disclaimer"),
        ("信息来源于网络", "disclaimer"),
        ("1、回复【公租房】查看最新消息", "app_promo"),
        ("看都看完了，点【在看】试试", "app_promo"),
        ("点击菜单栏【便民服务】解锁更多服务！", "app_promo"),
        ("相关资讯请关注:逆水寒专区", "see_also"),
        ("快讯 >", "breadcrumb"),
        ("编辑 刘晓阳 校对 李铭", "credits_line"),
        ("医技药剂党支部、药剂科供稿 摄影/张艳 编辑/苏芳", "credits_line"),
    ],
)
def test_furniture_lines_leave_the_body_under_their_rule(line, rule):
    result = clean(["第一段正文。", line, "第二段正文。"])
    assert result.paragraphs == ["第一段正文。", "第二段正文。"]
    assert result.removed == {rule: 1}


@pytest.mark.parametrize(
    ("line", "text", "credit"),
    [
        ("图为山西品牌丝路行启动仪式。（刘通摄）", "图为山西品牌丝路行启动仪式。", "刘通摄"),
        ("雨游黄鹤楼照样开心。城市摄影队 周斌 摄", "雨游黄鹤楼照样开心。", "城市摄影队周斌摄"),
        (
            "10月4日，旅游专列开往襄阳。 通讯员刘娟 摄",
            "10月4日，旅游专列开往襄阳。",
            "通讯员刘娟摄",
        ),
        (
            "小花母亲说，女儿的左眼被塞了纸片。 小花母亲供图",
            "小花母亲说，女儿的左眼被塞了纸片。",
            "小花母亲供图",
        ),
    ],
)
def test_chinese_photo_credits_make_captions(line, text, credit):
    result = clean(["第一段正文。", line])
    assert result.paragraphs == ["第一段正文。"]
    assert [(c["text"], c["credit"]) for c in result.captions] == [(text, credit)]


def test_a_list_item_keeps_its_text_without_the_bullet():
    assert clean(["第一段正文。", "- 第一项内容。"]).paragraphs == ["第一段正文。", "第一项内容。"]


def test_prose_that_ends_in_a_verb_of_photography_stays():
    line = "摄影爱好者们说，明天还要再去拍摄。"
    assert clean([line]).paragraphs == [line]


@pytest.mark.parametrize(
    "line",
    [
        # Prose that names two credits is still prose: it has sentence punctuation.
        "记者从市公安局获悉，该局编辑出版的手册已发到通讯员手中。",
        # A sentence that ends in ">" is not a breadcrumb.
        "数据显示，增长率>5",
        "信息来源于网络和多家媒体的报道，经记者核实。",
    ],
)
def test_prose_resembling_the_new_rules_stays(line):
    assert clean([line]).paragraphs == [line]
