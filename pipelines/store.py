"""Scrapy item pipeline: write each article record to the archive, with a WARC
metadata record that ties it to the captured response."""

from __future__ import annotations

import json

from scrapy.crawler import Crawler

from crawler.extensions.archive import ArchiveExtension
from pipelines.manifest import utc_now


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, record):
        extension = self.crawler.get_extension(ArchiveExtension)
        session = extension.session if extension else None
        if session is None or not isinstance(record, dict):
            return record
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
        self.stats.inc_value("article/stored")
        self.stats.inc_value(f"article/stored/{record.get('language') or 'unknown'}")
        for rule, count in (record.get("removed") or {}).items():
            self.stats.inc_value(f"clean/removed/{rule}", count)
        return record
