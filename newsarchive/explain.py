"""Why was this URL archived, or not? The answer ``newsarchive url`` prints.

The same profile methods and canonicalisation the spiders use, so the explanation is the
crawler's own decision, not a second opinion. Imports no Scrapy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from newsarchive import profiles
from newsarchive.urls import NotAWebUrl, article_like, canonical


@dataclass(frozen=True)
class UrlReport:
    url: str
    canonical: str | None
    source: str | None
    language: str | None
    article: bool
    pattern: str | None
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def _entry_kind(profile: profiles.Profile, url: str) -> str | None:
    for edition in profile.editions:
        for kind in ("feeds", "sitemaps", "listings", "robots", "datasources"):
            if url in {canonical(u) for u in getattr(edition, kind)}:
                return kind.rstrip("s")
    return None


def explain(url: str) -> UrlReport:
    try:
        form = canonical(url)
    except NotAWebUrl as exc:
        return UrlReport(url, None, None, None, False, None, str(exc))
    profile = profiles.claiming(form)
    if profile is None:
        host = form.split("/")[2]
        return UrlReport(
            url, form, None, None, False, None, f"no source profile claims the host {host}"
        )
    language = profile.language_for(form)
    pattern = profile.article_pattern(form)
    if pattern:
        reason = "an article URL"
    elif (kind := _entry_kind(profile, form)) is not None:
        reason = f"an entry point of the profile ({kind}), not an article"
    elif (page := profile.listing_page_number(form)) is not None:
        reason = f"a listing page (page {page}), followed for links, not an article"
    elif article_like(form):
        reason = (
            "looks like an article (a date and an id in the path) but no article pattern "
            "matches: a new URL shape? counted as discovery/unmatched_article_like"
        )
    else:
        reason = "no article pattern matches (a section, topic or other page)"
    if language is None:
        reason += f"; no edition of {profile.name} names this host, so its language is unknown"
    return UrlReport(url, form, profile.name, language, pattern is not None, pattern, reason)
