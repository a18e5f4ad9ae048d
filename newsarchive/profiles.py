"""Per-source profiles: the site knowledge of one outlet, loaded from ``seeds/<name>.yaml``.

Spiders, extraction and cleaning read everything site-specific from here, so adding or
fixing an outlet is a data change, never a new ``if`` branch. Imports no Scrapy: the
extraction worker processes and the ``newsarchive`` command load profiles too.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml


def _seeds_dir() -> Path:
    """The checkout's seeds/ when running from a clone (or an editable install); else the
    copy an installed wheel puts under ``<prefix>/share/newsarchive/seeds``."""
    checkout = Path(__file__).resolve().parent.parent / "seeds"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "newsarchive" / "seeds"


SEEDS_DIR = _seeds_dir()
HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(/[^*?\s]*)?")


class ProfileError(ValueError):
    """A seeds file is missing or malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Edition:
    """One language edition of an outlet, with its hosts and crawl entry points.

    Hosts are named one by one: a wildcard once labelled China Daily's English regional
    hosts (``europe.chinadaily.com.cn``) Chinese. A host may carry a path prefix
    (``www.news.cn/english/``) for an edition that lives inside another's host."""

    language: str
    hosts: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    robots: tuple[str, ...] = ()
    datasources: tuple[str, ...] = ()

    def match(self, host: str, path: str) -> int:
        """How specifically this edition serves host+path: 0 not at all, else the length
        of the matching entry (a path-prefixed entry beats the bare host)."""
        best = 0
        for entry in self.hosts:
            name, slash, prefix = entry.partition("/")
            if host == name and (not slash or path.startswith("/" + prefix)):
                best = max(best, len(entry))
        return best

    def serves(self, host: str) -> bool:
        return self.match(host, "/") > 0


@dataclass(frozen=True)
class Profile:
    name: str
    outlet: str | None
    publisher: str | None
    allowed_domains: tuple[str, ...]
    editions: tuple[Edition, ...]
    article_urls: tuple[re.Pattern[str], ...]
    listing_pages: tuple[re.Pattern[str], ...] = ()
    multipage: bool = False
    metadata: dict[str, tuple[str, ...]] = field(default_factory=dict)
    junk: dict[str, tuple[str, ...]] = field(default_factory=dict)
    embedded_body: dict = field(default_factory=dict)
    datasource: dict = field(default_factory=dict)
    # Where the body is when trafilatura finds none (a one-paragraph wire item): the
    # paragraphs under the first selector that matches.
    body: tuple[str, ...] = ()

    def article_pattern(self, url: str) -> str | None:
        """The article pattern that accepts the (canonical) URL, or None."""
        for pattern in self.article_urls:
            if pattern.search(url):
                return pattern.pattern
        return None

    def is_article(self, url: str) -> bool:
        return self.article_pattern(url) is not None

    def listing_page_number(self, url: str) -> int | None:
        """The page number of a paginated listing URL (the pattern's last group), or None
        if it is not one."""
        for pattern in self.listing_pages:
            match = pattern.search(url)
            if match:
                numbers = [g for g in match.groups() if g and g.isdigit()]
                return int(numbers[-1]) if numbers else None
        return None

    def in_scope(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def language_for(self, url: str) -> str | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        scored = [(e.match(host, parts.path or "/"), e.language) for e in self.editions]
        best = max(scored, default=(0, None))
        return best[1] if best[0] else None


def _strings(data: dict, key: str, source: Path) -> tuple[str, ...]:
    value = data.get(key) or ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{source}: '{key}' must be a list of strings")
    return tuple(value)


def _patterns(data: dict, key: str, source: Path) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for text in _strings(data, key, source):
        try:
            compiled.append(re.compile(text))
        except re.error as exc:
            raise ProfileError(
                f"{source}: bad regular expression in '{key}': {text!r}: {exc}"
            ) from None
    return tuple(compiled)


def parse_profile(data: dict, source: Path) -> Profile:
    for required in ("name", "allowed_domains", "editions", "article_urls"):
        if not data.get(required):
            raise ProfileError(f"{source}: missing required field '{required}'")
    editions = []
    for raw in data["editions"]:
        if "language" not in raw or "hosts" not in raw:
            raise ProfileError(f"{source}: every edition needs 'language' and 'hosts'")
        hosts = _strings(raw, "hosts", source)
        for host in hosts:
            if not HOST.fullmatch(host):
                raise ProfileError(
                    f"{source}: host {host!r} of the {raw['language']} edition is not a plain "
                    "host name (wildcards mislabel editions: name each host)"
                )
        editions.append(
            Edition(
                language=raw["language"],
                hosts=hosts,
                feeds=_strings(raw, "feeds", source),
                sitemaps=_strings(raw, "sitemaps", source),
                listings=_strings(raw, "listings", source),
                robots=_strings(raw, "robots", source),
                datasources=_strings(raw, "datasources", source),
            )
        )
    metadata = {k: _strings(data["metadata"], k, source) for k in data.get("metadata") or {}}
    junk = {k: _strings(data["junk"], k, source) for k in data.get("junk") or {}}
    return Profile(
        name=data["name"],
        outlet=data.get("outlet"),
        publisher=data.get("publisher"),
        allowed_domains=_strings(data, "allowed_domains", source),
        editions=tuple(editions),
        article_urls=_patterns(data, "article_urls", source),
        listing_pages=_patterns(data, "listing_pages", source),
        multipage=bool(data.get("multipage", False)),
        metadata=metadata,
        junk=junk,
        embedded_body=_embedded(data.get("embedded_body"), source),
        datasource=_datasource(data.get("datasource"), source),
        body=_strings(data, "body", source),
    )


def _datasource(spec, source: Path) -> dict:
    """Xinhua-style datasource lists: hub pages name ``datasource:<id>`` and fill their
    lists from ``ds_<id>.json`` next to the page."""
    if not spec:
        return {}
    needed = ("attribute", "file", "items", "link")
    if not isinstance(spec, dict) or any(k not in spec for k in needed):
        raise ProfileError(f"{source}: 'datasource' needs {', '.join(needed)}")
    try:
        attribute = re.compile(spec["attribute"])
    except re.error as exc:
        raise ProfileError(
            f"{source}: bad regular expression in 'datasource.attribute': {exc}"
        ) from None
    return {**spec, "attribute": attribute}


def _embedded(spec, source: Path) -> dict:
    if not spec:
        return {}
    if not isinstance(spec, dict) or "selector" not in spec:
        raise ProfileError(f"{source}: 'embedded_body' needs at least a 'selector'")
    spec = dict(spec)
    for key in ("text_types", "image_types"):
        spec[key] = [str(v) for v in spec.get(key, [])]
    return spec


def available() -> list[str]:
    return sorted(p.stem for p in SEEDS_DIR.glob("*.yaml"))


def claiming(url: str) -> Profile | None:
    """The profile whose domains hold the URL's host, or None."""
    for name in available():
        profile = load(name)
        if profile.in_scope(url):
            return profile
    return None


@cache
def load(name: str) -> Profile:
    path = SEEDS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ProfileError(f"unknown source {name!r}; valid sources: {', '.join(available())}")
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a mapping at the top level")
    return parse_profile(data, path)
