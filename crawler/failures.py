"""A failed fetch, named: one short reason per kind of failure, for the stats
(``fetch/failed/<reason>``) and the log line, so an operator reading a run's manifest
sees *why* pages are missing, not just how many."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


class Refused(IgnoreRequest):
    """A request this crawler drops on purpose, carrying the short reason the stats and
    the manifest name it by (as Scrapy's HttpError carries its response): the reason is
    the exception's, never read back out of its message."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def name(failure) -> tuple[str, str]:
    """(reason, detail) for a Twisted failure of a request."""
    error = failure.value
    detail = failure.getErrorMessage()
    if isinstance(error, Refused):
        return error.reason, str(error)
    if isinstance(error, HttpError):
        status = error.response.status
        return f"http_{status}", f"the server answered {status}"
    if "DataLoss" in type(error).__name__:
        return "truncated", "the connection closed before the declared length"
    if isinstance(error, IgnoreRequest):
        # Scrapy's own middlewares say why only in the message.
        text = str(error)
        if "decompressed" in text.lower():
            return "decompression_bomb", text
        if "DOWNLOAD_MAXSIZE" in text or "download max size" in text.lower():
            return "too_large", text
        return "ignored", text
    if isinstance(error, ResponseFailed):
        if any("DataLoss" in type(r.value).__name__ for r in error.reasons):
            return "truncated", "the connection closed before the declared length"
        return "response_failed", detail
    # Scrapy 2.13+ raises its own download exceptions, wrapping Twisted's.
    if isinstance(error, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", detail
    if isinstance(error, (DNSLookupError, CannotResolveHostError)):
        return "dns", detail
    if "certificate verify failed" in detail:
        return "tls_unverified", "the server's certificate could not be verified"
    if isinstance(
        error,
        (ConnectionRefusedError, ResponseNeverReceived, DownloadConnectionRefusedError),
    ):
        return "connection", detail
    if isinstance(error, DownloadFailedError):
        return "download_failed", detail
    if "maxsize" in detail.lower() or "max size" in detail.lower():
        return "too_large", detail
    return type(error).__name__.lower(), detail
