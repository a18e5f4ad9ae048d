"""The shared discovery spider: feeds, sitemaps and listings in, article pages out.

Everything site-specific comes from the source's profile. Spider arguments:
``-a since=YYYY-MM-DD -a until=YYYY-MM-DD`` keep entries whose date (sitemap lastmod,
feed pubDate, Google News publication date, or the date in the URL) falls in the
window, inclusive; entries with no date are kept. ``-a limit=N`` caps article pages.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap

from crawler import profiles
from crawler.extensions.archive import ArchiveExtension
from crawler.items import ArticlePage, CapturedPage, PageGone, PageUnchanged
from crawler.state import CrawlState

URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-/]?(0[1-9]|1[0-2])[-/]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


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


def parse_day(value: str | None, argument: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"-a {argument}={value!r} is not a date; expected YYYY-MM-DD, e.g. 2023-07-14"
        ) from None


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


def url_day(url: str) -> date | None:
    match = URL_DATE.search(url)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def profile_seeds(profile) -> list[tuple[str, str]]:
    """(kind, url) of every entry point a profile names, in crawl order."""
    found = []
    for edition in profile.editions:
        found += [("feed", url) for url in edition.feeds]
        found += [("sitemap", url) for url in edition.sitemaps]
        found += [("listing", url) for url in edition.listings]
    return found


class DiscoverySpider(scrapy.Spider):
    source: ClassVar[str]
    max_listing_pages: ClassVar[int] = 3
    revisit_days: float = 7.0

    def __init__(
        self,
        since: str | None = None,
        until: str | None = None,
        limit: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile = profiles.load(self.source)
        self.allowed_domains = list(self.profile.allowed_domains)
        self.since = parse_day(since, "since")
        self.until = parse_day(until, "until")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"-a since={since} is after -a until={until}")
        try:
            self.limit = int(limit) if limit not in (None, "") else None
        except ValueError:
            raise ValueError(f"-a limit={limit!r} is not a whole number") from None
        self._scheduled: set[str] = set()
        self._state: CrawlState | None = None
        self.now = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.revisit_days = crawler.settings.getfloat("REVISIT_DAYS", 7.0)
        spider.distributed = crawler.settings.getbool("DISTRIBUTED")
        return spider

    # -- entry points ------------------------------------------------------------------
    def seeds(self) -> list[tuple[str, str]]:
        return profile_seeds(self.profile)

    def seed_request(self, kind: str, url: str) -> scrapy.Request | None:
        if kind == "feed":
            return scrapy.Request(url, callback=self.parse_feed, priority=20)
        if kind == "sitemap":
            return scrapy.Request(url, callback=self.parse_sitemap, priority=20)
        if kind == "listing":
            return scrapy.Request(
                url, callback=self.parse_listing, priority=10, meta={"listing_page": 1}
            )
        self.logger.warning("unknown seed kind %r for %s: skipped", kind, url)
        return None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.distributed:
            # Seeds come from the shared frontier (`scrapy seed <source>` puts them there).
            from crawler.frontier import RedisSeeds

            self.redis_seeds = RedisSeeds(self)
            for request in self.redis_seeds.pop():
                yield request
            return
        for kind, url in self.seeds():
            request = self.seed_request(kind, url)
            if request is not None:
                yield request

    # -- window and limit --------------------------------------------------------------
    def in_window(self, day: date | None) -> bool:
        if day is None:
            return True
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    def article_request(self, url: str, via: str, **found: Any) -> scrapy.Request | None:
        if not self.profile.is_article(url):
            return None
        day = found.get("day") or url_day(url)
        if not self.in_window(day):
            self.crawler.stats.inc_value("discovery/out_of_window")
            return None
        if url in self._scheduled:
            return None
        known = self.crawl_state.get(url) if self.crawl_state else None
        if known is not None and not known.due(self.now, self.revisit_days):
            self.crawler.stats.inc_value("discovery/archived_not_due")
            return None
        if self.limit is not None and len(self._scheduled) >= self.limit:
            self.crawler.stats.inc_value("discovery/over_limit")
            return None
        self._scheduled.add(url)
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
        self.crawler.stats.inc_value("discovery/revisits")
        return scrapy.Request(
            url,
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

    @property
    def crawl_state(self) -> CrawlState | None:
        """The archive's crawl state, once the archive session is open."""
        if self._state is None:
            try:
                extension = self.crawler.get_extension(ArchiveExtension)
            except RuntimeError:  # no engine: the spider is used outside a crawl
                return None
            if extension and extension.session:
                self._state = extension.session.state
        return self._state

    # -- feeds, sitemaps, listings ------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        selector = scrapy.Selector(response, type="xml")
        selector.remove_namespaces()
        entries = selector.xpath("//item | //entry")
        if not entries:
            self.crawler.stats.inc_value("discovery/bad_feed")
            self.logger.warning("no items in feed %s", response.url)
        for entry in entries:
            link = (
                entry.xpath("link/text()").get()
                or entry.xpath("link[not(@rel) or @rel='alternate']/@href").get()
                or ""
            ).strip()
            if not link:
                continue
            stamp = entry.xpath(
                "pubDate/text() | published/text() | updated/text() | date/text()"
            ).get()
            title = (entry.xpath("title/text()").get() or "").strip()
            request = self.article_request(
                response.urljoin(link), "feed", date=stamp, day=entry_day(stamp), title=title
            )
            if request:
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = NewsSitemap(response.body)
        except Exception as exc:  # lxml raises several kinds on garbage
            self.crawler.stats.inc_value("discovery/bad_sitemap")
            self.logger.warning("unreadable sitemap %s: %s", response.url, exc)
            return
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                day = entry_day(entry.get("lastmod"))
                # A child sitemap last changed before the window holds nothing in it.
                if day and self.since and day < self.since:
                    continue
                yield scrapy.Request(
                    response.urljoin(entry["loc"]), callback=self.parse_sitemap, priority=20
                )
            return
        for entry in sitemap:
            loc = entry.get("loc", "").strip()
            stamp = entry.get("news_publication_date") or entry.get("lastmod")
            request = self.article_request(
                response.urljoin(loc),
                "sitemap",
                date=stamp,
                day=entry_day(stamp),
                title=entry.get("news_title"),
            )
            if request:
                yield request

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        page = response.meta.get("listing_page", 1)
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip()).split("#", 1)[0]
            request = self.article_request(url, "listing")
            if request:
                yield request
                continue
            number = self.profile.listing_page_number(url)
            if number and number == page + 1:
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
        from crawler.failures import name

        reason, detail = name(failure)
        self.crawler.stats.inc_value("fetch/failed")
        self.crawler.stats.inc_value(f"fetch/failed/{reason}")
        self.logger.warning("could not fetch %s: %s (%s)", failure.request.url, reason, detail)
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
