"""Scrapy item pipeline: send each captured article to the worker pool and get back its
record. A page that yields no article is dropped here, counted under
``article/extraction_failed/<reason>`` and logged with its URL; it stays in the WARC."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, cast

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.items import ArticlePage, PageGone, PageUnchanged
from newsarchive.record import ArticleRecord, versioned
from newsarchive.state import CrawlStateStore, next_version
from newsarchive.urls import maybe_canonical, maybe_identity
from pipelines.article import PIPELINE_VERSION, article_id, timed_build_article
from pipelines.extract import ExtractionFailed
from pipelines.gone import MAX_NOTICE_CHARS, gone_notice
from pipelines.pool import kill_pool, make_pool, warm_up, worker_count

logger = logging.getLogger(__name__)


class ArticlePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = crawler.settings.getint("NEWSARCHIVE_EXTRACT_WORKERS")
        self.timeout = crawler.settings.getfloat("NEWSARCHIVE_EXTRACT_TIMEOUT")
        self.max_bytes = crawler.settings.getint("NEWSARCHIVE_EXTRACT_MAX_BYTES")
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from twisted.internet import reactor

        self.pool = make_pool(self.workers)
        concurrent.futures.wait(warm_up(self.pool, self.workers))
        # Two pages per worker: one extracting, one waiting in the pool's queue, so a
        # worker never idles for the reactor's round trip, and a page's clock runs for
        # at most one page ahead of it.
        self.slots = asyncio.Semaphore(2 * worker_count(self.workers))
        # A second SIGTERM (or Ctrl-C) stops the reactor without closing the spider: the
        # workers must go then too, or the interpreter's exit waits for a busy one.
        # (typed as the IReactorCore interface, whose methods take no self)
        cast(Any, reactor).addSystemEventTrigger("before", "shutdown", self.close_spider)

    def close_spider(self) -> None:
        if self.pool is not None:
            # Every extraction in flight has ended by now (each within its budget), so
            # this returns at once; a worker still busy is killed, never waited for.
            kill_pool(self.pool)
            self.pool = None

    async def process_item(self, item):
        if not isinstance(item, ArticlePage):
            return item
        item.known = self._known_now(item)
        size = sum(len(page.body) for page in item.pages)
        if size > self.max_bytes:
            self._failed(
                item, "too_large", f"{size:,} bytes of HTML, over NEWSARCHIVE_EXTRACT_MAX_BYTES"
            )
        try:
            record, timings = await self._extract(item)
        except ExtractionFailed as exc:
            gone = self._gone_notice(item)
            if gone is not None:
                return gone
            self._failed(item, exc.reason, str(exc))
        except TimeoutError:
            self._failed(
                item,
                "timeout",
                f"extraction ran over {self.timeout:g} s (NEWSARCHIVE_EXTRACT_TIMEOUT); "
                "its worker was replaced",
            )
        except BrokenProcessPool:  # a worker died (OOM, segfault); the pool is new
            self._failed(item, "worker_crashed", "extraction worker died")
        except Exception as exc:  # a bug or a pathological page must not stop the crawl
            self._failed(item, "extractor_error", f"{type(exc).__name__}: {exc}")
        if len(record["text"]) < MAX_NOTICE_CHARS:
            gone = self._gone_notice(item)
            if gone is not None:
                return gone
        self.stats.inc_value("article/extracted")
        for stage, seconds in timings.items():
            self.stats.inc_value(f"timing/{stage}_us", int(seconds * 1e6))
        if record.get("encoding_label_overridden"):
            self.stats.inc_value("decode/label_overridden")
            logger.info(
                "%s: declared charset was wrong; decoded as %s", item.url, record["encoding"]
            )
        record = self._identified(item, record)
        version = next_version(item.known, record["content_sha256"])
        if version is None:
            # New bytes (a rail, an ad changed), same article: no new version.
            first = item.pages[0]
            assert first.warc is not None and first.fetched_at is not None  # a capture
            return PageUnchanged(
                item.source, record["url"], dict(first.warc), first.fetched_at, first.http
            )
        return versioned(record, *version)

    async def _extract(self, item: ArticlePage, retried: bool = False):
        """The page's record from a worker, within the time budget.

        No more than two pages a worker go to the pool, so a page's clock runs while
        it is extracted (and while at most one page ahead of it is), not behind a
        queue. Over budget (or a worker dead of a crash), the pool is killed (the
        executor cannot stop one worker) and replaced; the pages that were extracting
        beside the culprit are not at fault and are tried once more."""
        async with self.slots:
            pool = self.pool
            assert pool is not None
            loop = asyncio.get_running_loop()
            try:
                return await asyncio.wait_for(
                    loop.run_in_executor(pool, timed_build_article, item), self.timeout
                )
            except (TimeoutError, BrokenProcessPool) as exc:
                replaced = self.pool is not pool
                if not replaced:
                    kill_pool(pool)
                    self.pool = make_pool(self.workers)
                    self.stats.inc_value("extract/workers_replaced")
                    await asyncio.gather(
                        *map(asyncio.wrap_future, warm_up(self.pool, self.workers))
                    )
                if not (replaced and isinstance(exc, BrokenProcessPool)) or retried:
                    raise
        return await self._extract(item, retried=True)  # killed for another page's sake

    def _gone_notice(self, item: ArticlePage) -> PageGone | None:
        """An archived article's URL now serving a page that says the article is gone
        (pipelines.gone): a soft deletion, proved by that page's capture. New pages are
        never judged so: only what the archive held can be deleted."""
        first = item.pages[0] if item.pages else None
        if item.known is None or first is None or first.warc is None:
            return None
        words = gone_notice(first.body, first.content_type)
        if words is None:
            return None
        logger.info("archived article %s now says it is gone: %r", item.url, words)
        return PageGone(
            item.source,
            item.url,
            first.status,
            dict(first.warc),
            first.fetched_at or "",
            kind="gone_notice",
            detail=words,
        )

    def _state(self) -> CrawlStateStore | None:
        from crawler.extensions.archive import ArchiveExtension

        extension = self.crawler.get_extension(ArchiveExtension)
        return extension.session.state if extension and extension.session else None

    def _identified(self, item: ArticlePage, record: ArticleRecord) -> ArticleRecord:
        """The record under the id of its own article, never silently under another's.

        A page new by its URL whose id the state already holds for other URLs is:
        the same page by another spelling (http and https, an escape), or an alias with
        the same text (a page that declares the article's URL as its canonical): it
        continues that article's versions. Otherwise two different texts claim one id
        (a template bug, a page shadowing a real article), counted as
        ``article/id_collision`` and logged: a page whose id came from its declared
        canonical is then identified by its own URL instead; the page that is at that
        URL itself keeps its id, as the article's next version."""
        state = self._state()
        if state is None or item.known is not None:
            return record
        others = [u for u in state.article_urls(record["id"]) if u != record["url"]]
        held = [p for p in map(state.get, others) if p is not None and p.status != "deleted"]
        if not held:
            return record
        mine = maybe_identity(record["url"])
        latest = max(held, key=lambda p: (maybe_identity(p.url) == mine, p.version))
        if maybe_identity(latest.url) == mine or latest.content_sha256 == record["content_sha256"]:
            item.known = dataclasses.asdict(latest)
            return record
        self.stats.inc_value("article/id_collision")
        fetched = maybe_canonical(record["url"]) or record["url"]
        if record["canonical_url"] != fetched:
            logger.warning(
                "%s declares the canonical %s, whose id %s %s holds with another text: "
                "identified by its own URL",
                record["url"],
                record["canonical_url"],
                record["id"],
                latest.url,
            )
            rekeyed = record.copy()
            rekeyed["id"], rekeyed["canonical_url"] = article_id(fetched), fetched
            return rekeyed
        logger.warning(
            "%s: its id %s is held by %s with another text (declared this URL its "
            "canonical); stored as the article's next version",
            record["url"],
            record["id"],
            latest.url,
        )
        item.known = dataclasses.asdict(latest)
        return record

    def _known_now(self, item: ArticlePage) -> dict | None:
        """What the crawl state holds for this URL now, not when the request was made: a
        request handed out twice (a distributed worker's work put back after it seemed
        dead) must become a revisit the second time, never a second copy."""
        state = self._state()
        current = state.get(item.url) if state is not None else None
        if current is None or current.status == "deleted":
            return item.known
        return dataclasses.asdict(current)

    def _failed(self, item: ArticlePage, reason: str, detail: str):
        self.stats.inc_value("article/extraction_failed")
        self.stats.inc_value(f"article/extraction_failed/{reason}")
        logger.warning("no article from %s: %s (the page is kept in the WARC)", item.url, detail)
        self._note_failure(item, reason)
        raise DropItem(f"{reason}: {item.url}")

    def _note_failure(self, item: ArticlePage, reason: str) -> None:
        """The run manifest lists each capture that gave no article, with its WARC
        pointers: `newsarchive reprocess` retries them when extraction improves."""
        from crawler.extensions.archive import ArchiveExtension

        extension = self.crawler.get_extension(ArchiveExtension)
        session = extension.session if extension else None
        first = item.pages[0] if item.pages else None
        if session is None or first is None or first.warc is None:
            return
        session.manifest.add_failure(
            {
                "url": item.url,
                "source": item.source,
                "reason": reason,
                "pipeline": PIPELINE_VERSION,
                "fetched_at": first.fetched_at,
                "pages": [{"url": page.url, "warc": page.warc} for page in item.pages],
                "discovered": item.discovered,
            }
        )
