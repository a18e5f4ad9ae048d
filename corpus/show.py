"""``newsarchive show ID``: one article; ``--raw``: its captured HTTP response, read from
the WARC with a range request of exactly that record (offset and length from the article
record), never the whole file."""

from __future__ import annotations

import io
from collections.abc import Callable

from warcio.archiveiterator import ArchiveIterator

from corpus.reader import ArchiveReader
from corpus.terminal import printable
from newsarchive.archive.article_files import each_version, recency
from newsarchive.archive.article_index import read_index
from newsarchive.archive.warc import WarcPointer, read_record
from newsarchive.decode import decode_html
from newsarchive.urls import maybe_identity


class Ambiguous(ValueError):
    """An id prefix that starts more than one article's id."""


def _matcher(wanted: str) -> Callable[[str, str | None, str | None], bool]:
    """How an article is recognised from what a reader typed, given its (id, URL
    identity, canonical URL identity): a URL in any of the spellings the crawler treats
    as one page (http or https, host case, tracking parameters, escapes; the fetched or
    the canonical URL), else an id or the start of one."""
    if "://" in wanted or wanted.startswith("//"):
        key = maybe_identity(wanted)
        return lambda _id, url, canonical: key is not None and key in (url, canonical)
    prefix = wanted.strip().lower()
    return lambda id_, _url, _canonical: id_.startswith(prefix)


def _located(reader: ArchiveReader, match, sources: list[str] | None) -> list[dict]:
    """Every record that matches, read through the runs' indexes: only the article files
    that hold a match are fetched. Files no index names (an archive older than the
    indexes, a killed run's files) are scanned whole."""
    wanted: dict[str, set[int]] = {}
    named: set[str] = set()
    for index in reader.select("index", sources=sources):
        problems: list[str] = []
        entries = list(read_index(reader.storage.get_bytes(index.key), problems))
        for entry in entries:
            if match(entry.id, entry.url, entry.canonical):
                wanted.setdefault(entry.key, set()).add(entry.line)
        if problems:  # a damaged index vouches for nothing: its files are scanned
            reader.problems += [f"{index.key}: {p}" for p in problems]
        else:
            named.update(entry.key for entry in entries)
    found = []
    for item in reader.select("articles", sources=sources):
        if item.key not in wanted and item.key in named:
            continue
        lines = wanted.get(item.key)
        try:
            found += [
                r
                for n, r in enumerate(reader.records(item))
                if (n in lines if lines is not None else _matches(match, r))
            ]
        except (OSError, EOFError, ValueError) as exc:
            reader.problems.append(f"{item.key}: unreadable article file, not searched ({exc})")
    return found


def _matches(match, record: dict) -> bool:
    return isinstance(record.get("id"), str) and match(
        record["id"], maybe_identity(record.get("url")), maybe_identity(record.get("canonical_url"))
    )


def _article(
    reader: ArchiveReader, wanted: str, sources: list[str] | None, pipeline: str | None = None
) -> list[dict]:
    """The records of the article with this id, id prefix or URL (those ``pipeline``
    extracted, if given). Raises :class:`Ambiguous` for a prefix of several articles' ids."""
    found = _located(reader, _matcher(wanted), sources)
    if pipeline is not None:
        found = [r for r in found if (r.get("pipeline") or {}).get("version") == pipeline]
    ids = sorted({str(record.get("id")) for record in found})
    if len(ids) > 1 and "://" not in wanted:
        shown = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
        raise Ambiguous(f"{wanted!r} starts {len(ids)} article ids ({shown}): give more of it")
    return found


def find(
    reader: ArchiveReader,
    wanted: str,
    sources: list[str] | None = None,
    pipeline: str | None = None,
) -> dict | None:
    """The latest version of the article with this id, id prefix or URL, in its newest
    extraction, or in the newest one ``pipeline`` made (an older extraction, kept when
    `newsarchive reprocess` extracted the capture again). Raises :class:`Ambiguous` for
    a prefix of several articles' ids."""
    return max(_article(reader, wanted, sources, pipeline), key=recency, default=None)


def versions(reader: ArchiveReader, wanted: str, sources: list[str] | None = None) -> list[dict]:
    """Every version of the article with this id, id prefix or URL, oldest first, each
    in its newest extraction (the latest capture of a version, if two workers took one)."""
    return each_version(_article(reader, wanted, sources))


def _shown(value: object) -> str:
    """A field as a reader sees it: a dash where the page gave nothing, never 'None'."""
    return "—" if value is None or value == "" or value == [] else str(value)


def render(record: dict) -> str:
    """The record for a reader: every field shown (a dash for none), whatever the record
    holds or lacks, and nothing that could drive the terminal (corpus.terminal)."""
    published = _shown(record.get("published"))
    if record.get("published") is None and record.get("published_estimate"):
        published += (
            f" (estimate {record['published_estimate']}, from the {record.get('published_source')})"
        )
    authors = record.get("authors")
    authors = ", ".join(map(str, authors)) if isinstance(authors, list) else authors
    version = record.get("version", 1)
    warc = record.get("warc") if isinstance(record.get("warc"), dict) else {}
    head = [
        _shown(record.get("title") or "(no title)"),
        "",
        f"url        {_shown(record.get('url'))}",
        f"source     {_shown(record.get('source'))} ({_shown(record.get('language'))})",
        f"published  {published}   updated {_shown(record.get('updated'))}",
        f"agency     {_shown(record.get('agency'))}   dateline {_shown(record.get('dateline'))}",
        f"authors    {_shown(authors)}   editor {_shown(record.get('editor'))}",
        f"captured   {_shown(record.get('fetched_at'))}   version {_shown(version)}",
        f"warc       {_shown(warc.get('filename'))} @ {_shown(warc.get('offset'))} "
        f"{_shown(warc.get('record_id'))}"
        if warc
        else "warc       (none)",
        "",
    ]
    text = record.get("text")
    return printable("\n".join(head) + (text if isinstance(text, str) else "—"))


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
