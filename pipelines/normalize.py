"""Normalize: raw strings from the page become typed, comparable metadata.

Dates become ISO 8601; a time the outlet states without a zone is Beijing time (+08:00),
as every outlet here publishes from Beijing. A date the page does not give stays null:
nothing is guessed from asset paths or crawl times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from urllib.parse import urlsplit

from newsarchive.profiles import Profile
from newsarchive.urls import maybe_canonical

BEIJING = timezone(timedelta(hours=8))

_NUMERIC_DT = re.compile(
    r"(?P<y>(?:19|20|25)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_CGTN_DT = re.compile(
    r"(?P<H>\d{1,2}):(?P<M>\d{2}),\s*(?P<d>\d{1,2})-(?P<mon>[A-Za-z]{3})-(?P<y>\d{4})"
)
_LABELLED = re.compile(
    r"(?P<label>updated|published|发布时间|发布日期|更新时间|时间|日期)\s*[:：]?\s*$", re.I
)
_LABEL_ONLY = re.compile(
    r"^(updated|published|发布时间|发布日期|更新时间|稿件来源|来源|source)\s*[:：]?$|来源\s*[:：]$",
    re.I,
)

AGENCIES = {
    "xinhua": "Xinhua",
    "新华社": "Xinhua",
    "新华网": "Xinhua",
    "xinhuanet": "Xinhua",
    "cgtn": "CGTN",
    "china daily": "China Daily",
    "chinadaily.com.cn": "China Daily",
    "中国日报": "China Daily",
    "中国日报网": "China Daily",
    "china news service": "China News Service",
    "中新社": "China News Service",
    "中国新闻网": "China News Service",
    "ecns": "China News Service",
    "people's daily": "People's Daily",
    "人民日报": "People's Daily",
    "人民网": "People's Daily",
    "global times": "Global Times",
    "环球时报": "Global Times",
    "cctv": "CCTV",
    "央视新闻": "CCTV",
    "chinanews.com": "China News Service",
}
_AGENCY_RX = re.compile(
    "|".join(sorted((re.escape(k) for k in AGENCIES), key=len, reverse=True)), re.I
)

_DATELINE_EN = re.compile(
    r"^(?P<dl>[A-Z][A-Za-z .'-]{1,40}?(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?|"
    r"[A-Z][a-z .'-]{2,30}))?(?:\s*\((?P<agency>[A-Za-z ]{2,30})\))?)\s*(?:--|—|–|-{1}\s)\s*"
)
_DATELINE_ZH = re.compile(
    r"^(?P<dl>(?P<agency>新华社|中新社|中新网)[\u4e00-\u9fff]{0,12}\d{1,2}月\d{1,2}日(?:电|讯)?)"
)
_EDITOR = re.compile(
    r"(?i:editor|责任编辑|编辑)\s*[:：]\s*"
    r"(?P<name>[A-Za-z\u4e00-\u9fff][A-Za-z\u4e00-\u9fff .·'-]{0,40}?)"
    r"(?=\s*(?:$|\||【|】|\]|）|\)|\s{2}|[A-Z]{3,}\b))"
)
_BYLINE = re.compile(
    r"^by\s+(?P<names>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}"
    r"(?:\s*(?:,|and)\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})*)\s*$"
)
NOT_AUTHORS = {"admin", "administrator", "editor", "staff", "webmaster", "guest"}


def parse_datetime(text: str | None) -> str | None:
    """ISO 8601 from the forms these outlets print; None when the text has no date, or
    only an impossible one (a 25th hour, a +99:00 offset, a 30 February): a bad date in
    the markup costs the date, never the article."""
    try:
        return _parse_datetime(text)
    except (ValueError, OverflowError):
        return None


def impossible_date(text: str | None) -> bool:
    """The text holds a date of a form we read whose values cannot be a time."""
    return bool(text) and parse_datetime(text) is None and bool(_NUMERIC_DT.search(text or ""))


def _parse_datetime(text: str | None) -> str | None:
    if not text:
        return None
    match = _NUMERIC_DT.search(text)
    if match:
        year = int(match["y"])
        if year >= 2500:
            # Buddhist-era years (Gregorian + 543): China Daily's publishdate meta has
            # carried 2569-05-17 for 2026-05-17 (docs/EVIDENCE.md §3a).
            year -= 543
        day = datetime(year, int(match["m"]), int(match["d"]))
        if match["H"] is None:
            return day.date().isoformat()
        moment = day.replace(
            hour=int(match["H"]), minute=int(match["M"]), second=int(match["S"] or 0)
        )
        tz = match["tz"]
        if tz == "Z":
            moment = moment.replace(tzinfo=UTC)
        elif tz:
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            moment = moment.replace(
                tzinfo=timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
            )
        else:
            moment = moment.replace(tzinfo=BEIJING)
        return moment.isoformat()
    match = _CGTN_DT.search(text)
    if match and match["mon"].lower() in _MONTHS:
        moment = datetime(
            int(match["y"]),
            _MONTHS[match["mon"].lower()],
            int(match["d"]),
            int(match["H"]),
            int(match["M"]),
            tzinfo=BEIJING,
        )
        return moment.isoformat()
    return _dateparser(text)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@lru_cache(maxsize=4096)
def _dateparser(text: str) -> str | None:
    """Last resort for prose dates ("May 25, 2023"); slow (milliseconds a call), so used
    only when the text has a year in it, and cached: template lines repeat."""
    if len(text) > 120 or not _YEAR.search(text):
        return None
    import dateparser  # type: ignore[import-untyped]  # (no stubs for 1.5)

    settings = {
        "TIMEZONE": "Asia/Shanghai",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "past",
        "STRICT_PARSING": True,
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    found = dateparser.parse(text, settings=settings, languages=["en", "zh"])
    if found is None:
        return None
    has_time = re.search(r"\d{1,2}:\d{2}", text)
    if not has_time:
        return found.date().isoformat()
    return found.replace(tzinfo=BEIJING).isoformat()


def labelled_dates(text: str) -> dict[str, str]:
    """'Xinhua | Updated: 2023-07-14 09:55' -> {'updated': ...}; unlabelled -> published."""
    out: dict[str, str] = {}
    for match in [*_NUMERIC_DT.finditer(text), *_CGTN_DT.finditer(text)]:
        value = parse_datetime(match.group(0))
        if not value:
            continue
        label = _LABELLED.search(text[: match.start()])
        updated = label and label["label"].lower() in ("updated", "更新时间")
        out.setdefault("updated" if updated else "published", value)
    if not out:
        value = parse_datetime(text)
        if value:
            out["published"] = value
    return out


def find_agency(*texts: str | None) -> str | None:
    for text in texts:
        if not text:
            continue
        match = _AGENCY_RX.search(text)
        if match:
            return (
                AGENCIES[match.group(0).lower()]
                if match.group(0).lower() in AGENCIES
                else AGENCIES.get(match.group(0), match.group(0))
            )
    return None


def find_dateline(first_paragraph: str | None) -> tuple[str | None, str | None]:
    """(dateline, agency named in it) from the article's opening words."""
    if not first_paragraph:
        return None, None
    match = _DATELINE_ZH.match(first_paragraph)
    if match:
        return match["dl"], find_agency(match["agency"])
    match = _DATELINE_EN.match(first_paragraph)
    if match:
        dateline = match["dl"].strip()
        # An all-caps place or a "Place, Month day" form; not the start of any sentence.
        if dateline.split(",")[0].isupper() or re.search(r",\s*[A-Z][a-z]+\.?\s+\d", dateline):
            return dateline, find_agency(match["agency"])
    return None, None


def find_editor(*texts: str | None) -> str | None:
    for text in texts:
        match = _EDITOR.search(text or "")
        if match:
            return match["name"].strip()
    return None


def find_authors(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Authors from a "By ..." line at the top; returns (authors, the line consumed)."""
    for line in paragraphs[:3]:
        match = _BYLINE.match(line.strip())
        if match:
            names = [n.strip() for n in re.split(r",|\band\b", match["names"]) if n.strip()]
            names = [n for n in names if n.lower() not in NOT_AUTHORS]
            return names, line
    return [], None


def headline(headings: list[str], others: list[str | None]) -> str | None:
    """The headline as printed in the article's own heading, chosen by agreement: the
    first h1/h2 that another title source (og:title, <title>, trafilatura's title)
    contains, or that contains one of them (a title cut short at a quote). The heading
    must carry a good part of that title, so a logo heading ("新华网") never wins."""
    refs = [" ".join(o.split()) for o in others if o and o.strip()]
    for raw in headings:
        heading = " ".join(raw.split())
        if not 4 <= len(heading) <= 200:
            continue
        for ref in refs:
            if heading in ref and len(heading) >= 0.4 * len(ref):
                return heading
            if ref in heading and len(ref) >= 0.5 * len(heading):
                # A title cut short (at a quote) is the start of the heading; a heading
                # with a label before the title ("原创…") is not the headline itself.
                return heading if heading.startswith(ref) else ref
    return None


def printed_part(title: str, printed: set[str]) -> str | None:
    """The part of a <title> that the page prints as a line of its own, when the rest is
    the site's or the column's name joined on without a usual separator ("标题 东区办事处",
    "明日股市预测--标题"): the longest page line that starts or ends the title and is at
    least half of it."""
    best = None
    for line in printed:
        if line == title or len(line) < max(8, len(title) / 2):
            continue
        # The rest must be joined on at a space or separator, not cut mid-phrase.
        joined_after = title.startswith(line) and _SEPARATOR.match(title[len(line) :])
        joined_before = title.endswith(line) and _SEPARATOR.match(title[: -len(line)][-1:])
        if (joined_after or joined_before) and (best is None or len(line) > len(best)):
            best = line
    return best


_SEPARATOR = re.compile(r"[\s\-_|–—·:：]")


def clean_title(
    candidates: list[str | None],
    site_names: list[str],
    page_lines: set[str] | None = None,
    printed: set[str] | None = None,
) -> str | None:
    """The headline: the first candidate that is not merely the site's name, without a
    " - Site" / "_Channel" suffix. A suffix goes when it names the site, or when the part
    before it stands as a line of its own on the page (the headline as printed); the
    part of the title printed as a line anywhere on the page (``printed``) is taken
    before any of that (:func:`printed_part`)."""
    lowered = {s.lower() for s in site_names if s}
    page_lines = page_lines or set()
    for raw in candidates:
        if not raw:
            continue
        title = re.sub(r"\s+", " ", raw).strip()
        part = printed_part(title, printed) if printed and title not in printed else None
        if part:
            title = part
        elif title not in page_lines:
            for sep in (" - ", " | ", "_", " – ", "-", "|"):
                head, _, tail = title.rpartition(sep)
                head, tail = head.strip(), tail.strip()
                if not head:
                    continue
                if (
                    tail.lower() in lowered
                    or head in page_lines
                    or re.search(r"(\.com|\.cn|新华网|中国日报网|中新网|网)$", tail, re.I)
                ):
                    title = head
                    break
        if title and title.lower() not in lowered:
            return title
    return None


@dataclass(frozen=True)
class Identity:
    """Which URL an article's id comes from, and the canonical the page declared."""

    url: str  # canonicalised: the id is article_id(url)
    declared: str | None  # the page's rel=canonical / og:url, canonicalised, if any
    trusted: bool  # the id comes from ``declared``


def identity_url(page_url: str, declared: str | None, profile: Profile | None) -> Identity:
    """The URL an article is identified by: the page's declared canonical when it is
    consistent, else the fetched URL, both spelt one way (newsarchive.urls.canonical).

    A declared canonical is a claim the page makes; templates get it wrong (every page
    of a section declaring the home page) and any page on the domain could declare an
    article's URL. It is trusted only when it is on the outlet's domains, is an article
    URL by the profile's patterns, and is not a listing page; otherwise it is recorded
    and the fetched URL decides."""
    # (A page given by hand may come with a URL that is not a web URL: kept as given.)
    fetched = maybe_canonical(page_url) or page_url
    claimed = maybe_canonical(declared, page_url) if declared else None
    trusted = bool(
        claimed
        and profile is not None
        and profile.in_scope(claimed)
        and profile.is_article(claimed)
        and profile.listing_page_number(claimed) is None
        and urlsplit(claimed).path not in ("", "/")
    )
    return Identity(claimed if trusted and claimed else fetched, claimed, trusted)


_LABEL_VALUE = re.compile(r"[:：/]\s*(?P<value>.+?)\s*[）)】\]]?$")
_NAME_END = re.compile(
    r"(北京|上海|清华|复旦|中国|中央|国家|大学|学院|研究|中心|教授|博士|研究员|记者|委员)"
)


def value_after_label(line: str) -> str | None:
    """'（编辑：严玉洁 王辉）' -> '严玉洁 王辉'."""
    match = _LABEL_VALUE.search(line)
    return match["value"].strip() if match and match["value"].strip() else None


def chinese_names(text: str) -> list[str]:
    """Names from a Chinese byline: '新华网黑龙江频道 记者 伊琳 李清芬' -> ['伊琳', '李清芬'];
    '方敏北京大学经济学院教授' -> ['方敏'] (the name ends where the affiliation begins)."""
    text = re.sub(r"^.*?(记者|通讯员|作者)\s*[:：]?\s*", "", text)
    names = []
    for part in re.split(r"[\s、，,]+", text.strip()):
        part = part.removeprefix("记者")
        cut = _NAME_END.search(part, 2)
        if cut:
            part = part[: cut.start()]
        if 2 <= len(part) <= 4 and re.fullmatch(r"[\u4e00-\u9fff·]+", part):
            names.append(part)
    return names


_OWN_DATE = re.compile(
    r"\d{1,2}:\d{2}|来源|source|发布|时间|日期|published|posted|\d{4}年\d{1,2}月\d{1,2}日", re.I
)
# A line that is nothing but a date.
_BARE_DATE = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?")


def dated_line(line: str) -> bool:
    """A short line that states the article's date (with a time, a label or a source),
    not a sentence that mentions one (no sentence punctuation)."""
    line = line.strip()
    if len(line) >= 60 or re.search(r"[。，；！？]|[,;] ", line):
        return False
    return bool(_OWN_DATE.search(line)) and bool(_NUMERIC_DT.search(line))


# Links to the neighbouring articles: the line after such a label is another headline,
# with another article's date in it ("上一篇：今日股市行情分析--2019年8月19日").
_NEIGHBOUR = re.compile(r"^(上一篇|下一篇|上一条|下一条|previous|next)\b", re.I)
# A line that is a piece of a date printed in parts ("2019", "09 / 07", "19 : 02").
_DATE_PART = re.compile(r"^\d{1,4}(?:\s*[-/.:]\s*\d{1,2})*$")


def _date_parts_joined(lines: list[str]) -> list[str]:
    """Runs of number-only lines read as one line: a date printed in parts, the year
    over the day over the time ("2019", "09 / 07", "19 : 02" -> "2019/09/07 19:02")."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line and _DATE_PART.match(line):
            run.append(re.sub(r"\s*([-/.:])\s*", r"\1", line))
            continue
        if len(run) > 1 and re.fullmatch(r"(?:19|20)\d{2}", run[0]) and "/" in run[1]:
            out.append(f"{run[0]}/{' '.join(run[1:])}")
        else:
            out.extend(run)
        run = []
        if line:
            out.append(line)
    return out


# "来源：证券时报网作者：李在山": the source ends at a space, a bar or the next label.
_SOURCE = re.compile(
    r"(?:稿件来源|来源|source)\s*[:：]\s*"
    r"(?P<src>[^\s|｜]{2,20}?)(?=[\s|｜]|作者|责任编辑|编辑|记者|发布|时间|$)",
    re.I,
)


def header_facts(lines: list[str], *, below: bool = False) -> dict[str, str]:
    """Published date and source named in the loose lines above the body (nearest the
    body first), or, with ``below``, in the lines under the headline (nearest first)."""
    facts: dict[str, str] = {}
    joined: list[str] = []
    after_neighbour = False
    for line in _date_parts_joined(lines):
        neighbour = _NEIGHBOUR.match(line)
        if after_neighbour or neighbour:
            after_neighbour = neighbour is not None and len(line) < 8
            continue
        if joined and _LABEL_ONLY.search(joined[-1]):  # "稿件来源：" over "河北日报"
            joined[-1] += " " + line
        else:
            joined.append(line)
    for distance, line in enumerate(joined if below else reversed(joined)):
        found = labelled_dates(line) if len(line) < 80 else {}
        if "published" not in facts:
            # A bare date above the body may belong to anything; one with a time, a
            # source, a label or a full Chinese date is the article's own, and so is a
            # line that is only a date right above the body (the headline's dateline).
            own = _OWN_DATE.search(line) or (distance < 3 and _BARE_DATE.fullmatch(line))
            if found.get("published") and own:
                facts["published"] = found["published"]
        if "updated" not in facts and found.get("updated"):
            facts["updated"] = found["updated"]
        match = _SOURCE.search(line)
        if match and "source" not in facts:
            facts["source"] = match["src"]
    return facts


_PUBLISHED_LABEL = re.compile(
    r"(发布时间|发布日期|发表时间|发表日期|published( on)?)\s*[:：]", re.I
)
_YEARLESS = re.compile(
    r"(?:发布时间|发布于|发表于|时间)\s*[:：]?\s*(?:\d{2}-)?(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?!\d)"
)


def labelled_published(lines: list[str]) -> str | None:
    """A date printed after an explicit publication label ("发布日期：2019-09-23 14:34:05"),
    for templates that print it under the body rather than above it."""
    for line in lines:
        match = _PUBLISHED_LABEL.search(line)
        if match and len(line) < 80:
            value = parse_datetime(line[match.end() :])
            if value:
                return value
    return None


def yearless_published(lines: list[str], machine_dates: list[str]) -> str | None:
    """ "发布时间：10-08 12:00" (self-media platforms print no year): the time as printed,
    the year from a machine-readable date of the page (a meta tag) on the same day."""
    for line in lines:
        match = _YEARLESS.search(line)
        if not match:
            continue
        month, day = int(match["m"]), int(match["d"])
        for value in machine_dates:
            stamp = parse_datetime(value)
            if stamp and int(stamp[5:7]) == month and int(stamp[8:10]) == day:
                moment = datetime(
                    int(stamp[:4]), month, day, int(match["H"]), int(match["M"]), tzinfo=BEIJING
                )
                return moment.isoformat()
    return None


_CREDITED_EDITOR = re.compile(
    r"(?:责任编辑|责编|编辑)\s*[/:：|｜ ]\s*(?P<name>[\u4e00-\u9fff·]{2,4})(?![\u4e00-\u9fff])"
)


def credited_editor(line: str) -> str | None:
    """The editor named on a line of credits: "摄影/张艳 编辑/苏芳" -> "苏芳"."""
    match = _CREDITED_EDITOR.search(line)
    return match["name"] if match else None


def labelled_line_value(lines: list[str], labels: str) -> str | None:
    """A value printed after a label on the same line or, when the label stands alone,
    on the next one: ['责任编辑：', '尹世杰'] -> '尹世杰'."""
    pattern = re.compile(
        rf"^[【\[（(]?\s*(?:{labels})\s*[:：]\s*(?P<value>.*?)\s*[】\]）)]?$", re.I
    )
    for index, line in enumerate(lines):
        match = pattern.match(line)
        if not match:
            continue
        value = match["value"] or (lines[index + 1] if index + 1 < len(lines) else "")
        value = value.strip()
        if 1 < len(value) <= 30 and not re.search(r"[。！？:：]", value):
            return value
    return None
