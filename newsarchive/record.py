"""The article record: what the pipelines produce, the archive stores and the read side
reads, as a type.

``docs/article.schema.json`` is the published contract (researchers validate against
it); this is the same contract for mypy. ``tests/test_record_type.py`` checks that the
two name the same fields, require the same ones and agree on each field's JSON type, so
neither can drift from the other.
"""

from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal, NotRequired, TypedDict

SCHEMA_VERSION = 1
# Every outlet the crawler targets dates its pages in Beijing time: an article's
# calendar day is Beijing's (a story posted at 00:30 +08:00 is of that day, not the UTC
# day before).
OUTLET_TIME = timezone(timedelta(hours=8))
# Where published_estimate comes from, best evidence first: the page itself, the feed
# (RSS/Atom, Xinhua's datasource lists) or sitemap that linked it, the date in its URL.
DateSource = Literal["page", "feed", "sitemap", "url"]
TitleSource = Literal["page", "feed", "sitemap"]


class Caption(TypedDict):
    text: str
    credit: str | None
    image: str | None


class WarcPointerDict(TypedDict):
    """Where a capture's response record lies, as stored: the WARC file's key, the
    record's offset and length in it, its WARC-Record-ID and WARC-Date (the dict form of
    :class:`newsarchive.archive.warc.WarcPointer`)."""

    filename: str
    offset: int
    length: int
    record_id: str
    date: str


class PagePointer(TypedDict):
    url: str
    warc: WarcPointerDict | None


class HttpFacts(TypedDict):
    status: int | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None


class Software(TypedDict):
    name: str
    version: str


class ArticleRecord(TypedDict):
    schema_version: int
    id: str
    url: str
    canonical_url: str
    # The canonical the page declared (rel=canonical, og:url), spelt canonically; the id
    # comes from it only when it is consistent (pipelines.normalize.identity_url).
    declared_canonical: NotRequired[str | None]
    source: str
    outlet: str | None
    language: str | None
    title: str | None
    # Where the title is from: the page, or (when the page has none) the feed or
    # sitemap that linked it.
    title_source: NotRequired[TitleSource | None]
    paragraphs: list[str]
    # The standfirst (dek, lead, summary) the page prints between headline and body;
    # ``paragraphs`` and ``text`` begin with it. Absent in records written before it.
    standfirst: NotRequired[list[str]]
    text: str
    authors: list[str]
    editor: str | None
    agency: str | None
    dateline: str | None
    section: str | None
    tags: list[str]
    published: str | None
    # The best evidence of the publication time the crawl saw, and where it is from:
    # `published` when the page states it, else what the feed or sitemap said, else the
    # URL's date. Never guessed; null when there is none. (Records written before it
    # was added lack both.)
    published_estimate: NotRequired[str | None]
    published_source: NotRequired[DateSource | None]
    updated: str | None
    fetched_at: str | None
    # When a capture was extracted again (newsarchive reprocess): the newest extraction of
    # a capture is the one readers take; the crawl's own extraction has none.
    extracted_at: NotRequired[str]
    # The republication cluster (newsarchive.stories), assigned when stored.
    story: NotRequired[str]
    captions: list[Caption]
    removed: dict[str, int]
    selector_missed: NotRequired[list[str]]
    # Markup date fields whose value cannot be a time (a 25th hour, a +99:00 offset):
    # skipped, so the date came from elsewhere or is null.
    impossible_dates: NotRequired[list[str]]
    content_sha256: str
    version: int
    previous_sha256: str | None
    http: HttpFacts
    warc: WarcPointerDict | None
    pages: list[PagePointer]
    incomplete: bool
    discovered: dict[str, Any]
    encoding: str
    encoding_label_overridden: bool
    extractor: Software
    pipeline: Software


def published_day(record: dict[str, Any]) -> date | None:
    """The outlet's calendar day of an article (Beijing's, :data:`OUTLET_TIME`), from
    ``published_estimate`` (``published`` for records written before it): the day of
    the archive's partitions, of ``download --since/--until`` and of the exports'
    ``published_date``. None when there is no evidence at all."""
    value = record.get("published_estimate") or record.get("published")
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(OUTLET_TIME).date() if moment.tzinfo else moment.date()


def versioned(record: ArticleRecord, version: int, previous_sha256: str | None) -> ArticleRecord:
    """The record as the given version of its article (the recrawl policy decides which:
    :meth:`newsarchive.state.PageState.next_version`)."""
    return {**record, "version": version, "previous_sha256": previous_sha256}
