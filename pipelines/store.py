"""Scrapy item pipeline: write each article record to the archive, with a WARC
metadata record that ties it to the captured response."""

from __future__ import annotations

import json
import time

from scrapy.crawler import Crawler

from crawler.extensions.archive import ArchiveExtension
from newsarchive.archive.manifest import iso, utc_now
from newsarchive.items import PageGone, PageUnchanged
from newsarchive.stories import article_text


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
        record["story"] = session.stories.assign(record["id"], article_text(record))
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
                    "story",
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
        when = record.get("fetched_at") or iso(utc_now())
        self._back(session, record["url"], when, record.get("warc"))
        session.state.record_capture(
            record["url"],
            when=when,
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
        when = item.fetched_at or iso(utc_now())
        self._back(session, item.url, when, item.warc)
        session.state.record_capture(
            item.url,
            when=when,
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
        known = session.state.get(item.url)
        session.state.mark_deleted(item.url, when=when)
        if known is not None and known.status == "deleted":
            # Rechecked on the schedule (to see it return) and still gone: the deletion
            # is already on record, with the run that first saw it.
            self.stats.inc_value("article/still_gone")
            return
        session.manifest.deleted.append(
            {
                "url": item.url,
                "status": item.status,
                "kind": item.kind,
                "at": when,
                "warc": item.warc,
                "detail": item.detail,
            }
        )
        self.stats.inc_value("article/deleted")
        self.stats.inc_value(f"article/deleted/{item.kind}")

    def _back(self, session, url: str, when: str, warc: dict | None) -> None:
        """A deleted article served again (the same text or another version): its
        reappearance goes on record before the state calls it live."""
        known = session.state.get(url)
        if known is None or known.status != "deleted":
            return
        session.manifest.reappeared.append({"url": url, "at": when, "warc": warc})
        self.stats.inc_value("article/reappeared")
