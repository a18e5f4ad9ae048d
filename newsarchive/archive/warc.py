"""Rotating WARC/1.1 files: one gzip member per record, written with warcio.

A file is written as ``<name>.warc.gz.open`` in the spool and renamed when closed, so
a half-written file is never mistaken for a finished one (nor uploaded). Names carry
source, time, serial, host, process and a random tag: unique across hosts and workers.
"""

from __future__ import annotations

import io
import os
import secrets
import socket
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import GzippingWrapper, WARCWriter

from newsarchive.archive import layout
from newsarchive.storage import Storage
from newsarchive.storage.spool import Spool

GZIP_LEVEL = 1

WARC_VERSION = "WARC/1.1"
# Hop-by-hop framing that no longer describes the stored body: the body is kept as it
# came off the wire minus the chunked framing, so the header is renamed, not dropped.
_RENAMED = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}
# Never archive credentials that a proxy or site login added to a request.
_SECRET_REQUEST_HEADERS = {"authorization", "proxy-authorization"}


def warc_date(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def payload_digest(body: bytes) -> str:
    """WARC-Payload-Digest as warcio writes it (sha1, base32) for a body as received."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


@dataclass(frozen=True)
class Revisit:
    """The earlier capture an unchanged refetch refers to, instead of storing it again."""

    record_id: str
    target_uri: str
    date: str
    digest: str
    not_modified: bool = False  # a 304 answer rather than an identical 200 body


class BadRecord(ValueError):
    """The bytes at a record's offset are not the record the article points to."""


@dataclass(frozen=True)
class WarcPointer:
    """Where a record is: enough for an HTTP range request on the stored WARC. Written
    into article records by the writer here and read back from them by :meth:`parse`:
    the one pointer type of the archive."""

    filename: str
    offset: int
    length: int
    record_id: str
    date: str = ""

    @classmethod
    def parse(cls, warc: object) -> WarcPointer:
        """An article record's WARC pointer, checked: its file name decides what is read
        from the archive and where a copy is written, so it must be a WARC key of the
        layout, and offset and length must be numbers that can hold a record."""
        if not isinstance(warc, dict):
            raise layout.BadKey(f"{warc!r} is not a WARC pointer")
        name = str(layout.parse(warc.get("filename"), kind="warc"))
        offset, length, record_id = warc.get("offset"), warc.get("length"), warc.get("record_id")
        if not (
            isinstance(offset, int)
            and isinstance(length, int)
            and not isinstance(offset, bool)
            and not isinstance(length, bool)
        ):
            raise layout.BadKey(f"{name}: offset {offset!r} / length {length!r} are not numbers")
        if offset < 0 or length <= 0 or not isinstance(record_id, str):
            raise layout.BadKey(f"{name}: no record at offset {offset!r}, length {length!r}")
        date = warc.get("date")
        return cls(name, offset, length, record_id, date if isinstance(date, str) else "")

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "offset": self.offset,
            "length": self.length,
            "record_id": self.record_id,
            "date": self.date,
        }


def _host_tag() -> str:
    host = socket.gethostname().split(".")[0] or "host"
    return "".join(c if (c.isascii() and c.isalnum()) or c == "-" else "-" for c in host)[:40]


class _Gzip(GzippingWrapper):
    """One gzip member per record, at zlib level 1; a body the server already
    compressed (and that is stored as sent) is not compressed twice (level 0)."""

    def __init__(self, out, level: int = GZIP_LEVEL) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out


_ENCODED = {"gzip", "x-gzip", "br", "deflate", "zstd"}


def _level(record) -> int:
    headers = record.http_headers
    encoding = headers.get_header("Content-Encoding") if headers is not None else None
    return 0 if encoding and encoding.strip().lower() in _ENCODED else GZIP_LEVEL


class _WARCWriter(WARCWriter):
    """warcio compresses every record at level 9, the slowest, for a few percent of
    size: on a crawl that is most of the cost of writing a WARC (make bench: 1.3 ms a
    page at level 9). Records stay one gzip member each, as the standard wants."""

    def _write_warc_record(self, out, record):
        self.gzip = False
        try:
            return super()._write_warc_record(_Gzip(out, _level(record)), record)
        finally:
            self.gzip = True


class _WarcFile:
    def __init__(self, key: str, spool: Spool) -> None:
        self.key = key
        self.path = spool.open_path_for(key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh: IO[bytes] = self.path.open("wb")
        self.writer = _WARCWriter(self.fh, gzip=True, warc_version=WARC_VERSION)


class RotatingWarcWriter:
    def __init__(
        self,
        spool: Spool,
        *,
        source: str,
        crawl_id: str,
        crawl_date: str,
        max_bytes: int,
        info: dict[str, str],
        on_closed: Callable[[str, int], None] | None = None,
    ) -> None:
        self.spool = spool
        self.source = source
        self.crawl_id = crawl_id
        self.crawl_date = crawl_date
        self.max_bytes = max_bytes
        self.info = info
        self.on_closed = on_closed
        self.serial = 0
        self.records_in_file = 0
        self._current: _WarcFile | None = None
        self._tag = f"{_host_tag()}-{os.getpid()}-{secrets.token_hex(2)}"

    # -- files ---------------------------------------------------------------------
    def _file(self) -> _WarcFile:
        if self._current is None:
            self.serial += 1
            stamp = self.crawl_id.split("-", 1)[0].replace("T", "").rstrip("Z")
            name = f"newsarchive-{self.source}-{stamp}-{self.serial:05d}-{self._tag}.warc.gz"
            key = layout.warc_key(self.source, self.crawl_date, name)
            self._current = _WarcFile(key, self.spool)
            record = self._current.writer.create_warcinfo_record(name, dict(self.info))
            self._current.writer.write_record(record)
            self.records_in_file = 0
        return self._current

    def _rotate_if_full(self) -> None:
        if self._current is not None and self._current.fh.tell() >= self.max_bytes:
            self._close_current()

    def _close_current(self) -> None:
        current, self._current = self._current, None
        if current is None:
            return
        current.fh.flush()
        os.fsync(current.fh.fileno())
        current.fh.close()
        if self.on_closed:
            self.on_closed(current.key, self.records_in_file)
        self.spool.finish(current.key)

    def close(self) -> None:
        self._close_current()

    def _write(self, file: _WarcFile, record) -> WarcPointer:
        offset = file.fh.tell()
        file.writer.write_record(record)
        file.fh.flush()  # in the OS before anything refers to it: a kill cannot lose it
        self.records_in_file += 1
        return WarcPointer(
            file.key,
            offset,
            file.fh.tell() - offset,
            record.rec_headers.get_header("WARC-Record-ID"),
            record.rec_headers.get_header("WARC-Date"),
        )

    # -- records -------------------------------------------------------------------
    def write_exchange(
        self,
        *,
        url: str,
        date: datetime,
        method: str,
        request_target: str,
        request_headers: Iterable[tuple[str, str]],
        request_body: bytes,
        protocol: str,
        status: int,
        reason: str,
        response_headers: Iterable[tuple[str, str]],
        body: bytes,
        ip_address: str | None,
        revisit: Revisit | None = None,
    ) -> WarcPointer:
        """Write the response record (a revisit record when the page is unchanged since
        an earlier capture), then its request record; returns the first one's pointer."""
        file = self._file()
        headers = [(_RENAMED.get(k.lower(), k), v) for k, v in response_headers]
        http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
        warc_headers = {"WARC-Date": warc_date(date)}
        if ip_address:
            warc_headers["WARC-IP-Address"] = ip_address
        if revisit is None:
            response = file.writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
        else:
            warc_headers["WARC-Refers-To"] = revisit.record_id
            response = file.writer.create_revisit_record(
                url,
                revisit.digest,
                revisit.target_uri,
                revisit.date,
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
            if revisit.not_modified:
                response.rec_headers.replace_header("WARC-Profile", SERVER_NOT_MODIFIED)
        pointer = self._write(file, response)
        req_headers = [
            (k, v) for k, v in request_headers if k.lower() not in _SECRET_REQUEST_HEADERS
        ]
        req_http = StatusAndHeaders(
            f"{method} {request_target} {protocol}", req_headers, is_http_request=True
        )
        request = file.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            http_headers=req_http,
            warc_headers_dict={
                "WARC-Date": warc_date(date),
                "WARC-Concurrent-To": pointer.record_id,
            },
        )
        self._write(file, request)
        self._rotate_if_full()
        return pointer

    def write_metadata(
        self, *, article_id: str, refers_to: str, date: datetime, payload: bytes
    ) -> WarcPointer:
        """A metadata record describing an archived article.

        Its target is a ``urn:`` URI, never the page URL: replay tools index metadata
        records by target URI, and one under the page URL would shadow the response.
        """
        file = self._file()
        record = file.writer.create_warc_record(
            f"urn:newsarchive:article:{article_id}",
            "metadata",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": warc_date(date), "WARC-Refers-To": refers_to},
        )
        pointer = self._write(file, record)
        self._rotate_if_full()
        return pointer


def checked_record(data: bytes, pointer: WarcPointer) -> bytes:
    """``data`` if it is exactly the record ``pointer`` names: one WARC record that
    parses, carries that WARC-Record-ID and passes its block and payload digests."""
    iterator = ArchiveIterator(io.BytesIO(data), check_digests=True)
    try:
        record = next(iter(iterator))
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        stream = record.content_stream()
        while stream.read(1 << 20):
            pass
    except (StopIteration, ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        raise BadRecord(f"no readable WARC record at offset {pointer.offset}: {exc}") from None
    if record_id != pointer.record_id:
        raise BadRecord(
            f"record at offset {pointer.offset} is {record_id}, not {pointer.record_id}"
        )
    if record.digest_checker.passed is False:
        raise BadRecord(f"{pointer.record_id}: " + "; ".join(record.digest_checker.problems))
    return data


def read_record(storage: Storage, pointer: WarcPointer) -> bytes:
    """The record a pointer names, by one range request, checked (:func:`checked_record`)."""
    data = storage.get_range(pointer.filename, pointer.offset, pointer.length)
    return checked_record(data, pointer)
