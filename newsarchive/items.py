"""What the spider hands to the pipelines: captured pages, not yet interpreted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newsarchive.record import WarcPointerDict


@dataclass
class CapturedPage:
    """One fetched page of an article, with its place in the WARC."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    # Where the capture is in the WARC, and when it was made: None for a page given to
    # `newsarchive extract` or the probe, which is not archived.
    warc: WarcPointerDict | None
    fetched_at: str | None
    http: dict[str, Any] = field(default_factory=dict)


@dataclass
class ArticlePage:
    """An article page (all its pages, when the outlet splits it) ready for extraction."""

    source: str
    url: str
    language: str | None
    pages: list[CapturedPage]
    discovered: dict[str, Any] = field(default_factory=dict)
    # What the crawl state knew of this URL before this fetch (None: a new article).
    known: dict[str, Any] | None = None

    @classmethod
    def single(
        cls,
        source: str,
        url: str,
        body: bytes,
        content_type: str | None = None,
        language: str | None = None,
    ) -> ArticlePage:
        """One page given by hand (``newsarchive extract``, the probe, the evaluation),
        not captured by a crawl: no WARC pointer, no capture time."""
        page = CapturedPage(url, 200, content_type, body, warc=None, fetched_at=None)
        return cls(source, url, language, [page])


@dataclass
class PageUnchanged:
    """A refetched article whose capture is a revisit record: nothing new to store."""

    source: str
    url: str
    warc: dict[str, Any]
    fetched_at: str
    http: dict[str, Any]


@dataclass
class PageGone:
    """A known article found gone: recorded as deleted, never dropped. ``kind`` says how
    (``http_404``/``http_410`` by status, ``redirect`` away from the article,
    ``gone_notice``: a 200 page saying it is gone), ``warc`` points at the record that
    shows it, ``detail`` names the redirect's target or the words the page said."""

    source: str
    url: str
    status: int
    warc: dict[str, Any]
    fetched_at: str
    kind: str = ""
    detail: str | None = None

    def __post_init__(self) -> None:
        self.kind = self.kind or f"http_{self.status}"
