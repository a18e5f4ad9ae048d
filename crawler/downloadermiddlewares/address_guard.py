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
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from functools import lru_cache
from typing import NoReturn
from urllib.parse import urlsplit

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
    if ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return "reserved"
    return None


@lru_cache(maxsize=4096)
def _resolved(host: str) -> tuple[str, ...]:
    try:
        return tuple({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except OSError:
        return ()  # the download itself will fail and say so


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
        for address in _resolved(host):
            reason = address_class(ipaddress.ip_address(address.split("%")[0]))
            if reason:
                return reason
    return None


def refuse(stats, reason: str, what: str) -> NoReturn:
    """Count, log and drop a request out of scope (here, and for redirect targets)."""
    stats.inc_value(f"scope/refused/{reason}")
    logger.warning("refused %s: %s address or scheme", what, reason.replace("_", "-"))
    raise Refused("out_of_scope", f"scope: {reason}")


class AddressGuardMiddleware:
    def __init__(self, crawler) -> None:
        self.stats = crawler.stats
        self.allow_private = crawler.settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        # Behind a proxy the crawler never connects to the host itself.
        proxied = bool(request.meta.get("proxy"))
        reason = refusal(request.url, allow_private=self.allow_private, resolve=not proxied)
        if reason is None:
            return None
        chain = request.meta.get("redirect_urls")
        refuse(
            self.stats, reason, request.url + (f" (redirected from {chain[0]})" if chain else "")
        )
