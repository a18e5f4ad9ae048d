"""``newsarchive show ID``: one article; ``--raw``: its captured HTTP response, read from
the WARC with a range request of exactly that record (offset and length from the article
record), never the whole file."""

from __future__ import annotations

import io
from collections.abc import Callable

from warcio.archiveiterator import ArchiveIterator

from corpus.reader import ArchiveReader
from newsarchive.archive.article_files import recency
from newsarchive.archive.warc import WarcPointer, read_record
from newsarchive.decode import decode_html
from newsarchive.urls import NotAWebUrl, identity


class Ambiguous(ValueError):
    """An id prefix that starts more than one article's id."""


def _identity(url: object) -> str | None:
    try:
        return identity(url) if isinstance(url, str) else None
    except NotAWebUrl:
        return None


def _matcher(wanted: str) -> Callable[[dict], bool]:
    """How a record is recognised from what a reader typed: a URL in any of the
    spellings the crawler treats as one page (http or https, host case, tracking
    parameters, escapes; the fetched or the canonical URL), else an id or the start of
    one."""
    if "://" in wanted or wanted.startswith("//"):
        key = _identity(wanted)
        return lambda record: (
            key is not None
            and key
            in (
                _identity(record.get("url")),
                _identity(record.get("canonical_url")),
            )
        )
    prefix = wanted.strip().lower()
    return lambda record: isinstance(record.get("id"), str) and record["id"].startswith(prefix)


def find(reader: ArchiveReader, wanted: str, sources: list[str] | None = None) -> dict | None:
    """The latest version of the article with this id, id prefix or URL. Raises
    :class:`Ambiguous` for a prefix of several articles' ids."""
    match = _matcher(wanted)
    found = [
        record
        for item in reader.select("articles", sources=sources)
        for record in reader.records(item)
        if match(record)
    ]
    ids = sorted({str(record.get("id")) for record in found})
    if len(ids) > 1 and "://" not in wanted:
        shown = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
        raise Ambiguous(f"{wanted!r} starts {len(ids)} article ids ({shown}): give more of it")
    return max(found, key=recency, default=None)


def _shown(value: object) -> str:
    """A field as a reader sees it: a dash where the page gave nothing, never 'None'."""
    return "—" if value is None or value == "" or value == [] else str(value)


def render(record: dict) -> str:
    published = _shown(record.get("published"))
    if record.get("published") is None and record.get("published_estimate"):
        published += (
            f" (estimate {record['published_estimate']}, from the {record.get('published_source')})"
        )
    head = [
        record.get("title") or "(no title)",
        "",
        f"url        {record['url']}",
        f"source     {record['source']} ({_shown(record.get('language'))})",
        f"published  {published}   updated {_shown(record.get('updated'))}",
        f"agency     {_shown(record.get('agency'))}   dateline {_shown(record.get('dateline'))}",
        f"authors    {_shown(', '.join(record.get('authors') or []))}   "
        f"editor {_shown(record.get('editor'))}",
        f"captured   {_shown(record.get('fetched_at'))}   version {record.get('version', 1)}",
        f"warc       {record['warc']['filename']} @ {record['warc']['offset']} "
        f"{record['warc']['record_id']}"
        if record.get("warc")
        else "warc       (none)",
        "",
    ]
    return "\n".join(head) + record["text"]


def _response(reader: ArchiveReader, record: dict):
    data = read_record(reader.storage, WarcPointer.parse(record.get("warc")))
    return next(iter(ArchiveIterator(io.BytesIO(data))))


def body(reader: ArchiveReader, record: dict) -> bytes:
    """The page's bytes as the server sent them, its content-encoding (gzip…) undone."""
    return _response(reader, record).content_stream().read()


def html(reader: ArchiveReader, record: dict) -> str:
    """The page as text, decoded as the pipelines decode it (newsarchive.decode: the
    charset that really decodes it, GBK served as UTF-8 included)."""
    response = _response(reader, record)
    content_type = response.http_headers.get_header("Content-Type")
    text, _, _ = decode_html(response.content_stream().read(), content_type)
    return text


def raw_response(reader: ArchiveReader, record: dict) -> bytes:
    warc_record = _response(reader, record)
    status = warc_record.http_headers.statusline
    protocol = warc_record.http_headers.protocol or "HTTP/1.1"
    # The body is printed with its content-encoding undone, so say so instead of claiming
    # the bytes are still gzip; `warcio extract` gives the stored bytes untouched.
    headers = "".join(
        f"{'X-Decoded-Content-Encoding' if k.lower() == 'content-encoding' else k}: {v}\r\n"
        for k, v in warc_record.http_headers.headers
    )
    body = warc_record.content_stream().read()
    return f"{protocol} {status}\r\n{headers}\r\n".encode("latin-1") + body
