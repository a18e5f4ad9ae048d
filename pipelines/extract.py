"""Extract: trafilatura finds the article body; profile selectors and page metadata
supply the facts trafilatura does not know about a given outlet.

No interpretation happens here (that is normalize's job): values are raw strings as the
page states them, so the record can always be traced back to the page.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml.cssselect import CSSSelector
from parsel import Selector
from trafilatura.utils import load_html

from newsarchive.profiles import Profile
from pipelines.density import Block, main_block
from pipelines.furniture import remove_furniture
from pipelines.standfirst import candidates as standfirst_candidates
from pipelines.standfirst import standfirst

# htmldate's extensive search scans every string of the page and can cost seconds; the
# dates we trust come from markup and profile selectors anyway.
DATE_PARAMS = {"extensive_search": False, "original_date": True}
CAPTION_SELECTORS = (
    "figure figcaption",
    ".imageCaption",
    "p.pictext",
    ".img_descr",
    "span.pic-word",
)
# Compiled once: translating CSS to XPath on every page cost more than running it.
_CAPTION_QUERIES = tuple(CSSSelector(css, translator="html") for css in CAPTION_SELECTORS)


class ExtractionFailed(Exception):
    """A page that yields no article; ``reason`` becomes a stats key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Extraction:
    url: str
    paragraphs: list[str]
    title: str | None = None
    page_title: str | None = None
    og_title: str | None = None
    canonical_url: str | None = None
    html_lang: str | None = None
    description: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    tags: list[str] = field(default_factory=list)
    captions: list[dict] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    profile_fields: dict[str, list[str]] = field(default_factory=dict)
    # The page's h1/h2 texts in document order: headline candidates (normalize.headline).
    headings: list[str] = field(default_factory=list)
    # Metadata fields the profile names selectors for, none of which matched: a template
    # change shows up as a per-field count (metadata/selector_missed/<field>).
    selector_missed: list[str] = field(default_factory=list)
    header_lines: list[str] = field(default_factory=list)
    # The summary printed between headline and body, which trafilatura drops with the
    # page's header (pipelines/standfirst.py); not part of ``paragraphs``.
    standfirst: list[str] = field(default_factory=list)
    lines: PageLines = field(default_factory=lambda: PageLines([], []))
    trailer_lines: list[str] = field(default_factory=list)


def _text(node) -> str:
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip()


def _select(selector: Selector, css: str) -> list[str]:
    if "::" in css:
        values = selector.css(css).getall()
    else:
        values = [" ".join(s.css("*::text").getall()) for s in selector.css(css)]
    return [v for v in (re.sub(r"\s+", " ", x).strip() for x in values) if v]


def _head_meta(tree) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
        value = (node.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _meta_tags(meta: dict[str, str]) -> list[str]:
    """Keywords as the page declares them (what trafilatura's metadata pass reads)."""
    for key in ("article:tag", "keywords", "news_keywords"):
        if meta.get(key):
            return [t.strip() for t in re.split(r"[,，;；、]", meta[key]) if t.strip()]
    return []


def _canonical(tree) -> str | None:
    for node in tree.iter("link"):
        if (node.get("rel") or "").lower() == "canonical" and node.get("href"):
            return node.get("href").strip()
    return None


def _captions(tree) -> list[dict]:
    captions = []
    for query in _CAPTION_QUERIES:
        for node in query(tree):
            text = _text(node)
            if not text:
                continue
            image = None
            holder = node.getparent()
            if holder is not None:
                img = holder.find(".//img")
                if img is not None:
                    image = img.get("src") or img.get("data-src")
            captions.append({"raw": text, "image": image})
    return captions


# A caption is a short line: longer text under a picture is a paragraph of the article.
CAPTION_MAX_CHARS = 60
_BLOCKS = frozenset({"p", "div", "center", "figure", "span", "section"})
_EMPHASIS = frozenset({"strong", "b", "h1", "h2", "h3", "h4", "h5", "h6"})


def _image_holder(img):
    """The block that holds the picture: its ancestors up to the first one with any
    text of its own besides the picture's."""
    holder = img
    while holder.getparent() is not None and holder.getparent().tag in _BLOCKS:
        parent = holder.getparent()
        # (Stops at the first bit of text: an article's whole container is not read
        # once per picture.)
        if any(text.strip() for text in parent.itertext()):
            return holder if holder is not img else parent
        holder = parent
    return holder


_CAPTION_MARK = re.compile(r"center|caption|pic|img|image|photo|desc|note", re.I)
_CAPTION_STYLE = re.compile(r"text-align\s*:\s*center|color\s*:\s*(#9|#8|#7|#6|gr[ae]y)", re.I)


def _marked(node) -> bool:
    """Set apart as a caption is: centred, greyed, or of a caption-like class."""
    for element in node.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "center" or (element.get("align") or "").lower() == "center":
            return True
        if _CAPTION_MARK.search(element.get("class") or ""):
            return True
        if _CAPTION_STYLE.search(element.get("style") or ""):
            return True
    return False


def _caption_line(node) -> str | None:
    """The text of a block if it reads as a caption: short, set apart (centred, greyed,
    of a caption class), not emphasised (a bold line under a picture is a subhead), not
    leading into what follows (a colon)."""
    if not _marked(node):
        return None
    text = _text(node)
    if not 2 <= len(text) <= CAPTION_MAX_CHARS or text.endswith(("：", ":")):
        return None
    emphasised = "".join(_text(e) for e in node.iter(*_EMPHASIS))
    if emphasised and len(emphasised) >= len(text) / 2:
        return None
    return text


def _pictures_captions(tree) -> list[dict]:
    """Captions marked by position only, as Chinese editors set them: the short line
    printed right under a picture, in the picture's own paragraph
    (``<p><img>运营商某次活动上展示的5G芯片</p>``) or the next one
    (``<p><img></p><p>小温。</p>``)."""
    found = []
    for img in tree.iter("img"):
        holder = _image_holder(img)
        image = img.get("src") or img.get("data-src")
        if holder is not img and holder.tag in _BLOCKS and holder.find(".//img") is img:
            own = _caption_line(holder)
            if own and len(holder.xpath(".//img")) == 1:
                found.append({"raw": own, "image": image})
                continue
        after = holder.getnext()
        while after is not None and not isinstance(after.tag, str):
            after = after.getnext()
        if (
            after is not None
            and after.tag in _BLOCKS
            and after.find(".//img") is None
            and (holder.tail or "").strip() == ""
        ):
            line = _caption_line(after)
            if line:
                found.append({"raw": line, "image": image})
    return found


def _jsonld_section(tree) -> str | None:
    for node in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(node.text or "")
        except ValueError:
            continue
        for item in data.get("@graph", [data]) if isinstance(data, dict) else data:
            if isinstance(item, dict) and item.get("articleSection"):
                section = item["articleSection"]
                return section[0] if isinstance(section, list) else section
    return None


# Every pattern here runs in linear time on any page: a tag cannot span another "<", so
# a page of 100,000 unclosed "<br" or "<" openers costs one pass, not one per opener.
_TAG = re.compile(r"<[^<>]+>")
_SPACES = re.compile(r"\s+")
_BLOCK_END = re.compile(r"<(?:br\s*/?|/p|/div|/td|/tr|/li|/h\d|/table|/dd|/dt)\b[^<>]*>", re.I)
_NON_TEXT_OPEN = re.compile(r"<(script|style|noscript|head)\b|<!--", re.I)
_NON_TEXT_CLOSE = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "noscript", "head")
}


def _without_non_text(html: str) -> str:
    """The page without scripts, styles, noscript, head and comments. One forward scan:
    an element left open runs to the end of the page (as a browser reads an unclosed
    ``<script>``), and the scan stops there instead of looking for its end again from
    every later opener, which made a page of 40,000 unclosed ``<script>`` cost minutes."""
    kept: list[str] = []
    position = 0
    while (opener := _NON_TEXT_OPEN.search(html, position)) is not None:
        kept.append(html[position : opener.start()])
        if opener.group(1) is None:
            end = html.find("-->", opener.end())
            close_end = -1 if end < 0 else end + 3
        else:
            close = _NON_TEXT_CLOSE[opener.group(1).lower()].search(html, opener.end())
            close_end = -1 if close is None else close.end()
        if close_end < 0:
            return " ".join(kept)
        kept.append(" ")
        position = close_end
    kept.append(html[position:])
    return "".join(kept)


def text_lines(html: str) -> list[str]:
    """The page's visible text, one line per block, for reading metadata that templates
    print as loose lines ("2005年08月16日　来源：新华网") rather than in markup."""
    text = _BLOCK_END.sub("\n", _without_non_text(html))
    text = htmlmod.unescape(_TAG.sub(" ", text))
    return [line for line in (_SPACES.sub(" ", raw).strip() for raw in text.split("\n")) if line]


@dataclass(frozen=True)
class PageLines:
    """The page's visible text, a line per block (:func:`text_lines`), with each line's
    whitespace-free form: trafilatura and the page space the same text differently, so a
    paragraph or the headline is found by its first (or last) 15 non-space characters."""

    lines: list[str]
    compact: list[str]

    @classmethod
    def of(cls, html: str) -> PageLines:
        return cls.from_lines(text_lines(html))

    @classmethod
    def from_lines(cls, lines: list[str]) -> PageLines:
        return cls(lines, [_SPACES.sub("", line) for line in lines])

    def find(self, text: str, *, end: bool = False, span: int = 1) -> int | None:
        """The index of the line holding the start of ``text`` (its end, searching from
        the bottom, with ``end``). With ``span`` > 1 the text may run on over that many
        lines, as when the page sets an inline element on a line of its own."""
        probe = _SPACES.sub("", text)
        probe = probe[-15:] if end else probe[:15]
        if not probe:
            return None
        indices = range(len(self.lines) - 1, -1, -1) if end else range(len(self.lines))
        for index in indices:
            if probe in self.compact[index]:
                return index
            if span > 1:
                at = "".join(self.compact[index : index + span]).find(probe)
                if 0 <= at < len(self.compact[index]):
                    return index
        return None

    def above(self, first_paragraph: str, limit: int = 25) -> list[str]:
        """Lines just above the article body: where bylines, dates and sources are printed."""
        index = self.find(first_paragraph, span=4)
        return [] if index is None else self.lines[max(0, index - limit) : index]

    def below(self, last_paragraph: str, limit: int = 12) -> list[str]:
        """Lines just below the article body: where editors and reporters are credited."""
        index = self.find(last_paragraph, end=True)
        return [] if index is None else self.lines[index + 1 : index + 1 + limit]

    def under(self, headline: str, limit: int = 12) -> list[str]:
        """Lines just below the headline's own line: where dates and sources are printed
        when the body's first lines cannot be found among the page's lines."""
        index = self.find(headline)
        return [] if index is None else self.lines[index + 1 : index + 1 + limit]


def _unwrap_layout(tree) -> None:
    """Pre-2015 Chinese templates lay whole pages out in tables; a cell that holds
    paragraphs is layout, not data. Turned into divs, its paragraphs stay paragraphs
    instead of being joined into one table row by the extractor."""
    for table in tree.xpath("//table[.//td//p or .//td//table or .//td//br]"):
        for node in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
            node.tag = "div"
    # The same for lists: a list item holding paragraphs of text in bulk is a page column
    # (a two-column template built as <ul><li>), not an item of a list, and an extractor
    # reading it as one would join the whole article into a single line. (Items of real
    # lists with a paragraph or two, such as link rolls, stay lists.)
    for item in tree.xpath("//li[count(.//p) >= 3 and string-length(normalize-space()) > 500]"):
        holder = item.getparent()
        if holder is not None and holder.tag in ("ul", "ol"):
            holder.tag = "div"
        item.tag = "div"


def _embedded_paragraphs(selector: Selector, spec: dict) -> tuple[list[str], list[dict]]:
    """Bodies some templates ship as JSON for client-side rendering (CGTN share pages).
    The profile says where the JSON is and which entries are text or images."""
    raw = selector.css(spec["selector"]).get()
    if not raw:
        return [], []
    try:
        entries = json.loads(raw)
    except ValueError:
        return [], []
    paragraphs, captions = [], []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        kind = str(entry.get(spec.get("type_field", "type")))
        if kind in spec.get("text_types", []):
            fragment = entry.get(spec.get("text_field", "content")) or ""
            markup = Selector(text=f"<p>{fragment}</p>").xpath("string()").get() or ""
            text = re.sub(r"\s+", " ", markup)
            if text.strip():
                paragraphs.append(text.strip())
        elif kind in spec.get("image_types", []):
            image = entry.get(spec.get("image_field", "img")) or {}
            caption = (image.get("caption") or "").strip() if isinstance(image, dict) else ""
            if caption:
                captions.append({"raw": caption, "image": image.get("url")})
    return paragraphs, captions


def _body_paragraphs(html: str, selectors: tuple[str, ...]) -> list[str]:
    """The paragraphs under the first of the profile's body selectors that holds any."""
    if not selectors:
        return []
    selector = Selector(root=load_html(html), type="html")
    for css in selectors:
        for node in selector.css(css)[:1]:
            found = [" ".join(p.split()) for p in node.css("p").xpath("string()").getall()]
            found = [p for p in found if p]
            if found:
                return found
    return []


# A fast extraction keeps little when it keeps fewer characters than this, or less than
# this share of the text in the page's <p> elements; it is doubtful, too, when it keeps
# fewer characters than this share of the densest block's (pipelines/density.py; the
# block's count is without spaces, trafilatura's with them). docs/DESIGN.md; 13% of
# the trafilatura set's pages are re-run.
DOUBTFUL_CHARS = 200
DOUBTFUL_SHARE = 0.25
BLOCK_SHARE = 0.8


def _trafilatura(tree, url: str, *, fast: bool, precision: bool = True):
    return trafilatura.bare_extraction(
        tree,
        url=url,
        # Our own metadata (profile selectors, head meta, header lines) is what the record
        # uses; trafilatura's metadata pass was a third of its time (docs/PERFORMANCE.md).
        with_metadata=False,
        include_comments=False,
        include_tables=True,  # legacy Chinese templates lay the whole body out in tables
        include_images=False,
        favor_precision=precision,
        fast=fast,
        deduplicate=False,
        date_extraction_params=DATE_PARAMS,
    )


def _unpruned(html: str):
    """A fresh parse of the page, as the first one was prepared (layout unwrapped), for
    another trafilatura run: each run prunes the tree it is given."""
    tree = load_html(html)
    if tree is not None:
        remove_furniture(tree)
        _unwrap_layout(tree)
    return tree


def _paragraphs(document) -> list[str]:
    """trafilatura's text, a paragraph a line."""
    text = (document.text if document is not None else "") or ""
    return [p.strip() for p in text.split("\n") if p.strip()]


# trafilatura's body is in doubt when less than this share of its text lies in the
# densest block of the page (pipelines/density.py).
AGREEMENT = 0.5


def _agreement(paragraphs: list[str], block: Block) -> float:
    total = sum(len(p) for p in paragraphs)
    inside = sum(len(p) for p in paragraphs if block.holds(p))
    return inside / total if total else 0.0


def _second_opinion(paragraphs: list[str], block: Block | None, html: str, url: str) -> list[str]:
    """trafilatura's paragraphs checked against the page's densest block of prose.

    When most of them lie outside it (a list of headlines, a comment thread, the site's
    navigation), trafilatura's reading of that block alone replaces them. When most lie
    inside, what trafilatura appended after the block's last paragraph (comments,
    "recommended" lists, hot-news rankings) goes. Chinese pages only: on the English and
    European pages of the development set the densest block is too often one part of
    the body (make eval, docs/DESIGN.md)."""
    if block is None or not block.chinese or not paragraphs:
        return paragraphs
    if _agreement(paragraphs, block) >= AGREEMENT:
        last = max(i for i, p in enumerate(paragraphs) if block.holds(p))
        return paragraphs[: last + 1]
    if len(block.compact) < sum(len(_SPACES.sub("", p)) for p in paragraphs) / 2:
        # A block much shorter than trafilatura's text is a part of a long body (one
        # section of an encyclopedia entry), not a better body.
        return paragraphs
    again = _unpruned(html)
    if again is None:
        return paragraphs
    found = again.getroottree().xpath(block.path)
    if not found:
        return paragraphs
    page = lxml.html.document_fromstring("<html><body></body></html>")
    page.find("body").append(found[0])
    alone = _trafilatura(page, url, fast=True, precision=False)
    return _paragraphs(alone) or paragraphs


def extract(html: str, url: str, profile: Profile | None = None) -> Extraction:
    if not html or not html.strip():
        raise ExtractionFailed("empty_page")
    # trafilatura's own loader: the same tolerant parse its extractor is tuned for.
    tree = load_html(html)
    if tree is None:
        raise ExtractionFailed("unparseable_html", "no HTML document could be parsed")
    # Read everything we need from the tree first: trafilatura prunes it in place.
    meta = _head_meta(tree)
    canonical = _canonical(tree) or meta.get("og:url")
    captions = _captions(tree) + _pictures_captions(tree)
    section = _jsonld_section(tree)
    # The profile's selectors run on the same parse (one parse a page, not two).
    selector = Selector(root=tree, type="html")
    embedded: list[str] = []
    if profile is not None and profile.embedded_body:
        embedded, embedded_captions = _embedded_paragraphs(selector, profile.embedded_body)
        captions.extend(embedded_captions)
    profile_fields: dict[str, list[str]] = {}
    missed: list[str] = []
    if profile is not None:
        for name, selectors in profile.metadata.items():
            for css in selectors:
                values = _select(selector, css)
                if values:
                    profile_fields[name] = values
                    break
            else:
                missed.append(name)
    headings = [t for t in (_text(h) for h in tree.xpath("//h1|//h2")[:12]) if t]
    first_h1 = next((t for t in (_text(h) for h in tree.iter("h1")) if t), None)
    marked = standfirst_candidates(tree)
    remove_furniture(tree)
    _unwrap_layout(tree)
    title_node = tree.find(".//title")
    page_title = _text(title_node) if title_node is not None else None
    html_lang = (tree.get("lang") or meta.get("language") or "").strip() or None
    # The text the page holds in paragraphs, for the check that the fast result is whole.
    page_chars = sum(len(t) for t in tree.xpath("//p//text()"))
    block = main_block(tree)
    document = _trafilatura(tree, url, fast=True)
    found = len((document.text if document else "") or "")
    little = max(DOUBTFUL_CHARS, DOUBTFUL_SHARE * page_chars)
    wanted = max(little, BLOCK_SHARE * len(block.compact)) if block is not None else little
    if found < wanted:
        # Doubtful: trafilatura's fast path kept little of the page's paragraph text or
        # of its densest block (the wrong block, part of the body, or nothing). Its
        # fallback comparison (readability, jusText) picks better there, at about five
        # times the cost, so it runs only on such pages. If even that keeps little of
        # the page, precision mode is what drops the body (a template it reads as
        # boilerplate), and the recall mode's result goes to the cleaning stage; a page
        # doubtful only against its block does not get recall mode (on zh-dev it let
        # junk in). Each run needs an unpruned tree: the one before pruned its own.
        for precision in (True, False) if found < little else (True,):
            again = _unpruned(html)
            if again is None:
                break
            full = _trafilatura(again, url, fast=False, precision=precision)
            kept = len((full.text if full else "") or "")
            if kept > found:
                document, found = full, kept
            if found >= wanted:
                break
    if embedded:
        paragraphs = embedded
    elif document is None or not (document.text or "").strip():
        # trafilatura pruned the tree: the fallback parses the page again (rare).
        paragraphs = _body_paragraphs(html, profile.body if profile else ())
        if not paragraphs:
            raise ExtractionFailed("no_article_text", "trafilatura found no main text")
    else:
        paragraphs = _second_opinion(_paragraphs(document), block, html, url)
    if section:
        profile_fields.setdefault("section", [section])
    lines = PageLines.of(html)
    return Extraction(
        url=url,
        paragraphs=paragraphs,
        title=document.title if document else None,
        page_title=page_title,
        og_title=meta.get("og:title"),
        canonical_url=canonical,
        html_lang=html_lang,
        description=document.description if document else None,
        author=document.author if document else None,
        date=document.date if document else None,
        sitename=meta.get("og:site_name") or meta.get("application-name"),
        tags=_meta_tags(meta),
        captions=captions,
        meta=meta,
        profile_fields=profile_fields,
        headings=headings,
        selector_missed=missed,
        header_lines=lines.above(paragraphs[0]),
        standfirst=standfirst(marked, paragraphs, lines, first_h1) if not embedded else [],
        lines=lines,
        trailer_lines=lines.below(paragraphs[-1]),
    )
