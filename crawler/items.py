"""What the spider hands to the pipelines: captured pages, not yet interpreted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CapturedPage:
    """One fetched page of an article, with its place in the WARC."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    warc: dict[str, Any]
    fetched_at: str


@dataclass
class ArticlePage:
    """An article page (all its pages, when the outlet splits it) ready for extraction."""

    source: str
    url: str
    language: str | None
    pages: list[CapturedPage]
    discovered: dict[str, Any] = field(default_factory=dict)
