"""Furniture set inside the article's own column, which trafilatura keeps because it sits
among the body's paragraphs: cross-reference lines ("Read also: <a>another headline</a>",
"Lea también: …", "Czytaj też: …").

A cross-reference is recognised by markup, not by wording, so the rule holds in any
language: a paragraph that is a short label and one link to another page, which ends it.
It is removed from the parsed page before trafilatura reads it (:mod:`pipelines.extract`).
On the trafilatura development set this removed 11 of the 212 snippets kept that should
not have been, and no wanted one. Posts embedded from social networks look like the same
kind of furniture, but the set wants their text as often as not (docs/DESIGN.md).
"""

from __future__ import annotations

import re

# A cross-reference's label: a few words before the link ("Lea también:", "Czytaj też:",
# "À lire aussi »", "Read more:"), ending in a colon, a guillemet or an arrow.
LABEL_CHARS = 40
_LABEL_END = re.compile(r"[:：»›>→]\s*$")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _text(node) -> str:
    return _SPACES.sub(" ", "".join(node.itertext())).strip()


def _is_cross_reference(paragraph) -> bool:
    """A paragraph that is a short label followed by a single link to another page, with
    nothing after the link: a pointer to another article, not a sentence."""
    links = list(paragraph.iter("a"))
    href = (links[0].get("href") or "").strip().lower() if len(links) == 1 else ""
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return False
    text = _text(paragraph)
    link = _text(links[0])
    if not link or not text.endswith(link) or len(link) < len(text) / 2:
        return False
    label = text[: len(text) - len(link)].strip()
    words = _WORD.findall(label)
    return len(label) <= LABEL_CHARS and bool(words) and bool(_LABEL_END.search(label))


def _cross_references(tree) -> int:
    found = [p for p in tree.iter("p") if _is_cross_reference(p)]
    for node in found:
        node.drop_tree()
    return len(found)


def remove_furniture(tree) -> int:
    """Removes cross-reference lines from the parsed page; how many."""
    return _cross_references(tree)
