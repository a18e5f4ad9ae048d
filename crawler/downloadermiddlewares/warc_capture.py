"""Capture: every HTTP exchange goes to WARC before anything else touches the response.

Sits at 950, nearer the downloader than decompression (590) and redirects (600), so it
sees each response exactly as the server sent it: redirects, error pages, robots.txt
and every retried attempt included. It leaves a pointer to the response record in
``request.meta["warc"]`` for the article record.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.extensions.archive import ArchiveExtension
from crawler.failures import Refused
from newsarchive.archive.manifest import utc_now
from newsarchive.archive.warc import Revisit, payload_digest

logger = logging.getLogger(__name__)


def _headers(headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._extension: ArchiveExtension | None = None
        self.max_header_bytes = crawler.settings.getint("NEWSARCHIVE_MAX_HEADER_BYTES")
        self.max_headers = crawler.settings.getint("NEWSARCHIVE_MAX_HEADERS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    @property
    def session(self):
        if self._extension is None:
            self._extension = self.crawler.get_extension(ArchiveExtension)
        return self._extension.session if self._extension else None

    def _checked_headers(self, response: Response) -> list[tuple[str, str]]:
        """The response's headers, as the WARC record holds them; refused when no web
        server sends so many (48 MB of them were once archived whole): DOWNLOAD_MAXSIZE
        bounds bodies only."""
        fields = _headers(response.headers)
        count = len(fields)
        size = sum(len(name) + len(value) + 4 for name, value in fields)
        if count > self.max_headers or size > self.max_header_bytes:
            raise Refused(
                "header_flood",
                f"{count} response headers, {size:,} bytes (over NEWSARCHIVE_MAX_HEADERS "
                f"{self.max_headers} or NEWSARCHIVE_MAX_HEADER_BYTES {self.max_header_bytes:,}); "
                "not archived",
            )
        return fields

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        extension = self._extension or self.crawler.get_extension(ArchiveExtension)
        if extension is not None and extension.unavailable:
            self.stats.inc_value("capture/refused_no_archive")
            raise IgnoreRequest(extension.unavailable)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        response_headers = self._checked_headers(response)
        session = self.session
        if session is None:
            self.stats.inc_value("capture/no_archive")
            return response
        # This thread's CPU only: the pool's feeder and the upload threads run meanwhile.
        started = time.thread_time()
        revisit = capture(session.warc, request, response, response_headers)
        self.stats.inc_value("timing/warc_us", int((time.thread_time() - started) * 1e6))
        self.stats.inc_value("capture/records")
        self.stats.inc_value("capture/bytes", len(response.body))
        if revisit:
            self.stats.inc_value("capture/revisits")
        if urlsplit(response.url).path == "/robots.txt":
            self.stats.inc_value("capture/robots_txt")
        return response


def _revisit_of(request: Request, response: Response, digest: str) -> Revisit | None:
    """An unchanged refetch of a known page: a 304, or a 200 with the same payload."""
    known = request.meta.get("known") or {}
    if not known.get("record_id"):
        return None
    if response.status == 304 or (response.status == 200 and known.get("payload_digest") == digest):
        return Revisit(
            record_id=known["record_id"],
            target_uri=known["url"],
            date=known["record_date"],
            digest=known.get("payload_digest") or digest,
            not_modified=response.status == 304,
        )
    return None


def capture(
    writer, request: Request, response: Response, response_headers: list[tuple[str, str]]
) -> bool:
    """Write the exchange; leave the WARC pointer and HTTP validators in request.meta.
    Returns whether it was written as a revisit."""
    parsed = urlparse_cached(request)
    target = parsed.path or "/"
    if parsed.query:
        target += "?" + parsed.query
    request_headers = _headers(request.headers)
    if not any(k.lower() == "host" for k, _ in request_headers):
        request_headers.insert(0, ("Host", parsed.netloc))
    # Through a proxy the peer address is the proxy's, not the site's: leave it out.
    ip = None
    if response.ip_address is not None and "proxy" not in request.meta:
        ip = str(response.ip_address)
    fetched = utc_now()
    digest = payload_digest(response.body)
    revisit = _revisit_of(request, response, digest)
    pointer = writer.write_exchange(
        url=response.url,
        date=fetched,
        method=request.method,
        request_target=target,
        request_headers=request_headers,
        request_body=request.body or b"",
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        reason=_reason(response.status),
        response_headers=response_headers,
        body=response.body,
        ip_address=ip,
        revisit=revisit,
    )
    request.meta["warc"] = pointer.as_dict()
    if 300 <= response.status < 400:
        # The redirect's own record, which the followed request's capture would
        # otherwise replace in meta: the proof when a redirect takes an article away.
        request.meta["redirect_warc"] = [*request.meta.get("redirect_warc", []), pointer.as_dict()]
    request.meta["fetched_at"] = fetched.isoformat(timespec="seconds").replace("+00:00", "Z")
    request.meta["revisit"] = revisit is not None
    request.meta["http"] = {
        "status": response.status,
        "etag": _header(response, "ETag"),
        "last_modified": _header(response, "Last-Modified"),
        "payload_digest": None if revisit else digest,
    }
    return revisit is not None


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
