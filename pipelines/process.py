"""Scrapy item pipeline: send each captured article to the worker pool and get back its
record. A page that yields no article is dropped here, counted under
``article/extraction_failed/<reason>`` and logged with its URL; it stays in the WARC."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.items import ArticlePage, PageUnchanged
from newsarchive.record import versioned
from newsarchive.state import next_version
from pipelines.article import timed_build_article
from pipelines.extract import ExtractionFailed
from pipelines.pool import make_pool

logger = logging.getLogger(__name__)


class ArticlePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = crawler.settings.getint("NEWSARCHIVE_EXTRACT_WORKERS")
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.pool = make_pool(self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=False)

    async def process_item(self, item):
        if not isinstance(item, ArticlePage):
            return item
        item.known = self._known_now(item)
        loop = asyncio.get_running_loop()
        try:
            record, timings = await loop.run_in_executor(self.pool, timed_build_article, item)
        except ExtractionFailed as exc:
            self._failed(item.url, exc.reason, str(exc))
        except BrokenProcessPool:
            self.pool = make_pool(self.workers)  # a worker died (OOM, segfault): go on
            self._failed(item.url, "worker_crashed", "extraction worker died")
        except Exception as exc:  # a bug or a pathological page must not stop the crawl
            self._failed(item.url, "extractor_error", f"{type(exc).__name__}: {exc}")
        self.stats.inc_value("article/extracted")
        for stage, seconds in timings.items():
            self.stats.inc_value(f"timing/{stage}_us", int(seconds * 1e6))
        if record.get("encoding_label_overridden"):
            self.stats.inc_value("decode/label_overridden")
            logger.info(
                "%s: declared charset was wrong; decoded as %s", item.url, record["encoding"]
            )
        version = next_version(item.known, record["content_sha256"])
        if version is None:
            # New bytes (a rail, an ad changed), same article: no new version.
            first = item.pages[0]
            assert first.warc is not None and first.fetched_at is not None  # a capture
            return PageUnchanged(
                item.source, record["url"], dict(first.warc), first.fetched_at, first.http
            )
        return versioned(record, *version)

    def _known_now(self, item: ArticlePage) -> dict | None:
        """What the crawl state holds for this URL now, not when the request was made: a
        request handed out twice (a distributed worker's work put back after it seemed
        dead) must become a revisit the second time, never a second copy."""
        from crawler.extensions.archive import ArchiveExtension

        extension = self.crawler.get_extension(ArchiveExtension)
        state = extension.session.state if extension and extension.session else None
        current = state.get(item.url) if state is not None else None
        if current is None or current.status == "deleted":
            return item.known
        return dataclasses.asdict(current)

    def _failed(self, url: str, reason: str, detail: str):
        self.stats.inc_value("article/extraction_failed")
        self.stats.inc_value(f"article/extraction_failed/{reason}")
        logger.warning("no article from %s: %s (the page is kept in the WARC)", url, detail)
        raise DropItem(f"{reason}: {url}")
