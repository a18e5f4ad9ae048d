"""The article record: what the pipelines produce, the archive stores and the read side
reads, as a type.

``docs/article.schema.json`` is the published contract (researchers validate against
it); this is the same contract for mypy. ``tests/test_record_type.py`` checks that the
two name the same fields, require the same ones and agree on each field's JSON type, so
neither can drift from the other.
"""

from typing import Any, NotRequired, TypedDict

SCHEMA_VERSION = 1


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
    source: str
    outlet: str | None
    language: str | None
    title: str | None
    paragraphs: list[str]
    text: str
    authors: list[str]
    editor: str | None
    agency: str | None
    dateline: str | None
    section: str | None
    tags: list[str]
    published: str | None
    updated: str | None
    fetched_at: str | None
    captions: list[Caption]
    removed: dict[str, int]
    selector_missed: NotRequired[list[str]]
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


def versioned(record: ArticleRecord, version: int, previous_sha256: str | None) -> ArticleRecord:
    """The record as the given version of its article (the recrawl policy decides which:
    :meth:`newsarchive.state.PageState.next_version`)."""
    return {**record, "version": version, "previous_sha256": previous_sha256}
