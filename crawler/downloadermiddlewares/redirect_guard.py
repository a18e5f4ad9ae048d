"""Check a redirect before it is followed: a loop stops at its first repeat, and a
target out of scope (a non-http scheme, a loopback, private or link-local address) is
refused, each counted and logged with the chain that led there.

Scrapy would follow a loop until REDIRECT_MAX_TIMES or let the dupefilter drop it
silently, leave a redirect to ``file://`` as an unexplained 302, and count a redirect to
169.254.169.254 only as "offsite"; an operator wants to know which page did what. Sits
just above RedirectMiddleware (600) so it sees the 3xx before it becomes a new request.
"""

from __future__ import annotations

import logging

from w3lib.url import safe_url_string

from crawler.downloadermiddlewares.address_guard import refusal, refuse
from crawler.failures import Refused

logger = logging.getLogger(__name__)


class RedirectGuardMiddleware:
    def __init__(self, crawler) -> None:
        self.stats = crawler.stats
        self.allow_private = crawler.settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = safe_url_string(response.urljoin(location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            self.stats.inc_value("redirect/loop")
            logger.warning("redirect loop: %s -> %s", " -> ".join(chain), target)
            raise Refused("redirect_loop", f"redirect loop back to {target}")
        reason = refusal(target, allow_private=self.allow_private)
        if reason:
            refuse(self.stats, reason, f"redirect {' -> '.join(chain)} -> {target}")
        if request.url.startswith("https:") and target.startswith("http:"):
            # Followed (outlets do it), but said: the page after it came over plain http,
            # where anyone on the path could have changed it.
            self.stats.inc_value("redirect/downgrade")
            logger.warning("redirect from https to plain http: %s -> %s", request.url, target)
        return response
