"""A second opinion on where the article body is: the block of the page densest in
running text, by text, link and punctuation density (the method of GeneralNewsExtractor,
"基于文本及符号密度的网页正文提取方法").

trafilatura decides by its own rules which block is the article and, on some Chinese
templates, keeps a ranking of "hot news" links or a comment thread instead. Prose has
few tags per character and punctuation every few characters; navigation, link lists and
comment threads have many tags and links and little punctuation. The extractor
(:mod:`pipelines.extract`) compares trafilatura's paragraphs with this block and
re-runs trafilatura on the block alone when the two disagree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_PUNCTUATION = frozenset("，。！？；：、“”（）《》,.;:!?")
_DROP_PUNCTUATION = {ord(c): None for c in _PUNCTUATION}
# Elements whose text is never shown as prose.
_SILENT = frozenset({"script", "style", "noscript", "head", "template", "textarea", "select"})
# Elements that can hold an article body.
_CANDIDATES = frozenset({"div", "article", "section", "td", "main", "body"})
# A block with less running text than this is not an article body.
MIN_CHARS = 50
MIN_PROBE = 6
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(frozen=True)
class Block:
    """The chosen block: its XPath in the parsed page, and its visible text without
    whitespace (for matching paragraphs, which trafilatura spaces differently)."""

    path: str
    compact: str

    @property
    def chinese(self) -> bool:
        """Whether the block's text is mostly Chinese (the scores were tuned on such)."""
        han = sum(1 for c in self.compact[:2000] if "\u4e00" <= c <= "\u9fff")
        return han >= 0.3 * min(len(self.compact), 2000)

    def holds(self, paragraph: str) -> bool:
        """Whether a paragraph's opening (or whole, when short) is text of this block. A
        paragraph of a word or two ("推荐", "Share") proves nothing and does not count."""
        probe = _SPACES.sub("", paragraph)[:15]
        return len(probe) >= MIN_PROBE and probe in self.compact


@dataclass
class _Counts:
    chars: int = 0
    link_chars: int = 0
    tags: int = 1
    link_tags: int = 0
    punctuation: int = 0
    paragraphs: int = 0

    def add(self, other: _Counts) -> None:
        self.chars += other.chars
        self.link_chars += other.link_chars
        self.tags += other.tags
        self.link_tags += other.link_tags
        self.punctuation += other.punctuation
        self.paragraphs += other.paragraphs

    def add_text(self, text: str | None) -> None:
        if text:
            compact = _SPACES.sub("", text)
            self.chars += len(compact)
            # Counted in C: the characters translate() drops are the punctuation.
            self.punctuation += len(compact) - len(compact.translate(_DROP_PUNCTUATION))

    def score(self) -> float:
        """Text per tag, weighted up by paragraphs and punctuation and down by the share
        of link text (squared: a list of links is never the body)."""
        text = self.chars - self.link_chars
        if text < MIN_CHARS:
            return 0.0
        density = text / (self.tags - self.link_tags + 3)
        return (
            density
            * math.log10(self.paragraphs + 2)
            * math.log(self.punctuation + 2)
            * (text / self.chars) ** 2
        )


def main_block(tree) -> Block | None:
    """The page's block with the best density score, or None when no block holds
    ``MIN_CHARS`` of running text."""
    best: tuple[float, object] | None = None
    counted: dict[object, _Counts] = {}

    def walk(node) -> _Counts:
        counts = _Counts()
        tag = node.tag if isinstance(node.tag, str) else ""
        if not tag or tag in _SILENT or _HIDDEN.search(node.get("style") or ""):
            counts.tags = 0
            return counts
        counts.add_text(node.text)
        for child in node:
            counts.add(walk(child))
            counts.add_text(child.tail)
        if tag == "a":
            counts.link_chars, counts.link_tags, counts.punctuation = counts.chars, counts.tags, 0
        elif tag == "p":
            counts.paragraphs += 1
        if tag in _CANDIDATES:
            counted[node] = counts
        return counts

    # A malformed page can parse into several top-level elements (a stray </html> and
    # more markup after it): every one of them is looked at.
    for root in tree.getroottree().xpath("/*") or [tree]:
        walk(root)
    for node, counts in counted.items():
        score = counts.score()
        if score > 0 and (best is None or score > best[0]):
            best = (score, node)
    if best is None:
        return None
    node = best[1]
    return Block(node.getroottree().getpath(node), "".join(_shown_text(node)))  # type: ignore[attr-defined]


def _shown_text(node) -> list[str]:
    """The element's text without whitespace, leaving out scripts and styles."""
    parts = [_SPACES.sub("", node.text or "")]
    for child in node:
        if isinstance(child.tag, str) and child.tag not in _SILENT:
            parts.extend(_shown_text(child))
        parts.append(_SPACES.sub("", child.tail or ""))
    return parts
