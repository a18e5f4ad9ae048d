"""Refuse requests to addresses a crawler of public news sites has no business with:
loopback, private, link-local (cloud metadata at 169.254.169.254), reserved, and
non-http(s) schemes, redirect targets included (a redirect is a new request and comes
through here). A hostile page cannot turn the crawler, which holds write credentials to
the archive, against the machine or network it runs in.

Runs before Scrapy's OffsiteMiddleware (50) so the refusal is counted under its real
reason (``scope/refused/<reason>``). IP literals in any form the OS accepts (``0x7f.1``,
``2130706433``) are checked; host names are resolved and checked when the crawler
connects directly; behind a proxy the proxy resolves them. ``NEWSARCHIVE_ALLOW_PRIVATE=1``
lifts the address check (a crawl of an intranet mirror); the scheme check stays.
Twisted resolves the name again to connect: crawler/resolver.py checks that answer too,
so a name that rebinds between the two lookups is still refused.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from functools import lru_cache
from typing import NoReturn
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from crawler.failures import Refused

logger = logging.getLogger(__name__)


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:  # legacy IPv4 spellings: decimal, hex, octal, short forms
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


# Shared address space (carrier-grade NAT), where some providers serve cloud metadata.
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def address_class(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_unspecified:
        return "reserved"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_private:
        return "private"
    if ip in _SHARED:
        return "shared"  # carrier-grade NAT; cloud metadata on some providers
    if ip.is_reserved or ip.is_multicast or ip.is_unspecified or not ip.is_global:
        return "reserved"
    return None


# Answers are kept this long, no longer: a name that pointed to a public address may
# be pointed somewhere else later (DNS rebinding), and the guard must see that.
DNS_TTL_SECONDS = 300.0
_answers: dict[str, tuple[float, tuple[str, ...]]] = {}


def _resolved(host: str) -> tuple[str, ...]:
    """The addresses of ``host``, from a cache of DNS_TTL_SECONDS; empty when it does
    not resolve."""
    now = time.monotonic()
    cached = _answers.get(host)
    if cached and now - cached[0] < DNS_TTL_SECONDS:
        return cached[1]
    try:
        found = tuple(sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)}))
    except OSError:
        found = ()
    if len(_answers) > 4096:
        _answers.clear()
    _answers[host] = (now, found)
    return found


def refusal(url: str, *, allow_private: bool = False, resolve: bool = False) -> str | None:
    """Why this URL must not be fetched, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "scheme"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "no_host"
    if allow_private:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    ip = _literal(host)
    if ip is not None:
        return address_class(ip)
    if resolve:
        addresses = _resolved(host)
        if not addresses:
            return "unresolved"  # fail closed: the address cannot be checked
        for address in addresses:
            reason = address_class(ipaddress.ip_address(address.split("%")[0]))
            if reason:
                return reason
    return None


def refuse(stats, reason: str, what: str) -> NoReturn:
    """Count, log and drop a request out of scope (here, and for redirect targets)."""
    stats.inc_value(f"scope/refused/{reason}")
    if reason == "unresolved":  # a DNS failure, named as one in the run's reasons
        logger.warning("refused %s: the host name does not resolve", what)
        raise Refused("dns", "the host name does not resolve (its address cannot be checked)")
    logger.warning("refused %s: %s address or scheme", what, reason.replace("_", "-"))
    raise Refused("out_of_scope", f"scope: {reason}")


class AddressGuardMiddleware:
    def __init__(self, crawler) -> None:
        self.stats = crawler.stats
        self.allow_private = crawler.settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE")
        # The proxies HttpProxyMiddleware (750, after this) will use, read the same way.
        self.proxies = getproxies() if crawler.settings.getbool("HTTPPROXY_ENABLED") else {}
        # proxy_bypass reads the whole environment on every call (0.3 ms a request);
        # the environment is read once, at start, as for the proxies themselves.
        self._bypass = lru_cache(maxsize=4096)(proxy_bypass)

    def _proxied(self, request) -> bool:
        """Whether the proxy, not the crawler, will connect to the request's host."""
        if request.meta.get("proxy"):
            return True
        parts = urlsplit(request.url)
        return parts.scheme in self.proxies and not self._bypass(parts.hostname or "")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        # Behind a proxy the crawler never connects to the host itself.
        resolve = not self._proxied(request)
        reason = refusal(request.url, allow_private=self.allow_private, resolve=resolve)
        if reason is None:
            return None
        chain = request.meta.get("redirect_urls")
        refuse(
            self.stats, reason, request.url + (f" (redirected from {chain[0]})" if chain else "")
        )
