"""Clean: remove what trafilatura lets through, by named rules, and count each removal.

Every rule has a name; the article record carries ``removed: {rule: count}`` so that a
researcher can audit exactly what cleaning did to each text. Generic rules hold for any
news site in English or Chinese; a source profile adds its own phrases (``junk:``).
Captions leave the body for ``captions``, with their credit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from newsarchive.profiles import Profile


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


# Whole paragraphs that are page furniture, never article text. Patterns are anchored
# or specific enough that a sentence of reporting cannot match them.
LINE_RULES: dict[str, re.Pattern[str]] = {
    "cookie_banner": _rx(
        r"\b(uses?|using) (of )?cookies\b.*\b(agree|consent|accept|opt-out|settings|browser)",
        r"\bcookies? (policy|settings|notice|consent)\b.{0,40}$",
        r"^privacy (&|and) cookies policy$",
    ),
    "copyright": _rx(
        r"^copyright\b",
        r"^©",
        r"all rights reserved\.?$",
        r"^版权所有",
        r"reproduction in whole or in part",
        r"shall not be republished or used in any form",
    ),
    "licence": _rx(
        r"ICP[备證证]",
        r"公网安备|公網安備",
        r"许可证|許可證",
        r"^registration number\s*:",
        r"^license for publishing",
        r"^licen[cs]e (number|no\.?)\b",
    ),
    "hotline": _rx(r"report(ing)? hotline", r"举报(电话|邮箱)"),
    "share_bar": _rx(
        r"^(share|print|e-?mail|bookmark( and share)?|tweet|line|wechat|weibo)"
        r"(\s*(\||/)?\s*(share|print|e-?mail|bookmark( and share)?|tweet|line|wechat|weibo))*$",
        r"^adjust font size:?$",
        r"^text:\s*a+\s*print$",
        r"^font size:?",
        r"^【?(字号|打印|关闭)",
        r"^back to (the )?top\b",
        r"^(微信)?扫一扫",
        r"^(分享到|分享至)",
    ),
    "app_promo": _rx(
        r"\bapp download$",
        r"^follow .{2,40} on (twitter|facebook|x|weibo)",
        r"^(download|get) (the|our) .{0,30}app\b",
        r"(扫描|长按|识别).{0,12}二维码",
        r"^关注(该|本)?公众号",
        # Official-account menus and prompts: "回复【社保】查询…", "点【在看】", "点击菜单栏…".
        r"回复【[^】]{1,10}】",
        r"点.{0,3}【?在看】?试试",
        r"^点击.{0,12}(菜单|阅读原文|在看|关注)",
    ),
    # The publisher's words about the article, not the article: views disclaimers and
    # reprint notices.
    "disclaimer": _rx(
        r"仅代表作者(个人)?(观点|立场)",
        r"(并不|不)(代表|表明).{0,12}(观点|立场)",
        r"(未经|未经过)(允许|授权|许可).{0,8}(不得|禁止)转载",
        r"^转载请注明",
        r"转发请注明.{0,10}(链接|出处)",
        r"^(免责)?声明\s*[:：]",
        r"^(信息|图片|内容|文章|素材)?来源于?(网络|互联网)\s*$",
    ),
    "comments": _rx(
        r"^\d+ comment\(?s?\)?",
        r"^(leave|add|post) (a |your )?comments?",
        r"^no comments\.?$",
        r"^go to forum",
        r"save my name, email",
        r"akismet",
        r"comments may be removed by the moderator",
        r"^•?\s*(user name|your comment|enter the words you see)",
    ),
    "rail_heading": _rx(
        r"^(you may also like|most popular( in \d+h)?|related (stories|news|articles)|top news|"
        r"more from|editor'?s picks?|recommended|trending|read more)\s*:?$",
        r"^more\s*(photo|video|top news|news)?$",
        r"^global edition$",
        r"^sitemap$",
        r"^(为您推荐|推荐(新闻|阅读)|相关(新闻|阅读|文章|资讯)|热门推荐|猜你喜欢|小编最近文章|"
        r"延伸阅读|更多精彩)\s*[:：]?$",
    ),
    # Rails list headlines cut short with an ellipsis; reporting does not end that way.
    "teaser": _rx(r"^.{1,100}(\.\.\.|…)$"),
    "see_also": _rx(
        r"^(see also|related|read also|also read)\b\s*:?\s+\S",
        r"^相关(资讯|新闻|阅读|报道|链接)\s*(请关注)?\s*[:：]",
    ),
    "stray_label": _rx(r"^title\s*:\s+\S"),
    # The headline before an outlet re-titled a story; the title field has the headline.
    "original_title": _rx(r"^[（(]?\s*原标题\s*[:：]"),
    "image_credit": _rx(r"^(图片来源|图源|题图来源)\s*[:：|]"),
    # Production credits other than the editor: proofreading, review, producers.
    "credit_line": _rx(
        r"^(校对|审核|审校|监制|出品|策划|排版|美编)\s*[:：|｜]", r"^[（(]?\s*(综合)?整理自"
    ),
    "seo_spam": _rx(r"主站蜘蛛池", r"^(?:[\u4e00-\u9fff]{2,8}\s*\|\s*){5,}"),
    "breadcrumb": _rx(
        r"^[|｜\s]*(当前位置|您的位置|您现在的位置|您所在的位置|位置)\s*[:：]",
        r"^(home|首页)\s*(\||»|>|/|｜)\s*\S",
        # One crumb a line: "首页 >", "快讯 >".
        r"^[^。，！？.,]{1,10}\s*[>»]$",
    ),
    "nav_footer": _rx(
        r"^(about us|contact us|jobs|privacy policy)(\s*\|\s*\w[\w ]*){2,}", r"^send your stories"
    ),
}

_CREDIT = "责任编辑|责编|编辑|校对|审核|审校|监制|摄影|摄像|供稿|制图|记者|通讯员"
# Lines that state facts about the article (who edited, wrote, supplied it). They leave
# the body like junk, but are handed to normalize, which reads the facts out of them.
METADATA_RULES: dict[str, re.Pattern[str]] = {
    "editor_line": re.compile(
        r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|editor)\s*[:：|｜]\s*[^。！？]{0,40}?[）)】\]]?$",
        re.I,
    ),
    "source_line": re.compile(
        r"^[（(【\[]?\s*(?:稿件来源|本文来源|资料来源|信息来源|来源|source)\s*[:：|｜]\s*"
        r"[^。！？]{1,40}?[）)】\]]?$",
        re.I,
    ),
    "author_line": re.compile(
        r"^[（(【\[]?\s*(?:作者|文|采写|撰文|原创)\s*[:：/]\s*[^。！？]{1,40}?[）)】\]]?$"
    ),
    # Several production credits on one line, without sentence punctuation:
    # "编辑 刘晓阳 校对 李铭", "…供稿 摄影/张艳 编辑/苏芳".
    "credits_line": re.compile(rf"^(?=(?:.*?(?:{_CREDIT})){{2}})[^。！？，,]{{4,60}}$"),
    "reporter_line": re.compile(
        r"^(?:[\u4e00-\u9fffA-Za-z]{0,12}\s*)?(?:记者|通讯员)\s*[:：]?\s*"
        r"[\u4e00-\u9fff]{2,4}(?:[\s、，,]+(?:记者\s*)?[\u4e00-\u9fff]{2,4})*\s*$"
    ),
}
# A line that opens the site's legal footer: it and everything after it go.
FOOTER_START = re.compile(r"(版权与免责声明|免责声明\s*[:：]|^disclaimer\s*:)", re.I)
_BULLET = re.compile(r"^-\s+(?=\S)")
LINK_LIST = re.compile(r"^[·•]\s*\S.{0,60}$")

END_MARKS = re.compile(r"\s*(?:\(?\bEnditem\b\)?|\(End\)|（完）|\[完\])\s*$")
# Photo credits in the forms the outlets use: "[Photo/Xinhua]", "/CFP", "(新华社记者 X 摄)".
CAPTION_CREDIT = re.compile(
    r"^(?P<text>.+?)\s*(?:"
    r"\[(?P<c1>(?:photos?|video|provided|file photo)(?:\s*/\s*[^\]]+)?)\]"
    r"|\((?P<c2>photo(?:s)?\s*/\s*[^)]+)\)"
    r"|/\s*(?P<c3>(?:CFP|Xinhua|VCG|IC|CNS|AFP|Reuters|AP|CGTN|China Daily|Getty Images|EPA)"
    r"(?:\s+(?:Photo|Photos|Video))?|[A-Z][\w.-]*(?:\s[A-Z][\w.-]*){0,2}\s+(?:Photo|Photos))"
    r"|[（(]?(?P<c4>新华社(?:记者|发)?\s*[\u4e00-\u9fff· ]{0,20}\s*摄)[）)]?"
    # Chinese credits: "（刘通摄）", "…城市摄影队 周斌 摄", "…通讯员刘娟 摄", "… 小花母亲供图".
    # A name must stand apart (brackets, a space, a 记者/通讯员 label): "去拍摄" is prose.
    r"|[（(](?P<c5>[^（）()]{2,20}摄)[）)]"
    r"|(?P<c6>(?:(?<=[\s。！？，])[\u4e00-\u9fff]{0,10}(?:摄影|摄影队|摄影师)\s*|(?<=\s))"
    r"[\u4e00-\u9fff·]{2,4}\s+摄)"
    r"|(?P<c7>[\u4e00-\u9fff]{0,10}(?:记者|通讯员)\s*[\u4e00-\u9fff·]{2,4}\s*摄)"
    r"|(?<=\s)(?P<c8>[\u4e00-\u9fff]{2,8}供图)"
    r")\s*$",
    re.I,
)


# A caption credit ends the line with one of these (the alternatives of CAPTION_CREDIT):
# a line that does not is not matched against the whole pattern, whose lazy text group
# tries every split of the line.
_CREDIT_END = re.compile(
    r"(?:[\])）]|摄|供图|CFP|Xinhua|VCG|IC|CNS|AFP|Reuters|AP|CGTN|China Daily|Getty Images|"
    r"EPA|Photos?|Video)\s*$",
    re.I,
)


def _caption_credit(line: str) -> re.Match[str] | None:
    # The longest ending is 12 characters ("Getty Images"): its last 16 tell.
    return CAPTION_CREDIT.match(line) if _CREDIT_END.search(line.rstrip()[-16:]) else None


@dataclass
class Cleaned:
    paragraphs: list[str]
    captions: list[dict]
    removed: Counter = field(default_factory=Counter)
    metadata: dict[str, list[str]] = field(default_factory=dict)


def parse_caption(text: str, image: str | None = None) -> dict:
    match = _caption_credit(text.strip())
    if not match:
        return {"text": text.strip(), "credit": None, "image": image}
    credit = next(match[g] for g in ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8") if match[g])
    return {
        "text": match["text"].strip(),
        "credit": re.sub(r"\s+", "", credit) if "摄" in credit else credit.strip(),
        "image": image,
    }


def _profile_rules(profile: Profile | None) -> dict[str, re.Pattern[str]]:
    rules = {}
    for name, phrases in (profile.junk if profile else {}).items():
        rules[name] = _rx(*(re.escape(p) if not p.startswith("re:") else p[3:] for p in phrases))
    return rules


def clean(
    paragraphs: list[str],
    *,
    captions: list[dict] | None = None,
    profile: Profile | None = None,
    metadata_lines: set[str] | None = None,
    title: str | None = None,
) -> Cleaned:
    """captions: raw caption texts found in the markup; metadata_lines: lines the
    normalizer already read as byline/date/source, which must not stay in the body."""
    removed: Counter = Counter()
    found = [parse_caption(c["raw"], c.get("image")) for c in captions or []]
    caption_texts = {c["raw"].strip() for c in captions or []}
    rules = {**LINE_RULES, **_profile_rules(profile)}
    metadata_lines = metadata_lines or set()
    kept: list[str] = []
    metadata: dict[str, list[str]] = {}
    for index, text in enumerate(paragraphs):
        # trafilatura writes a list item as "- item": the bullet is not the page's text.
        line = _BULLET.sub("", text.strip())
        if FOOTER_START.search(line) and index > 0:
            removed["legal_footer"] += len(paragraphs) - index
            break
        if line in caption_texts:
            removed["caption"] += 1
            continue
        if title and line == title:
            removed["title"] += 1
            continue
        if line in metadata_lines:
            removed["metadata_line"] += 1
            continue
        found_meta = next((n for n, rx in METADATA_RULES.items() if rx.match(line)), None)
        if found_meta:
            removed[found_meta] += 1
            metadata.setdefault(found_meta, []).append(line)
            continue
        rule = next((name for name, rx in rules.items() if rx.search(line)), None)
        if rule:
            removed[rule] += 1
            continue
        if LINK_LIST.match(line):
            removed["link_list"] += 1
            continue
        if len(line) < 600 and _caption_credit(line):
            caption = parse_caption(line)
            if caption["credit"]:
                found.append(caption)
                removed["caption"] += 1
                continue
        kept.append(line)
    if kept:
        stripped = END_MARKS.sub("", kept[-1])
        if stripped != kept[-1]:
            removed["end_mark"] += 1
            kept[-1] = stripped
            if not stripped:
                kept.pop()
    unique, seen = [], set()
    for caption in found:
        if caption["text"] not in seen:
            seen.add(caption["text"])
            unique.append(caption)
    return Cleaned(kept, unique, removed, metadata)
