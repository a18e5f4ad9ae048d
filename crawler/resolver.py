"""The crawl's DNS resolver: the address guard's check, made where the connection's
address is decided.

The address guard (crawler/downloadermiddlewares/address_guard.py) resolves a host name
and refuses the request when it points into the machine's own networks. Twisted then
resolves the name again to connect, and a name can answer differently the second time
(DNS rebinding: public to the guard, 127.0.0.1 or 169.254.169.254 to the connection).
This resolver is the one Twisted connects with, so the address checked is the address
used: an answer in a refused class fails the lookup, and the request fails as a DNS
failure (``fetch/failed/dns``), its reason logged. The configured proxies' own names are
exempt (an operator's proxy may well live on a private network), as is everything under
``NEWSARCHIVE_ALLOW_PRIVATE=1``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler.downloadermiddlewares.address_guard import address_class

logger = logging.getLogger(__name__)


class GuardedResolver(CachingThreadedResolver):
    def __init__(
        self,
        reactor,
        cache_size: int,
        timeout: float,
        *,
        allow_private: bool = False,
        exempt: Iterable[str] = (),
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allow_private = allow_private
        self.exempt = frozenset(name.lower() for name in exempt)

    @classmethod
    def from_crawler(cls, crawler, reactor):
        # (Scrapy passes the crawler process here, which has settings and no stats.)
        settings = crawler.settings
        proxies = getproxies() if settings.getbool("HTTPPROXY_ENABLED") else {}
        return cls(
            reactor,
            settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0,
            settings.getfloat("DNS_TIMEOUT"),
            allow_private=settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE"),
            exempt=proxy_hosts(proxies.values()),
        )

    def getHostByName(self, name: str, timeout=()):
        found = super().getHostByName(name, timeout)
        if self.allow_private or name.lower() in self.exempt:
            return found
        return found.addCallback(self._checked, name)

    def _checked(self, address: str, name: str) -> str:
        reason = address_class(ipaddress.ip_address(address))
        if reason is None:
            return address
        logger.warning(
            "refused connecting to %s: it resolves to %s, a %s address",
            name,
            address,
            reason.replace("_", "-"),
        )
        raise DNSLookupError(f"{name} resolves to a {reason.replace('_', '-')} address")


def proxy_hosts(proxies: Iterable[str]) -> set[str]:
    """The host names of proxy URLs (``http://proxy.internal:3128`` → proxy.internal)."""
    hosts = set()
    for proxy in proxies:
        host = urlsplit(proxy if "//" in proxy else f"//{proxy}").hostname
        if host:
            hosts.add(host)
    return hosts
