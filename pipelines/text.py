"""The cleaner on plain text: a text dump of a page (one block per line) in, the clean
article out. Same rules as for HTML, plus one that only text needs: with no markup to
say where the article is, a short line that does not end a sentence (a headline, a
column label, a menu item) is not body text.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from newsarchive.profiles import Profile
from pipelines.clean import clean
from pipelines.normalize import find_agency, find_dateline, find_editor, labelled_dates

SENTENCE_END = re.compile(r"[.!?。！？…”\"'’」』)）]\s*$")
FRAGMENT_MAX = 120


def clean_lines(lines: list[str], profile: Profile | None = None) -> dict[str, Any]:
    """Returns paragraphs, captions, removed (per rule) and the metadata the dropped
    lines state (dates, agency, editor) plus the dateline of the first paragraph."""
    raw = [line.strip() for line in lines if line.strip()]
    cleaned = clean(raw, profile=profile)
    removed: Counter = Counter(cleaned.removed)
    body, fragments = [], []
    for line in cleaned.paragraphs:
        is_fragment = len(line) < FRAGMENT_MAX and not SENTENCE_END.search(line)
        if is_fragment and not re.search(r"\bEnditem$", line):
            fragments.append(line)
            removed["fragment"] += 1
        else:
            body.append(line)
    dropped = [line for line in raw if line not in body]
    dates: dict[str, str] = {}
    for line in dropped:
        for kind, value in labelled_dates(line).items():
            dates.setdefault(kind, value)
    dateline, dateline_agency = find_dateline(body[0] if body else None)
    return {
        "paragraphs": body,
        "text": "\n\n".join(body),
        "captions": [{"text": c["text"], "credit": c["credit"]} for c in cleaned.captions],
        "removed": dict(sorted(removed.items())),
        "published": dates.get("published"),
        "updated": dates.get("updated"),
        "agency": find_agency(*dropped) or dateline_agency,
        "editor": find_editor(*dropped),
        "dateline": dateline,
    }
