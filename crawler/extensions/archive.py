"""Opens the archive session when a spider starts and closes it when it finishes.

The capture middleware and the store pipeline find the session here
(``crawler.get_extension(ArchiveExtension).session``).
"""

from __future__ import annotations

import logging
from typing import Any, cast

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newsarchive.session import ArchiveSession
from newsarchive.storage import StorageError

logger = logging.getLogger(__name__)


class ArchiveExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.session: ArchiveSession | None = None
        # Why the archive could not be opened; the capture middleware then refuses every
        # request, so that nothing is fetched that could not be archived.
        self.unavailable: str | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveExtension:
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        settings = self.crawler.settings
        try:
            self.session = ArchiveSession(
                archive_uri=settings.get("ARCHIVE_URI"),
                spool_dir=settings.get("NEWSARCHIVE_SPOOL"),
                source=spider.name,
                warc_max_bytes=settings.getint("NEWSARCHIVE_WARC_MAX_BYTES"),
                upload_attempts=settings.getint("NEWSARCHIVE_UPLOAD_ATTEMPTS"),
                upload_backoff=settings.getfloat("NEWSARCHIVE_UPLOAD_BACKOFF"),
                upload_deadline=settings.getfloat("NEWSARCHIVE_UPLOAD_DEADLINE"),
                state_dir=settings.get("NEWSARCHIVE_STATE"),
                state_url=settings.get("NEWSARCHIVE_STATE_REDIS_URL"),
                max_failure_share=settings.getfloat("NEWSARCHIVE_MAX_FAILURE_SHARE"),
                shares_frontier=settings.getbool("NEWSARCHIVE_DISTRIBUTED"),
                min_yield_share=settings.getfloat("NEWSARCHIVE_MIN_YIELD_SHARE"),
                warcinfo={
                    "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                    # Every https capture of this file passed certificate verification
                    # (a page that did not was never fetched), or none was checked.
                    "tls-certificates": "verified"
                    if settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES")
                    else "not verified",
                    "operator": settings.get("NEWSARCHIVE_CONTACT"),
                    "http-header-user-agent": settings.get("USER_AGENT"),
                },
            )
            recovered = self.session.recover()
        except Exception as exc:
            # Storage down, a spool or state folder that cannot be written, a full disk, a
            # state that cannot be read: a crawl that cannot archive must not fetch.
            self.session = None
            why = str(exc) if isinstance(exc, StorageError) else f"{type(exc).__name__}: {exc}"
            self.unavailable = f"cannot open the archive: {why}"
            self.crawler.stats.set_value("archive/open_failed", self.unavailable)
            self._fail(self.unavailable)
            from twisted.internet import reactor  # the one Scrapy installed, not a default

            engine = self.crawler.engine
            # (typed as the IReactorTime interface, whose methods take no self)
            cast(Any, reactor).callLater(
                0, deferred_from_coro, engine.close_spider_async(reason="archive_unavailable")
            )
            return
        stats = self.crawler.stats
        stats.set_value("archive/crawl_id", self.session.crawl_id)
        stats.set_value("archive/uri", self.session.storage.uri)
        if self.session.rebuilt:
            stats.set_value("state/rebuilt_from_archive", self.session.rebuilt)
        if self.session.rebuild_problems:
            stats.set_value("state/rebuild_skipped", len(self.session.rebuild_problems))
        if recovered:
            stats.set_value("archive/recovered_files", len(recovered))
            logger.info("uploaded %d file(s) left in the spool by an earlier run", len(recovered))
        logger.info(
            "archiving %s to %s (crawl %s)",
            spider.name,
            self.session.storage.uri,
            self.session.crawl_id,
        )

    async def spider_closed(self, spider, reason: str) -> None:
        if self.session is None:
            return
        stats = self.crawler.stats.get_stats()
        # Closing waits for uploads: keep it off the reactor thread.
        await maybe_deferred_to_future(deferToThread(self._close, reason, stats))

    def _close(self, reason: str, stats: dict) -> None:
        assert self.session is not None
        errors = self.session.close(reason=reason, stats=stats)
        self.crawler.stats.set_value("archive/run_status", self.session.status)
        self.crawler.stats.set_value("archive/run_status_reason", self.session.status_reason)
        if errors:
            self._fail(
                f"{len(errors)} file(s) could not be stored; they are kept in the spool "
                f"{self.session.spool.root} and the next run uploads them first"
            )
        else:
            logger.info("run manifest: %s", self.session.manifest.key)

    def _fail(self, message: str) -> None:
        self.crawler.stats.inc_value("archive/storage_errors")
        logger.error("storage error: %s", message)
