"""URL canonicalisation: one spelling per page, before any pattern, dedup or identity.

Real links to one article come in many spellings: feed links with ``?UTM_Source=…``,
protocol-relative listing links (``//www.chinadaily.com.cn/a/…``), a trailing ``#``,
``http`` on one page and ``https`` on the next, an upper-case host. The profiles' article
patterns are written for the canonical spelling, and the crawl deduplicates on
:func:`identity`, which also ignores the scheme (outlets serve both; China.org.cn still
links ``http``). Imports no Scrapy: ``newsarchive url`` and the pipelines use it too.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never a page. Matched on the
# lower-cased name; ``utm_*`` covers CGTN's ``UTM_Source``/``UTM_Medium``/``UTM_Campaign``.
TRACKING = re.compile(
    r"^(utm_[a-z_]+|spm|fbclid|gclid|gclsrc|dclid|msclkid|yclid|mc_cid|mc_eid|igshid"
    r"|_ga|_gl|share_token|wt\.mc_id)$"
)
DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class NotAWebUrl(ValueError):
    """Not an http(s) URL: a ``javascript:``, ``mailto:`` or an empty link."""


def _escapes(text: str) -> str:
    """``%7e`` -> ``~``, ``%2f`` -> ``%2F``: one spelling for each escape."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match[0][1:], 16))
        return char if char in _UNRESERVED else match[0].upper()

    return _ESCAPE.sub(fix, text)


def canonical(url: str, base: str | None = None) -> str:
    """The canonical spelling of a link (resolved against ``base`` when given).

    Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    one spelling for percent-escapes, ``/`` for an empty path. The scheme is kept: it is
    what the outlet serves. A protocol-relative link without a base gets ``https``.
    """
    text = (url or "").strip()
    if base:
        text = urljoin(base, text)
    elif text.startswith("//"):
        text = "https:" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise NotAWebUrl(f"{url!r} is not an http(s) URL")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        raise NotAWebUrl(f"{url!r} has an invalid port") from None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not TRACKING.match(pair.split("=", 1)[0].lower())
    )
    return urlunsplit((scheme, netloc, _escapes(parts.path) or "/", _escapes(query), ""))


def identity(url: str) -> str:
    """What two spellings of one page share: the canonical URL without its scheme."""
    return canonical(url).split(":", 1)[1]


def maybe_canonical(url: str, base: str | None = None) -> str | None:
    """:func:`canonical`, or None for a link that is not a web URL."""
    try:
        return canonical(url, base)
    except NotAWebUrl:
        return None


def maybe_identity(url: object) -> str | None:
    """:func:`identity` of a URL as a record or a reader gives it, or None for anything
    that is not a web URL (or not a string)."""
    try:
        return identity(url) if isinstance(url, str) else None
    except NotAWebUrl:
        return None


# A calendar day in a path, in every shape the outlets use: 2026-09-25, 20260916,
# 2026-08/14, 202307/14, 2020/07-04.
URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-/]?(0[1-9]|1[0-2])[-/]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
# An article's own id or slug in a path segment: a long number, a long hex id, a
# "detail-…" id, or a headline slug of four or more words.
_ID = re.compile(
    r"(?<![0-9a-f])(\d{5,}|[0-9a-f]{16,})(?![0-9a-f])|^detail-[a-z0-9]{6,}|^([A-Za-z0-9]+-){3,}",
    re.IGNORECASE,
)
_NOT_ARTICLE = re.compile(r"^(index|node|list|page|more|tag|topic|special)[_.-]?", re.IGNORECASE)


def url_day(url: str) -> date | None:
    match = URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def article_like(url: str) -> bool:
    """Does the path look like an article's (a date, then an id or a slug after it)?

    Used to notice drift: links on an outlet's hosts that look like articles but that no
    pattern of its profile accepts are counted and listed, so a new URL shape shows up
    in the run manifest instead of as a silent drop in yield."""
    path = urlsplit(url).path
    match = URL_DATE.search(path)
    if not match or url_day(url) is None:
        return False
    after = [s for s in path[match.end() :].split("/") if s]
    if not after:
        return False
    stems = [s.rsplit(".", 1)[0] for s in after]
    if _NOT_ARTICLE.match(stems[-1]) and not _ID.search(stems[-1]):
        return False
    return any(_ID.search(stem) for stem in stems)
