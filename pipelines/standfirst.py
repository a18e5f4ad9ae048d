"""The standfirst: the summary a page prints between its headline and its body (dek,
lead, teaser, intro, excerpt, summary).

trafilatura keeps the block it judges to be the article and drops the page's header, and
most templates set the standfirst in the header, next to the headline and the byline: on
the trafilatura development set it was the largest single cause of missed text (about 45
of 220 missed snippets). It is the article's text as printed, so it is read here, before
trafilatura prunes the tree, and put back in front of the body when it lies where a
standfirst lies: below the headline, just above the body, not already in the body.

Templates mark it by class name, in every language the same few words
(``p.lead``, ``div.teaser-text``, ``h2.article-subheadline``, ``div.summary``, ``p.dek``,
``div.chapo``), so the rule is one pattern over class names plus the position test, no
site's selector. Rails of other articles use the same words ("teaser"), which is why
position decides: a rail is not between the headline and the first paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.extract import PageLines

# A class or id word naming a standfirst. ``-text``/``_text`` suffixes ("teaser-text",
# "lead_text") are part of the same word; "lead-asset" (a lead picture) is caught later:
# a picture has no text of its own.
MARK = re.compile(
    r"(?:^|[-_\s])(?:lead|intro|standfirst|excerpt|summary|sub-?title|sub-?headline|"
    r"teaser|deck|dek|abstract|chapo|sapo|bajada|entradilla)(?:$|[-_\s]|text)",
    re.I,
)
_ELEMENTS = ("p", "div", "h2", "h3", "h4", "span", "section", "header")
# Inside these a marked element is a link, a list entry, a rail or a picture: not a
# standfirst of this page.
_OUTSIDE = frozenset({"a", "nav", "aside", "footer", "li", "ul", "ol", "form", "button"})
# Text inside these is never standfirst: pictures and their captions, credits, bylines,
# dates, share buttons.
_SILENT = frozenset(
    {"figure", "figcaption", "picture", "script", "style", "noscript", "button", "svg", "h1"}
)
# A class word starting so ("caption__text", "imagebox", "datetime"; not "update").
_SILENT_CLASS = re.compile(
    r"(?:^|[-_\s])(?:caption|credit|copyright|photo|image|picture|author|byline|date|time|"
    r"share|social)",
    re.I,
)
_BLOCK = frozenset({"p", "div", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "section"})
# A paragraph shorter than this (non-space characters) is a label, a byline or a link
# ("Herunterladen", "von Michael Andrusio"), not a summary.
MIN_CHARS = 50
MAX_CHARS = 1500
# How many of the page's text lines may lie between the standfirst and the body: the
# byline, date, picture credit and share bar that templates set there.
MAX_GAP = 15
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Standfirst:
    """A marked block's paragraphs, read before trafilatura prunes the page."""

    paragraphs: tuple[str, ...]


def _marked(node) -> bool:
    return bool(MARK.search(f"{node.get('class') or ''} {node.get('id') or ''}"))


def _silent(node) -> bool:
    return node.tag in _SILENT or bool(_SILENT_CLASS.search(node.get("class") or ""))


def _blocks(node) -> list[str]:
    """The node's text, a paragraph a block, without the text of silent descendants. A
    block mostly of link text is left out; a link inside a sentence is kept."""
    blocks: list[list[str]] = [[]]
    link_chars = [0]

    def walk(element, in_link: bool) -> None:
        if element is not node and (not isinstance(element.tag, str) or _silent(element)):
            return
        if element.tag in _BLOCK and blocks[-1]:
            blocks.append([])
            link_chars.append(0)
        if element.text:
            blocks[-1].append(element.text)
            if in_link or element.tag == "a":
                link_chars[-1] += len(element.text.strip())
        for child in element:
            walk(child, in_link or element.tag == "a")
            if child.tail:
                blocks[-1].append(child.tail)
                if in_link or element.tag == "a":
                    link_chars[-1] += len(child.tail.strip())
        if element.tag in _BLOCK and blocks[-1]:
            blocks.append([])
            link_chars.append(0)

    walk(node, False)
    out = []
    for parts, links in zip(blocks, link_chars, strict=True):
        text = _SPACES.sub(" ", "".join(parts)).strip()
        if text and links <= len(text) / 2:
            out.append(text)
    return out


def candidates(tree) -> list[Standfirst]:
    """Marked blocks that could be the standfirst, in page order. Only the innermost of
    nested marked blocks counts (``div.intro`` holding ``div.intro-text`` is read as the
    inner one). One pass over the page: each marked block flags its ancestors once."""
    marked = [node for node in tree.iter(*_ELEMENTS) if _marked(node)]
    holders: set = set()
    for node in marked:
        for ancestor in node.iterancestors():
            if ancestor in holders:
                break
            holders.add(ancestor)
    found = []
    for node in marked:
        if node in holders:
            continue
        if any(a.tag in _OUTSIDE or _silent(a) for a in node.iterancestors()):
            continue
        paragraphs = [p for p in _blocks(node) if MIN_CHARS <= len(_SPACES.sub("", p)) <= MAX_CHARS]
        if paragraphs:
            found.append(Standfirst(tuple(paragraphs)))
    return found


def standfirst(
    marked: list[Standfirst], body: list[str], lines: PageLines, headline: str | None
) -> list[str]:
    """The paragraphs of the marked blocks printed in the lines just above the body (at
    most ``MAX_GAP`` of them, and below the headline), which the body does not hold."""
    if not marked or not body:
        return []
    start = lines.find(body[0], span=4)
    if start is None:
        return []
    first = max(0, start - MAX_GAP)
    top = lines.find(headline) if headline else None
    if top is not None and top < start:
        first = max(first, top + 1)
    above = lines.compact[first:start]
    inside = _SPACES.sub("", "".join(body))
    kept: list[str] = []
    for block in marked:
        probe = _SPACES.sub("", block.paragraphs[0])[:15]
        if not any(probe in line for line in above):
            continue
        for paragraph in block.paragraphs:
            if _SPACES.sub("", paragraph)[:40] not in inside and paragraph not in kept:
                kept.append(paragraph)
    return kept
