"""Capture: every HTTP exchange goes to WARC before anything else touches the response.

Sits at 950, nearer the downloader than decompression (590) and redirects (600), so it
sees each response exactly as the server sent it: redirects, error pages, robots.txt
and every retried attempt included. It leaves a pointer to the response record in
``request.meta["warc"]`` for the article record.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.extensions.archive import ArchiveExtension
from pipelines.manifest import utc_now

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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    @property
    def session(self):
        if self._extension is None:
            self._extension = self.crawler.get_extension(ArchiveExtension)
        return self._extension.session if self._extension else None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        session = self.session
        if session is None:
            self.stats.inc_value("capture/no_archive")
            return response
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
        pointer = session.warc.write_exchange(
            url=response.url,
            date=fetched,
            method=request.method,
            request_target=target,
            request_headers=request_headers,
            request_body=request.body or b"",
            protocol=response.protocol or "HTTP/1.1",
            status=response.status,
            reason=_reason(response.status),
            response_headers=_headers(response.headers),
            body=response.body,
            ip_address=ip,
        )
        self.stats.inc_value("capture/records")
        self.stats.inc_value("capture/bytes", len(response.body))
        request.meta["warc"] = pointer.as_dict()
        request.meta["fetched_at"] = fetched.isoformat(timespec="seconds").replace("+00:00", "Z")
        if urlsplit(response.url).path == "/robots.txt":
            self.stats.inc_value("capture/robots_txt")
        return response
