"""Back off as the server asks: a 429 or 503 with Retry-After waits that long (up to
NEWSARCHIVE_RETRY_AFTER_MAX seconds) before the request is retried. Scrapy's RetryMiddleware would
retry at once, which is what an overloaded news site least needs.

Sits at 560: after capture (the 429/503 is archived like any response), before
RetryMiddleware (550). The wait holds the request, so the site's slot stays busy.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response

from crawler.failures import Refused

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as delay-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status not in (429, 503):
            return response
        header = response.headers.get("Retry-After")
        wait = retry_after_seconds(header.decode("latin-1") if header else None)
        if wait is None:
            return response  # no instruction: RetryMiddleware's usual handling
        stats = self.crawler.stats
        if wait > self.max_wait:
            stats.inc_value("retry_after/too_long")
            message = (
                f"{response.status} for {request.url} asks to wait {wait:.0f} s, more than "
                f"NEWSARCHIVE_RETRY_AFTER_MAX ({self.max_wait:.0f} s); left for a later run"
            )
            logger.warning(message)
            raise Refused("retry_after_too_long", message)
        stats.inc_value("retry_after/waited")
        logger.info(
            "%d for %s: waiting %.0f s as Retry-After asks", response.status, request.url, wait
        )
        await asyncio.sleep(wait)
        spider = self.crawler.spider
        assert spider is not None  # responses only come while a spider runs
        retry = get_retry_request(request, spider=spider, reason=f"retry_after_{response.status}")
        if retry is None:
            return response  # retries exhausted
        return retry
