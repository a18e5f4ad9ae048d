"""The shared discovery spider: feeds, sitemaps, listings, robots.txt Sitemap: lines and
Xinhua-style datasource lists in, article pages out.

Everything site-specific comes from the source's profile. Every link is canonicalised
(:mod:`newsarchive.urls`) before a pattern or the dedup sees it. Spider arguments:
``-a since=YYYY-MM-DD -a until=YYYY-MM-DD`` keep entries whose date (sitemap lastmod,
feed pubDate, Google News publication date, or the date in the URL) falls in the
window, inclusive; entries with no date are kept. ``-a limit=N`` caps article pages.
``-a capture_unmatched=1`` also archives links that look like articles (a date and an
id in the path) but match no pattern of the profile; they are always counted
(``discovery/unmatched_article_like``) and listed with examples in the run manifest.
"""

from __future__ import annotations

import dataclasses
import json
import re
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap

from crawler.extensions.archive import ArchiveExtension
from newsarchive import profiles
from newsarchive.archive import layout
from newsarchive.decode import decode_html
from newsarchive.items import ArticlePage, CapturedPage, PageGone, PageUnchanged
from newsarchive.state import (
    DEFAULT_REVISIT_SCHEDULE,
    CrawlStateStore,
    PageState,
    horizon,
    parse_schedule,
)
from newsarchive.urls import article_like, identity, maybe_canonical, url_day

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


# The sitemap protocol allows 50 MB (uncompressed) a file, over DOWNLOAD_MAXSIZE; and
# a sitemap is usually served gzipped as a file (.xml.gz, no Content-Encoding), which
# nothing upstream inflates. Both are bounded by the protocol's limit, plus a little.
SITEMAP_MAX_BYTES = 52 * 1024 * 1024
SITEMAP_META = {"download_maxsize": SITEMAP_MAX_BYTES}


class SitemapTooLarge(ValueError):
    """A sitemap over the protocol's 50 MB, compressed or not."""


def sitemap_body(body: bytes) -> bytes:
    """The sitemap's XML: gunzipped when it is a gzip file, never past SITEMAP_MAX_BYTES
    (a gzip bomb stops there)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=31)
    xml = inflater.decompress(body, SITEMAP_MAX_BYTES + 1)
    if len(xml) > SITEMAP_MAX_BYTES or inflater.unconsumed_tail:
        raise SitemapTooLarge(f"over {SITEMAP_MAX_BYTES:,} bytes when inflated")
    return xml


_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def feed_text(response: TextResponse) -> str:
    """The feed's XML as text, decoded as pages are (newsarchive.decode): a GBK feed
    labelled UTF-8 gives its titles, not replacement characters. (lxml takes no
    encoding declaration in text, so it goes.)"""
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    text, _, _ = decode_html(response.body, content_type)
    return _XML_DECLARATION.sub("", text, count=1)


def entry_base(entry: scrapy.Selector, url: str) -> str:
    """What a relative link in a feed entry is relative to: the nearest xml:base (Atom),
    itself resolved against the feed's URL, else the feed's URL."""
    bases = entry.xpath("ancestor-or-self::*/@base").getall()  # (namespaces removed)
    for base in bases:
        url = urljoin(url, base.strip())
    return url


class NewsSitemap(Sitemap):
    """Scrapy's streaming sitemap parser, keeping Google News publication dates and
    titles (``news_publication_date``, ``news_title``): better than lastmod."""

    __slots__ = ()

    def _process_sitemap_element(self, elem):
        news = elem.find(f"{NEWS_NS}news")
        extra = {}
        if news is not None:
            for field in ("publication_date", "title"):
                text = news.findtext(f"{NEWS_NS}{field}")
                if text and text.strip():
                    extra[f"news_{field}"] = text.strip()
        entry = super()._process_sitemap_element(elem)
        if entry is not None:
            entry.update(extra)
        return entry


def parse_day(value: str | None, argument: str, *, end: bool = False) -> date | None:
    """-a since=2023 is 2023-01-01 and -a until=2023 is 2023-12-31, as with download."""
    if not value:
        return None
    try:
        return layout.period_day(value, end=end)
    except ValueError as exc:
        raise ValueError(f"-a {argument}={exc}") from None


def entry_day(text: str | None) -> date | None:
    """The calendar day an entry's own date gives, as the outlet wrote it."""
    if not text:
        return None
    text = text.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def child_day(url: str, lastmod: str | None) -> date | None:
    """The newest day a child sitemap can hold: its lastmod, else a date in its name
    (``sitemap_archived_2019.xml`` holds nothing after 2019-12-31), else unknown."""
    day = entry_day(lastmod)
    if day:
        return day
    day = url_day(url)
    if day:
        return day
    years = YEAR.findall(url.rsplit("/", 1)[-1])
    return date(int(years[-1]), 12, 31) if years else None


def profile_seeds(profile) -> list[tuple[str, str]]:
    """(kind, url) of every entry point a profile names, in crawl order."""
    found = []
    for edition in profile.editions:
        found += [("feed", url) for url in edition.feeds]
        found += [("sitemap", url) for url in edition.sitemaps]
        found += [("robots", url) for url in edition.robots]
        found += [("datasource", url) for url in edition.datasources]
        found += [("listing", url) for url in edition.listings]
    return found


def _flag(value: str | None, argument: str) -> bool:
    if value in (None, "", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(f"-a {argument}={value!r}: expected 1 or 0")


class DiscoverySpider(scrapy.Spider):
    source: ClassVar[str]
    max_listing_pages: ClassVar[int] = 3
    revisit_schedule: tuple[timedelta, ...] = parse_schedule(DEFAULT_REVISIT_SCHEDULE)
    # Set from the NEWSARCHIVE_DISTRIBUTED setting when the crawler makes the spider.
    distributed: bool = False

    # The -a arguments a crawl takes; `scrapy crawl` refuses any other (a misspelt
    # "-a sinse=" would otherwise run the crawl unwindowed).
    ARGUMENTS: ClassVar[tuple[str, ...]] = (
        "since",
        "until",
        "limit",
        "capture_unmatched",
        "revisit_only",
    )

    def __init__(
        self,
        since: str | None = None,
        until: str | None = None,
        limit: str | None = None,
        capture_unmatched: str | None = None,
        revisit_only: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.since, self.until, self.limit, self.capture_unmatched = self.check_arguments(
            {
                "since": since,
                "until": until,
                "limit": limit,
                "capture_unmatched": capture_unmatched,
                "revisit_only": revisit_only,
            }
        )
        # Only the archived articles the revisit schedule makes due: no feed, sitemap
        # or listing is fetched (the cron example runs this hourly, discovery less often).
        self.revisit_only = _flag(revisit_only, "revisit_only")
        self.profile = profiles.load(self.source)
        self.allowed_domains = list(self.profile.allowed_domains)
        self._scheduled: set[str] = set()
        self._datasources: set[str] = set()
        self._unmatched: set[str] = set()
        self._state: CrawlStateStore | None = None
        self.now = datetime.now(UTC)
        self.stale_feed_days = 30.0
        self.sitemap_window_days = 7.0
        self.unmatched_examples = 20

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.revisit_schedule = parse_schedule(settings.get("NEWSARCHIVE_REVISIT_SCHEDULE"))
        spider.distributed = settings.getbool("NEWSARCHIVE_DISTRIBUTED")
        spider.stale_feed_days = settings.getfloat("NEWSARCHIVE_STALE_FEED_DAYS")
        spider.sitemap_window_days = settings.getfloat("NEWSARCHIVE_SITEMAP_WINDOW_DAYS")
        spider.unmatched_examples = settings.getint("NEWSARCHIVE_UNMATCHED_EXAMPLES")
        return spider

    # -- entry points ------------------------------------------------------------------
    def seeds(self) -> list[tuple[str, str]]:
        return profile_seeds(self.profile)

    def seed_request(self, kind: str, url: str) -> scrapy.Request | None:
        """The request for one entry point (feed, sitemap, robots.txt, datasource list,
        listing), counted, with an errback that counts its failure: a run whose every
        entry point failed is an outage or a ban, not a quiet day (judge_run)."""
        callbacks = {
            "feed": (self.parse_feed, 20, {}),
            "sitemap": (self.parse_sitemap, 20, SITEMAP_META),
            "robots": (self.parse_robots, 20, {}),
            "datasource": (self.parse_datasource, 15, {}),
            "listing": (self.parse_listing, 10, {"listing_page": 1}),
        }
        if kind not in callbacks:
            self.logger.warning("unknown seed kind %r for %s: skipped", kind, url)
            return None
        callback, priority, meta = callbacks[kind]
        self.crawler.stats.inc_value("discovery/entries")
        return scrapy.Request(
            url, callback=callback, errback=self.entry_failed, priority=priority, meta=meta
        )

    def entry_failed(self, failure) -> Iterator[Any]:
        """An entry point that could not be fetched: counted and logged by reason."""
        self._count_failure(failure, "discovery/entries_failed", "entry point %s failed")
        return iter(())

    def _count_failure(self, failure, counter: str, what: str) -> None:
        """Count a failed request under ``counter`` and ``counter/<reason>``, and log it
        (``what`` holds a %s for the URL)."""
        from crawler.failures import name

        reason, detail = name(failure)
        self.crawler.stats.inc_value(counter)
        self.crawler.stats.inc_value(f"{counter}/{reason}")
        self.logger.warning(what + ": %s (%s)", failure.request.url, reason, detail)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.revisit_only:
            # (Distributed, each worker queues what is due; the shared dupefilter keeps
            # one request per URL.)
            for request in self.due_revisits():
                yield request
            return
        if self.distributed:
            # Seeds come from the shared frontier (`scrapy seed <source>` puts them there).
            from crawler.scheduler import RedisSeeds

            self.redis_seeds = RedisSeeds(self)
            for request in self.redis_seeds.pop():
                yield request
            return
        for kind, url in self.seeds():
            seed = self.seed_request(kind, url)
            if seed is not None:
                yield seed

    # -- window and limit --------------------------------------------------------------
    def in_window(self, day: date | None) -> bool:
        if day is None:
            return True
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    def article_request(
        self, link: str, via: str, base: str | None = None, **found: Any
    ) -> scrapy.Request | None:
        """The request for an article link, or None (not an article, out of the window,
        seen, not due, over the limit). A link on the source's hosts that looks like an
        article but matches no pattern is counted and listed as drift."""
        url = maybe_canonical(link, base)
        if url is None:
            return None
        if not self.profile.is_article(url):
            if not self._unmatched_article_like(url):
                return None
            via = "unmatched"
        day = found.get("day") or url_day(url)
        if not self.in_window(day):
            self.crawler.stats.inc_value("discovery/out_of_window")
            return None
        key = identity(url)
        if key in self._scheduled:
            return None
        known = self.crawl_state.get(url) if self.crawl_state else None
        if known is not None and not known.due(self.now, self.revisit_schedule):
            self.crawler.stats.inc_value("discovery/archived_not_due")
            return None
        if not self._take(key):
            return None
        self.crawler.stats.inc_value(f"discovery/articles_from_{via}")
        discovered = {"via": via}
        if found.get("date"):
            discovered["date"] = found["date"]
        if found.get("title"):
            discovered["title"] = found["title"]
        if known is None:
            return scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"discovered": discovered},
            )
        return self.revisit_request(known, discovered)

    def _take(self, key: str) -> bool:
        """Schedule the article of this identity, unless ``-a limit`` is reached (counted)."""
        if self.limit is not None and len(self._scheduled) >= self.limit:
            self.crawler.stats.inc_value("discovery/over_limit")
            return False
        self._scheduled.add(key)
        return True

    def revisit_request(self, known: PageState, discovered: dict[str, Any]) -> scrapy.Request:
        """A conditional request for an archived article: unchanged is a revisit record,
        changed a new version, 404/410 or a soft deletion a deletion, and a deleted
        article that answers again a reappearance."""
        self.crawler.stats.inc_value("discovery/revisits")
        return scrapy.Request(
            known.url,
            callback=self.parse_article,
            errback=self.article_failed,
            headers=known.conditional_headers(),
            # Fetched again on purpose, so a local dupefilter must not drop it; but on the
            # shared frontier the run's dupefilter is what keeps two workers from
            # fetching (and versioning) the same article twice.
            dont_filter=not self.distributed,
            meta={
                "discovered": discovered,
                "known": dataclasses.asdict(known),
                "handle_httpstatus_list": [304, 404, 410],
            },
        )

    def due_revisits(self) -> Iterator[scrapy.Request]:
        """The revisit requests the schedule makes due now, from the crawl state (an
        article that left every feed is still rechecked), this source's URLs only."""
        state = self.crawl_state
        if state is None:
            return
        since = self.now - horizon(self.revisit_schedule)
        for known in state.captured_since(
            since.isoformat(timespec="seconds").replace("+00:00", "Z")
        ):
            if not self.profile.in_scope(known.url) or not known.due(
                self.now, self.revisit_schedule
            ):
                continue
            key = identity(known.url)
            if key in self._scheduled or not self._take(key):
                continue
            self.crawler.stats.inc_value("discovery/due")
            yield self.revisit_request(known, {"via": "schedule"})

    @property
    def crawl_state(self) -> CrawlStateStore | None:
        """The archive's crawl state, once the archive session is open."""
        if self._state is None:
            try:
                extension = self.crawler.get_extension(ArchiveExtension)
            except RuntimeError:  # no engine: the spider is used outside a crawl
                return None
            if extension and extension.session:
                self._state = extension.session.state
        return self._state

    @classmethod
    def check_arguments(
        cls, given: dict[str, str | None]
    ) -> tuple[date | None, date | None, int | None, bool]:
        """(since, until, limit, capture_unmatched) from the -a arguments, or a ValueError
        whose message is the one line the operator sees."""
        unknown = sorted(set(given) - set(cls.ARGUMENTS))
        if unknown:
            raise ValueError(
                f"unknown spider argument {', '.join('-a ' + u for u in unknown)}; "
                f"a crawl takes {', '.join('-a ' + a for a in cls.ARGUMENTS)}"
            )
        since = parse_day(given.get("since"), "since")
        until = parse_day(given.get("until"), "until", end=True)
        if since and until and since > until:
            raise ValueError(f"-a since={given['since']} is after -a until={given['until']}")
        limit_text = given.get("limit")
        try:
            limit = int(limit_text) if limit_text else None
        except ValueError:
            raise ValueError(f"-a limit={limit_text!r} is not a whole number") from None
        _flag(given.get("revisit_only"), "revisit_only")
        return since, until, limit, _flag(given.get("capture_unmatched"), "capture_unmatched")

    def _unmatched_article_like(self, url: str) -> bool:
        """Count (once) a link on the source's hosts that looks like an article but that
        no pattern accepts, keep it as an example; True when it is to be captured."""
        if not self.profile.in_scope(url) or not article_like(url):
            return False
        if self.profile.listing_page_number(url) is not None:
            return False
        key = identity(url)
        if key not in self._unmatched:
            self._unmatched.add(key)
            stats = self.crawler.stats
            stats.inc_value("discovery/unmatched_article_like")
            examples = stats.get_value("discovery/unmatched_examples") or []
            if len(examples) < self.unmatched_examples:
                stats.set_value("discovery/unmatched_examples", [*examples, url])
            self.logger.info("looks like an article but matches no pattern: %s", url)
        return self.capture_unmatched

    def window_start(self) -> date:
        """The oldest day a sitemap child must reach to be walked: -a since, else the
        default window (never a walk of an outlet's whole archive unasked)."""
        if self.since:
            return self.since
        return (self.now - timedelta(days=self.sitemap_window_days)).date()

    def child_sitemap_request(self, url: str, lastmod: str | None) -> scrapy.Request | None:
        day = child_day(url, lastmod)
        if day is not None and day < self.window_start():
            self.crawler.stats.inc_value("discovery/sitemap_children_skipped")
            return None
        return scrapy.Request(url, callback=self.parse_sitemap, priority=20, meta=SITEMAP_META)

    # -- feeds, sitemaps, listings ------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            # A feed served as bytes of no text type (an image, an archive): no entries.
            self.crawler.stats.inc_value("discovery/feed_not_text")
            return
        selector = scrapy.Selector(text=feed_text(response), type="xml")
        selector.remove_namespaces()
        entries = selector.xpath("//item | //entry")
        if not entries:
            self.crawler.stats.inc_value("discovery/bad_feed")
            self.logger.warning("no items in feed %s", response.url)
        days: list[date] = []
        linked = 0
        for entry in entries:
            link = (
                entry.xpath("link/text()").get()
                or entry.xpath("link[not(@rel) or @rel='alternate']/@href").get()
                or ""
            ).strip()
            if not link:
                continue
            linked += 1
            stamp = entry.xpath(
                "pubDate/text() | published/text() | updated/text() | date/text()"
            ).get()
            day = entry_day(stamp) or url_day(maybe_canonical(link, response.url) or "")
            if day:
                days.append(day)
            title = (entry.xpath("title/text()").get() or "").strip()
            request = self.article_request(
                link, "feed", base=entry_base(entry, response.url), date=stamp, day=day, title=title
            )
            if request:
                yield request
        if entries and not linked:
            # Items the parser could not read whole (an entity bomb cut short, a broken
            # template): as good as no feed, and said so.
            self.crawler.stats.inc_value("discovery/bad_feed")
            self.crawler.stats.inc_value("discovery/bad_feed/no_links")
            self.logger.warning("feed %s: %d items, none with a link", response.url, len(entries))
        channel = selector.xpath(
            "//channel/lastBuildDate/text() | //channel/pubDate/text() | /feed/updated/text()"
        ).get()
        self._check_fresh(response.url, max(days, default=None) or entry_day(channel))

    def _check_fresh(self, url: str, newest: date | None) -> None:
        """A feed that still answers but stopped (China Daily's in 2017) is reported, and
        the crawl goes on with its other entry points."""
        if newest is None:
            return
        age = (self.now.date() - newest).days
        if age > self.stale_feed_days:
            stats = self.crawler.stats
            stats.inc_value("discovery/stale_feed")
            stale = stats.get_value("discovery/stale_feeds") or []
            stats.set_value(
                "discovery/stale_feeds", [*stale, {"url": url, "newest": newest.isoformat()}]
            )
            self.logger.warning(
                "stale feed %s: newest item %s, %d days old (NEWSARCHIVE_STALE_FEED_DAYS=%g)",
                url,
                newest.isoformat(),
                age,
                self.stale_feed_days,
            )

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = NewsSitemap(sitemap_body(response.body))
        except Exception as exc:  # lxml raises several kinds on garbage
            reason = "too_large" if isinstance(exc, SitemapTooLarge) else "unreadable"
            self.crawler.stats.inc_value("discovery/bad_sitemap")
            self.crawler.stats.inc_value(f"discovery/bad_sitemap/{reason}")
            self.logger.warning("unreadable sitemap %s: %s", response.url, exc)
            return
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                child = maybe_canonical(entry.get("loc", ""), response.url)
                if child:
                    request = self.child_sitemap_request(child, entry.get("lastmod"))
                    if request:
                        yield request
            return
        for entry in sitemap:
            stamp = entry.get("news_publication_date") or entry.get("lastmod")
            request = self.article_request(
                entry.get("loc", ""),
                "sitemap",
                base=response.url,
                date=stamp,
                day=entry_day(stamp),
                title=entry.get("news_title"),
            )
            if request:
                yield request

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """The ``Sitemap:`` lines of robots.txt, chosen by the date in their names."""
        found = 0
        for line in response.text.splitlines():
            name, _, value = line.partition(":")
            if name.strip().lower() != "sitemap":
                continue
            child = maybe_canonical(value.strip(), response.url)
            if not child:
                continue
            found += 1
            request = self.child_sitemap_request(child, None)
            if request:
                yield request
        if not found:
            self.crawler.stats.inc_value("discovery/robots_without_sitemaps")
            self.logger.warning("no Sitemap: lines in %s", response.url)

    def parse_datasource(self, response: Response) -> Iterator[scrapy.Request]:
        """A Xinhua-style datasource list (``ds_<id>.json``): the items a hub page shows."""
        spec = self.profile.datasource
        try:
            data = json.loads(response.text)
            items = data[spec["items"]] if spec else None
        except (ValueError, KeyError, TypeError) as exc:
            items = None
            self.logger.warning("unreadable datasource %s: %s", response.url, exc)
        if not isinstance(items, list):
            self.crawler.stats.inc_value("discovery/bad_datasource")
            return
        days: list[date] = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get(spec["link"]), str):
                continue
            stamp = item.get(spec.get("date", ""))
            stamp = stamp if isinstance(stamp, str) else None
            day = entry_day(stamp)
            if day:
                days.append(day)
            title = item.get(spec.get("title", ""))
            request = self.article_request(
                item[spec["link"]],
                "datasource",
                base=response.url,
                date=stamp,
                day=day,
                title=title.strip() if isinstance(title, str) else None,
            )
            if request:
                yield request
        self._check_fresh(response.url, max(days, default=None))

    def _datasource_requests(self, response: Response) -> Iterator[scrapy.Request]:
        spec = self.profile.datasource
        if not spec:
            return
        for ds_id in dict.fromkeys(spec["attribute"].findall(response.text)):
            url = response.urljoin(spec["file"].format(id=ds_id))
            if url in self._datasources:
                continue
            self._datasources.add(url)
            self.crawler.stats.inc_value("discovery/datasources")
            yield scrapy.Request(url, callback=self.parse_datasource, priority=15)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        page = response.meta.get("listing_page", 1)
        yield from self._datasource_requests(response)
        next_pages: set[str] = set()
        for href in response.css("a::attr(href)").getall():
            url = maybe_canonical(href, response.url)
            if url is None:
                continue
            request = self.article_request(url, "listing")
            if request:
                yield request
                continue
            number = self.profile.listing_page_number(url)
            if number and number == page + 1 and url not in next_pages:
                next_pages.add(url)
                if number > self.max_listing_pages:
                    # Listings that never end (calendars, endless "next") are traps.
                    self.crawler.stats.inc_value("discovery/listing_page_cap")
                    self.logger.info(
                        "not following %s: listing page %d is beyond the cap of %d",
                        url,
                        number,
                        self.max_listing_pages,
                    )
                    continue
                yield scrapy.Request(
                    url, callback=self.parse_listing, priority=10, meta={"listing_page": number}
                )

    # -- articles ----------------------------------------------------------------------
    def _capture(self, response: Response) -> CapturedPage:
        content_type = response.headers.get("Content-Type")
        return CapturedPage(
            url=response.url,
            status=response.status,
            content_type=content_type.decode("latin-1") if content_type else None,
            body=response.body,
            warc=response.meta.get("warc", {}),
            fetched_at=response.meta.get("fetched_at", ""),
            http=response.meta.get("http", {}),
        )

    def _continuation_urls(self, response: Response) -> list[str]:
        """Pages 2..n of a split article: ``X_2.html`` next to ``X.html`` (or ``X_1``...)."""
        stem, dot, ext = response.url.rpartition(".")
        if not dot:
            return []
        # Most articles have one page: look for "<name>_" in the raw bytes before paying
        # for a parse of every link on the page (that parse was 13 ms a page).
        name = stem.rsplit("/", 1)[-1].encode("utf-8", "ignore")
        if not name or name + b"_" not in response.body:
            return []
        pattern = re.compile(re.escape(stem) + r"_(\d+)\." + re.escape(ext) + "$")
        numbered = {}
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip()).split("#", 1)[0]
            match = pattern.match(url)
            if match:
                numbered[int(match[1])] = url
        return [numbered[n] for n in sorted(numbered)][:20]

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        self.crawler.stats.inc_value("article/pages_fetched")
        if response.status in (404, 410):
            self.logger.info("archived article now answers %d: %s", response.status, response.url)
            yield PageGone(
                self.source,
                response.url,
                response.status,
                meta.get("warc", {}),
                meta.get("fetched_at", ""),
            )
            return
        gone = self._redirected_away(response)
        if gone is not None:
            yield gone
            return
        if meta.get("revisit"):
            yield PageUnchanged(
                self.source,
                response.url,
                meta.get("warc", {}),
                meta.get("fetched_at", ""),
                meta.get("http", {}),
            )
            return
        item = ArticlePage(
            source=self.source,
            url=response.url,
            language=self.profile.language_for(response.url),
            pages=[self._capture(response)],
            discovered=response.meta.get("discovered", {}),
            known=response.meta.get("known"),
        )
        rest = self._continuation_urls(response) if self.profile.multipage else []
        if rest:
            yield self._next_page(item, rest)
        else:
            yield item

    def _redirected_away(self, response: Response) -> PageGone | None:
        """An archived article whose URL now redirects to a page that is not an article
        (the home page, a section): a soft deletion, proved by the redirect's record. A
        redirect to another article URL is a move, archived as that article."""
        known = response.meta.get("known")
        hops = response.meta.get("redirect_urls") or []
        if not known or not hops or self.profile.is_article(response.url):
            return None
        self.logger.info("archived article %s now redirects to %s", known["url"], response.url)
        proof = (response.meta.get("redirect_warc") or [response.meta.get("warc", {})])[0]
        return PageGone(
            self.source,
            known["url"],
            response.status,
            proof,
            response.meta.get("fetched_at", ""),
            kind="redirect",
            detail=response.url,
        )

    def _next_page(self, item: ArticlePage, rest: list[str]) -> scrapy.Request:
        return scrapy.Request(
            rest[0],
            callback=self.parse_continuation,
            errback=self.continuation_failed,
            meta={"article": item, "rest": rest[1:]},
            dont_filter=True,
        )

    def parse_continuation(self, response: Response) -> Iterator[Any]:
        item: ArticlePage = response.meta["article"]
        item.pages.append(self._capture(response))
        self.crawler.stats.inc_value("article/continuation_pages")
        rest = response.meta["rest"]
        yield self._next_page(item, rest) if rest else item

    def article_failed(self, failure) -> Iterator[Any]:
        """An article page that could not be fetched: counted and logged by reason.
        (404/410 of a page archived before reach parse_article as deletions.)"""
        self._count_failure(failure, "fetch/failed", "could not fetch %s")
        return iter(())

    def continuation_failed(self, failure) -> Iterator[Any]:
        """A missing page 3 must not lose pages 1 and 2: archive what we have."""
        request = failure.request
        item: ArticlePage = request.meta["article"]
        self.crawler.stats.inc_value("article/continuation_missing")
        self.logger.warning(
            "page %s of article %s failed (%s); archiving the %d page(s) fetched",
            request.url,
            item.url,
            failure.getErrorMessage(),
            len(item.pages),
        )
        item.discovered["incomplete"] = True
        yield item
