"""The article pipeline as one pure function: captured page(s) in, article record out.

decode -> extract -> clean -> normalize. It runs in worker processes during a crawl and
in-process behind ``newsarchive extract``: the same code path, so a researcher who
re-extracts a saved page gets exactly what the crawler stored.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import re
import time
from typing import Any, Literal
from urllib.parse import urljoin

import trafilatura

from newsarchive import __version__, profiles
from newsarchive.decode import decode_html
from newsarchive.items import ArticlePage
from newsarchive.record import SCHEMA_VERSION, ArticleRecord, DateSource, TitleSource
from newsarchive.urls import url_day
from pipelines.clean import METADATA_RULES, Cleaned, clean
from pipelines.extract import Extraction, ExtractionFailed, extract
from pipelines.normalize import (
    chinese_names,
    clean_title,
    credited_editor,
    dated_line,
    find_agency,
    find_authors,
    find_dateline,
    find_editor,
    header_facts,
    headline,
    identity_url,
    impossible_date,
    labelled_dates,
    labelled_line_value,
    labelled_published,
    parse_datetime,
    value_after_label,
    yearless_published,
)

# The version every record names as the pipeline that extracted it, and by which
# `newsarchive reprocess` finds records an older pipeline made: the package's version,
# unless NEWSARCHIVE_PIPELINE_VERSION names another (a development build whose
# extraction changed between releases, "0.2.0.dev3").
PIPELINE_VERSION = os.environ.get("NEWSARCHIVE_PIPELINE_VERSION") or __version__
# HTML bytes past which a page is not extracted: the crawl's setting of the same name,
# read here for the extractions that run outside a crawl (reprocess, extract --warc).
EXTRACT_MAX_BYTES = int(os.environ.get("NEWSARCHIVE_EXTRACT_MAX_BYTES", "5000000"))
REPORTER_LINE = METADATA_RULES["reporter_line"]
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "publishdate",
    "pubdate",
    "datepublished",
    "publish_date",
    "og:release_date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "lastmodified")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SOURCE_LABEL = re.compile(r"来源|作者|source", re.I)
_TIME = re.compile(r"\d{1,2}:\d{2}")


def _discovered_datetime(stamp: str) -> str | None:
    """A feed's or sitemap's date as ISO 8601: RSS writes RFC 822 ("Mon, 25 Sep 2026
    12:00:00 +0800"), Atom, sitemaps and Xinhua's lists ISO forms."""
    try:
        return email.utils.parsedate_to_datetime(stamp).isoformat()
    except (TypeError, ValueError, IndexError):
        return parse_datetime(stamp)


def _route(discovered: dict[str, Any]) -> Literal["feed", "sitemap"]:
    """How the page was found, as a source of facts about it: a sitemap, or a feed (RSS,
    Atom, Xinhua's datasource lists)."""
    return "sitemap" if discovered.get("via") == "sitemap" else "feed"


def published_estimate(
    published: str | None, discovered: dict[str, Any], url: str
) -> tuple[str | None, DateSource | None]:
    """The best evidence of when an article was published, and where it is from: the
    page's own date, else the date the feed or sitemap that linked it gave, else the
    date in its URL; (None, None) when there is none. ``published`` itself stays what
    the page states (DATASHEET, "Dates")."""
    if published:
        return published, "page"
    stamp = discovered.get("date")
    if isinstance(stamp, str) and stamp.strip():
        found = _discovered_datetime(stamp.strip())
        if found:
            return found, _route(discovered)
    day = url_day(url)
    return (day.isoformat(), "url") if day else (None, None)


def _title_source(
    title: str | None, discovered: dict[str, Any]
) -> tuple[str | None, TitleSource | None]:
    """The page's title; when the page has none, the one the feed or sitemap gave."""
    if title:
        return title, "page"
    given = discovered.get("title")
    if isinstance(given, str) and given.strip():
        return " ".join(given.split()), _route(discovered)
    return None, None


def article_id(url: str) -> str:
    """Stable across http/https and host case: the same article keeps its id."""
    bare = re.sub(r"^https?://", "", url.strip()).lower().split("#", 1)[0]
    return hashlib.sha256(bare.encode("utf-8")).hexdigest()[:20]


def _guess_language(text: str, declared: str | None) -> str | None:
    if declared:
        return declared.split("-")[0].lower()
    if not text:
        return None
    return "zh" if len(_CJK.findall(text)) > len(text) * 0.2 else "en"


_SECTION_TIME = re.compile(r"\s*\d{1,2}:\d{2}\b.*$|\s*(?:19|20)\d{2}[-/.年].*$")


def _section(values: list[str]) -> str | None:
    """The section label; a label that shares its line with the time ("World 12:34,
    25-Sep-2026", CGTN's div.news-section-date) keeps only the words before the time."""
    if not values:
        return None
    value = _SECTION_TIME.sub("", values[0])
    parts = [p.strip() for p in re.split(r"\s*(?:\||»|>|/|›)\s*", value) if p.strip()]
    parts = [p for p in parts if p.lower() not in ("home", "首页")]
    return parts[-1] if parts else None


def _labelled_source(text: str) -> str | None:
    """'来源： 求是网' / 'Source: Qiushi' -> the named source, as the page names it."""
    match = re.search(r"(?:来源|source)\s*[:：]\s*(?P<src>[^\s|｜]{2,30})", text, re.I)
    return match["src"] if match else None


def _tags(raw: list[str]) -> list[str]:
    tags: list[str] = []
    for value in raw:
        for tag in re.split(r"\s*[,，;；]\s*", value):
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _dates(ex: Extraction, impossible: list[str]) -> tuple[str | None, str | None]:
    """(published, updated) as the page states them; the markup fields whose date cannot
    be a time are added to ``impossible`` (and skipped)."""
    found: dict[str, str] = {}
    for text in ex.profile_fields.get("published", []):
        for kind, day in labelled_dates(text).items():
            found.setdefault(kind, day)
    for field, keys in (("published", _PUBLISHED_META), ("updated", _MODIFIED_META)):
        for key in keys if field not in found else ():
            value = ex.meta.get(key)
            if stated := parse_datetime(value):
                found[field] = stated
                break
            if impossible_date(value):
                impossible.append(key)
    return found.get("published"), found.get("updated")


# Embeddings, overrides and isolates reorder how text is shown and carry none: one in a
# title (an override before the headline) kept the headline from being recognised on the
# page, so it leaked into the body. The capture keeps them; the article does not.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_WITHOUT_BIDI = str.maketrans("", "", _BIDI)

# libxml2, under trafilatura and lxml, stops a document 256 elements deep: an article
# inside hundreds of nested wrappers was lost whole. Runs of wrappers with nothing
# between them are collapsed to one; what they wrap is untouched.
_WRAPPER_RUN = re.compile(r"(?:<(div|span|section)\b[^<>]*>\s*){32,}", re.I)
_CLOSER_RUN = re.compile(r"(?:</(?:div|span|section)\s*>\s*){32,}", re.I)


def _without_bidi(html: str) -> str:
    # (Looked for first: a search per character costs far less than a rewrite of every
    # page, and almost no page has one.)
    return html.translate(_WITHOUT_BIDI) if any(c in html for c in _BIDI) else html


def _flattened(html: str) -> str:
    """The page with its runs of empty wrappers collapsed: tried only when extraction
    found no text, since the two scans cost a third of an extraction on every page."""
    html = _WRAPPER_RUN.sub(lambda m: f"<{m.group(1)}>", html)
    return _CLOSER_RUN.sub(lambda m: m.group(0)[: m.group(0).index(">") + 1], html)


def _extract(html: str, url: str, profile: profiles.Profile | None) -> Extraction:
    html = _without_bidi(html)
    try:
        return extract(html, url, profile)
    except ExtractionFailed as failed:
        if failed.reason != "no_article_text":
            raise
        flat = _flattened(html)
        if flat == html:
            raise
        return extract(flat, url, profile)


_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


def refuse_non_html(body: bytes, content_type: str | None) -> None:
    """A PDF, an image or random bytes at an article URL is kept in the WARC, but is not
    an article: say so by name rather than let the extractor make text of it."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind not in _HTML_TYPES:
        raise ExtractionFailed("not_html", f"served as {kind}")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with its byte-order mark: NUL bytes are expected
    head = body[:2048]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls > len(head) // 20:
        raise ExtractionFailed("binary_body", f"{controls} control bytes in the first {len(head)}")


def timed_build_article(page: ArticlePage) -> tuple[ArticleRecord, dict[str, float]]:
    """build_article, with the CPU seconds of its stages (extract, clean, normalize), for
    the crawl's stats and `make bench`."""
    timings: dict[str, float] = {}
    return build_article(page, timings), timings


def build_article(page: ArticlePage, timings: dict[str, float] | None = None) -> ArticleRecord:
    """The article record of a captured page (all its pages, for a split article).

    Raises ExtractionFailed with a reason when there is no article. The record is the
    article's first version: which version it really is depends on what the archive
    already holds, and that is the recrawl policy's call
    (:func:`newsarchive.state.next_version`), not the extraction's."""
    started = time.process_time()
    source = page.source
    profile = profiles.load(source) if source in profiles.available() else None
    extractions: list[Extraction] = []
    encodings: list[dict[str, Any]] = []
    for part in page.pages:
        refuse_non_html(part.body, part.content_type)
        html, encoding, overridden = decode_html(part.body, part.content_type)
        encodings.append({"encoding": encoding, "label_overridden": overridden})
        extractions.append(_extract(html, part.url, profile))
    first = extractions[0]
    fields = first.profile_fields
    extracted = time.process_time()

    paragraphs: list[str] = []
    raw_captions: list[dict] = []
    for ex in extractions:
        paragraphs.extend(p for p in ex.paragraphs if p not in paragraphs[:3] or not paragraphs)
        raw_captions.extend(ex.captions)

    site_names = [
        n
        for n in (
            profile.outlet if profile else None,
            first.sitename,
            profile.publisher if profile else None,
        )
        if n
    ]
    agreed = headline(first.headings, [first.og_title, first.page_title, first.title])
    title = clean_title(
        [*(fields.get("title", [])[:1]), agreed, first.og_title, first.title, first.page_title],
        site_names,
        page_lines=set(first.header_lines) | set(paragraphs[:3]),
        printed=set(first.lines.lines),
    )
    authors, byline = find_authors(paragraphs)
    if not authors:
        # A byline in the header's author slot ("By Li Wen Updated 16:08, 25-Sep-2026",
        # CGTN's div.news-author): the time that shares the line is not a name.
        for value in fields.get("source", []):
            slot = _SECTION_TIME.sub("", re.sub(r"\s+Updated\b.*$", "", value)).strip()
            if re.match(r"^By\s", slot):
                authors, _ = find_authors(["by" + slot[2:]])
                break
    metadata_lines = {v for k in ("published", "source", "editor") for v in fields.get(k, [])}
    if byline:
        metadata_lines.add(byline)
    # A date line that trafilatura kept as a paragraph at the top of the body
    # ("2019-08-13 14:07 来源：澎湃新闻") is the article's date, not its text.
    # Below breadcrumbs kept as paragraphs it can come a little later, and then must name
    # its source and time ("2019-09-26 12:11来源：证券时报网作者：李在山").
    top_date = next(
        (
            p
            for i, p in enumerate(paragraphs[:8])
            if dated_line(p) and (i < 3 or (_SOURCE_LABEL.search(p) and _TIME.search(p)))
        ),
        None,
    )
    if top_date:
        metadata_lines.add(top_date)
    cleaned = clean(
        paragraphs,
        captions=raw_captions,
        profile=profile,
        metadata_lines=metadata_lines,
        title=title,
    )
    if byline and not authors:
        cleaned.removed["byline"] += 1
    if not cleaned.paragraphs:
        raise ExtractionFailed("empty_after_cleaning", "no paragraph survived cleaning")
    # The standfirst goes through the same rules, on its own: the body's first paragraph
    # stays where the dateline and the byline are read.
    lead = (
        clean(
            first.standfirst,
            captions=raw_captions,
            profile=profile,
            metadata_lines=metadata_lines,
            title=title,
        )
        if first.standfirst
        else Cleaned([], [])
    )
    cleaned.removed.update(lead.removed)

    cleaned_at = time.process_time()
    dateline, dateline_agency = find_dateline(cleaned.paragraphs[0])
    impossible: list[str] = []
    published, updated = _dates(first, impossible)
    header = header_facts(first.header_lines)
    if top_date and "published" not in header:
        header = {**header_facts([top_date]), **header}
    under_title = first.lines.under(title) if title else []
    if "published" not in header and under_title:
        # Dates printed under the headline, where the body's first lines could not be
        # found among the page's lines (trafilatura merged them with header text).
        header = {**header_facts(under_title, below=True), **header}
    if "published" not in header:
        printed = labelled_published(first.trailer_lines) or yearless_published(
            [*first.header_lines, *under_title],
            [v for k, v in first.meta.items() if "date" in k or "time" in k],
        )
        if printed:
            header = {**header, "published": printed}
    published = published or header.get("published")
    updated = updated or header.get("updated")
    estimate, estimate_source = published_estimate(published, page.discovered, page.url)
    title, title_source = _title_source(title, page.discovered)
    meta_lines = cleaned.metadata
    editor = find_editor(*fields.get("editor", []), *fields.get("source", []))
    if not editor and meta_lines.get("editor_line"):
        editor = value_after_label(meta_lines["editor_line"][-1])
    if not editor:
        editor = next(filter(None, map(credited_editor, meta_lines.get("credits_line", []))), None)
    editor = editor or labelled_line_value(first.trailer_lines, "责任编辑|编辑|editor")
    if not authors:
        bylines = meta_lines.get("reporter_line", []) + meta_lines.get("author_line", [])
        bylines += [x for x in first.trailer_lines if REPORTER_LINE.match(x)]
        in_dateline = re.match(
            r"^[^（(]{2,30}[电讯]\s*[（(]\s*(记者[^）)]{2,30})[）)]", cleaned.paragraphs[0]
        )
        if in_dateline:
            bylines.append(in_dateline[1])
        written_by = labelled_line_value(first.trailer_lines, "作者|记者")
        if written_by:
            bylines.append(written_by)
        for line in bylines:
            authors.extend(n for n in chinese_names(line) if n not in authors)
    sources = [
        *fields.get("source", []),
        *(value_after_label(x) or "" for x in meta_lines.get("source_line", [])),
    ]
    labelled = [v for v in (_labelled_source(x) for x in sources) if v]
    agency = (
        find_agency(*sources)
        or dateline_agency
        or find_agency(header.get("source"))
        or header.get("source")
        or (labelled[0] if labelled else None)
    )
    body = [*lead.paragraphs, *cleaned.paragraphs]
    text = "\n\n".join(body)
    captured = page.pages[0]
    final_url = captured.url
    http = captured.http or {}
    identity = identity_url(final_url, first.canonical_url, profile)
    language = (
        page.language
        or (profile.language_for(final_url) if profile else None)
        or _guess_language(text, first.html_lang)
    )
    record: ArticleRecord = {
        "schema_version": SCHEMA_VERSION,
        "id": article_id(identity.url),
        "url": final_url,
        "canonical_url": identity.url,
        "declared_canonical": identity.declared,
        "source": source,
        "outlet": profile.outlet if profile else None,
        "language": language,
        "title": title,
        "title_source": title_source,
        "paragraphs": body,
        "standfirst": lead.paragraphs,
        "text": text,
        "authors": authors,
        "editor": editor,
        "agency": agency,
        "dateline": dateline,
        "section": _section(fields.get("section", [])),
        "tags": _tags(first.tags),
        "published": published,
        "published_estimate": estimate,
        "published_source": estimate_source,
        "updated": updated,
        "fetched_at": captured.fetched_at or None,
        "captions": [
            {
                "text": c["text"],
                "credit": c["credit"],
                "image": urljoin(final_url, c["image"]) if c.get("image") else None,
            }
            for c in cleaned.captions
        ],
        "removed": dict(sorted(cleaned.removed.items())),
        "selector_missed": first.selector_missed,
        "impossible_dates": impossible,
        "content_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "version": 1,
        "previous_sha256": None,
        "http": {
            "status": http.get("status"),
            "etag": http.get("etag"),
            "last_modified": http.get("last_modified"),
            "payload_digest": http.get("payload_digest"),
        },
        "warc": captured.warc or None,
        "pages": [{"url": p.url, "warc": p.warc or None} for p in page.pages],
        "incomplete": bool(page.discovered.get("incomplete")),
        "discovered": {k: v for k, v in page.discovered.items() if k != "incomplete"},
        "encoding": encodings[0]["encoding"],
        "encoding_label_overridden": any(e["label_overridden"] for e in encodings),
        "extractor": {"name": "trafilatura", "version": trafilatura.__version__},
        "pipeline": {"name": "newsarchive", "version": PIPELINE_VERSION},
    }
    if timings is not None:
        done = time.process_time()
        timings.update(
            extract=extracted - started, clean=cleaned_at - extracted, normalize=done - cleaned_at
        )
    return record
