"""Crawl state shared by distributed workers, in Redis.

The same interface as the SQLite ``CrawlState`` (``get``, ``record_capture``,
``mark_deleted``, ``len``), so the spider and pipelines do not know which one they
have. One hash per URL, under a namespace per archive (as the SQLite file is per
archive), and a set of the URLs for counting. Writes for one URL come from one worker at
a time (the shared dupefilter hands each URL of a run to one worker), so per-field
"keep what this fetch did not give" updates need no transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import redis

from newsarchive.state import PageState
from newsarchive.storage import StorageError


def _text(value: bytes | str) -> str:
    """A hash field as text (the client decodes responses; its types allow bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def namespace(archive_uri: str) -> str:
    return f"newsarchive:state:{hashlib.sha1(archive_uri.encode()).hexdigest()[:12]}"


def connect(url: str, what: str) -> redis.Redis:
    """A client of the Redis at ``url``, checked with a ping: a StorageError naming
    ``what`` and the host (never the password) when it does not answer."""
    server = redis.Redis.from_url(url, decode_responses=True)
    try:
        server.ping()
    except redis.RedisError as exc:
        host = url.rsplit("@", 1)[-1]
        raise StorageError(f"cannot reach {what} in Redis at {host}: {exc}") from None
    return server


class RedisCrawlState:
    def __init__(self, url: str, archive_uri: str) -> None:
        self.server = connect(url, "the crawl state")
        self.prefix = namespace(archive_uri)

    def _key(self, url: str) -> str:
        return f"{self.prefix}:page:{url}"

    def get(self, url: str) -> PageState | None:
        return self._page(url, self.server.hgetall(self._key(url)))

    def captured_since(self, when: str) -> Iterator[PageState]:
        """Every URL's hash is read (a scan of the URL set): revisit-only runs are
        occasional and one machine's, so no index by capture time is kept for them."""
        urls = sorted(_text(u) for u in self.server.sscan_iter(f"{self.prefix}:urls"))
        for start in range(0, len(urls), 500):
            batch = urls[start : start + 500]
            with self.server.pipeline(transaction=False) as pipe:
                for url in batch:
                    pipe.hgetall(self._key(url))
                found = pipe.execute()
            for url, fields in zip(batch, found, strict=True):
                page = self._page(url, fields)
                if page is not None and page.first_seen >= when:
                    yield page

    @staticmethod
    def _page(url: str, found: dict) -> PageState | None:
        if not found:
            return None
        field = {k: _text(v) for k, v in found.items()}
        return PageState(
            url=url,
            article_id=field.get("article_id"),
            status=field.get("status") or "live",
            first_seen=field.get("first_seen") or "",
            last_fetch=field.get("last_fetch") or "",
            content_sha256=field.get("content_sha256"),
            version=int(field.get("version") or 0),
            etag=field.get("etag"),
            last_modified=field.get("last_modified"),
            payload_digest=field.get("payload_digest"),
            record_id=field.get("record_id"),
            record_date=field.get("record_date"),
        )

    def article_urls(self, article_id: str) -> list[str]:
        return sorted(_text(u) for u in self.server.smembers(f"{self.prefix}:article:{article_id}"))

    def __len__(self) -> int:
        return self.server.scard(f"{self.prefix}:urls")

    def record_capture(
        self,
        url: str,
        *,
        when: str,
        article_id: str | None = None,
        content_sha256: str | None = None,
        version: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        payload_digest: str | None = None,
        record_id: str | None = None,
        record_date: str | None = None,
    ) -> None:
        key = self._key(url)
        given = {
            "article_id": article_id,
            "content_sha256": content_sha256,
            "version": version,
            "etag": etag,
            "last_modified": last_modified,
            "payload_digest": payload_digest,
            "record_id": record_id,
            "record_date": record_date,
        }
        with self.server.pipeline() as pipe:
            pipe.hsetnx(key, "first_seen", when)
            pipe.hsetnx(key, "version", 1)
            pipe.hset(
                key,
                mapping={
                    "status": "live",
                    "last_fetch": when,
                    **{k: v for k, v in given.items() if v is not None},
                },
            )
            pipe.sadd(f"{self.prefix}:urls", url)
            if article_id is not None:
                pipe.sadd(f"{self.prefix}:article:{article_id}", url)
            pipe.execute()

    def mark_deleted(self, url: str, *, when: str) -> None:
        key = self._key(url)
        if self.server.exists(key):
            self.server.hset(key, mapping={"status": "deleted", "last_fetch": when})

    def close(self) -> None:
        self.server.close()
