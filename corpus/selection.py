"""What a researcher asked for: sources, a date range, a language, a phrase.

Sources and dates pick partitions (``source=``/``date=`` in the key), so a narrow
selection reads only the files it needs; language and phrase are checked per record.
The date is the partition date: the article's publication date as the outlet gives it,
else the day it was captured.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import date

from newsarchive.archive import layout


def _day(value: str, *, end: bool) -> date:
    try:
        return layout.period_day(value, end=end)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def since_day(value: str) -> date:
    """``--since 2023`` means from 1 January 2023."""
    return _day(value, end=False)


def until_day(value: str) -> date:
    """``--until 2023`` means up to and including 31 December 2023."""
    return _day(value, end=True)


@dataclass(frozen=True)
class Selection:
    sources: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    languages: list[str] = field(default_factory=list)
    contains: str | None = None

    def matches(self, record: dict) -> bool:
        if self.languages and (record.get("language") or "").casefold() not in {
            language.casefold() for language in self.languages
        }:
            return False
        if self.contains:
            needle = self.contains.casefold()
            haystack = f"{record.get('title') or ''}\n{record.get('text') or ''}".casefold()
            if needle not in haystack:
                return False
        return True

    def describe(self) -> str:
        parts = [", ".join(self.sources) if self.sources else "all sources"]
        if self.since or self.until:
            parts.append(f"{self.since or '…'} .. {self.until or '…'}")
        if self.languages:
            parts.append("language " + ", ".join(self.languages))
        if self.contains:
            parts.append(f"containing {self.contains!r}")
        return "; ".join(parts)
