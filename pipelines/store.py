"""Scrapy item pipeline: write each article record to the archive, with a WARC
metadata record that ties it to the captured response."""

from __future__ import annotations

import json
import time

from scrapy.crawler import Crawler

from crawler.extensions.archive import ArchiveExtension
from newsarchive.archive.manifest import iso, utc_now
from newsarchive.items import PageGone, PageUnchanged


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item):
        started = time.thread_time()
        try:
            return self._store(item)
        finally:
            self.stats.inc_value("timing/store_us", int((time.thread_time() - started) * 1e6))

    def _store(self, item):
        extension = self.crawler.get_extension(ArchiveExtension)
        session = extension.session if extension else None
        if session is None:
            return item
        if isinstance(item, PageUnchanged):
            self._unchanged(session, item)
        elif isinstance(item, PageGone):
            self._gone(session, item)
        elif isinstance(item, dict):
            self._article(session, item)
        return item

    def _article(self, session, record: dict) -> None:
        if record.get("warc"):
            summary = {
                k: record[k]
                for k in (
                    "id",
                    "url",
                    "canonical_url",
                    "source",
                    "title",
                    "published",
                    "version",
                    "content_sha256",
                    "removed",
                )
            }
            session.warc.write_metadata(
                article_id=record["id"],
                refers_to=record["warc"]["record_id"],
                date=utc_now(),
                payload=json.dumps(summary, ensure_ascii=False).encode("utf-8"),
            )
        session.articles.write(record)
        http = record.get("http") or {}
        session.state.record_capture(
            record["url"],
            when=record.get("fetched_at") or iso(utc_now()),
            article_id=record["id"],
            content_sha256=record["content_sha256"],
            version=record["version"],
            etag=http.get("etag"),
            last_modified=http.get("last_modified"),
            payload_digest=http.get("payload_digest"),
            record_id=(record.get("warc") or {}).get("record_id"),
            record_date=(record.get("warc") or {}).get("date"),
        )
        self.stats.inc_value("article/stored")
        self.stats.inc_value("article/new" if record["version"] == 1 else "article/changed")
        self.stats.inc_value(f"article/stored/{record.get('language') or 'unknown'}")
        for rule, count in (record.get("removed") or {}).items():
            self.stats.inc_value(f"clean/removed/{rule}", count)
        for field in record.get("selector_missed") or []:
            self.stats.inc_value(f"metadata/selector_missed/{field}")
        for field in record.get("impossible_dates") or []:
            self.stats.inc_value(f"metadata/impossible_date/{field}")

    def _unchanged(self, session, item: PageUnchanged) -> None:
        http = item.http or {}
        session.state.record_capture(
            item.url,
            when=item.fetched_at or iso(utc_now()),
            etag=http.get("etag"),
            last_modified=http.get("last_modified"),
            # A full response with new bytes becomes what later revisits refer to.
            payload_digest=http.get("payload_digest"),
            record_id=item.warc.get("record_id") if http.get("payload_digest") else None,
            record_date=item.warc.get("date") if http.get("payload_digest") else None,
        )
        self.stats.inc_value("article/unchanged")

    def _gone(self, session, item: PageGone) -> None:
        when = item.fetched_at or iso(utc_now())
        session.state.mark_deleted(item.url, when=when)
        session.manifest.deleted.append(
            {"url": item.url, "status": item.status, "at": when, "warc": item.warc}
        )
        self.stats.inc_value("article/deleted")
