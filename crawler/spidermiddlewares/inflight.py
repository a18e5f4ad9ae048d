"""The in-flight half of the distributed frontier (crawler/scheduler.py): a request stays
in its worker's in-flight hash until its callback output has been consumed and every
item it produced has been through the pipelines, so a killed worker's unfinished
requests can be put back on the queue by a survivor."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scrapy import Request, signals

from crawler.scheduler import ReliableScheduler


class InflightMiddleware:
    """Spider middleware: tells the scheduler when a request is finished with — its
    callback output consumed and every item it produced through the pipelines."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.items: dict[str, int] = defaultdict(int)
        self.consumed: set[str] = set()
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def scheduler(self) -> ReliableScheduler | None:
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        return scheduler if isinstance(scheduler, ReliableScheduler) else None

    def _fp(self, request: Request) -> str | None:
        scheduler = self.scheduler
        return scheduler.df.request_fingerprint(request) if scheduler else None

    async def process_spider_output_async(self, response, result):
        fp = self._fp(response.request)
        async for output in result:
            if fp and not isinstance(output, Request):
                self.items[fp] += 1
            yield output
        if fp:
            self.consumed.add(fp)
            self._maybe_done(fp, response.request)

    def process_spider_exception(self, response, exception):
        """A response no callback sees (an HTTP error status): finished with, too."""
        fp = self._fp(response.request)
        if fp:
            self.consumed.add(fp)
            self._maybe_done(fp, response.request)

    def process_spider_output(self, response, result):
        yield from result  # only the async path is used (Scrapy ≥ 2.13)

    def item_done(self, item: Any, response=None, **_: Any) -> None:
        if response is None or not hasattr(response, "request"):
            return
        fp = self._fp(response.request)
        if fp and self.items.get(fp):
            self.items[fp] -= 1
            self._maybe_done(fp, response.request)

    def _maybe_done(self, fp: str, request: Request) -> None:
        if fp in self.consumed and not self.items.get(fp):
            self.consumed.discard(fp)
            self.items.pop(fp, None)
            scheduler = self.scheduler
            if scheduler:
                scheduler.done(request)
