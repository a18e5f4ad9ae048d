"""How much Redis memory a distributed frontier needs: N article requests queued (as
the workers store them: request dicts as JSON, crawler.request_codec, in a sorted set)
plus their N fingerprints in the run's dupefilter.
Run: python -m bench.frontier_memory REDIS_URL [N] (`make redis-start` starts a
throw-away Redis for it)."""

from __future__ import annotations

import sys
import time

import redis
import scrapy
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from crawler import request_codec
from crawler.spiders.xinhua import XinhuaSpider


def main(url: str, n: int) -> None:
    server = redis.Redis.from_url(url)
    server.flushdb()
    spider = XinhuaSpider()
    queue = PriorityQueue(server, spider, "bench:xinhua:requests", serializer=request_codec)
    dupefilter = RFPDupeFilter(server, "bench:xinhua:dupefilter")
    before = server.info("memory")["used_memory"]
    t0 = time.monotonic()
    batch = 10_000
    for start in range(0, n, batch):
        with server.pipeline(transaction=False) as pipe:
            for i in range(start, min(start + batch, n)):
                day = f"2023{(i // 28) % 12 + 1:02d}{i % 28 + 1:02d}"
                request = scrapy.Request(
                    f"https://english.news.cn/{day}/{i:032x}/c.html",
                    callback=spider.parse_article,
                    meta={"discovered": {"via": "sitemap", "date": day}},
                )
                pipe.zadd(queue.key, {queue._encode_request(request): -request.priority})
                pipe.sadd(dupefilter.key, dupefilter.request_fingerprint(request))
            pipe.execute()
    elapsed = time.monotonic() - t0
    used = server.info("memory")["used_memory"] - before
    queue_bytes = server.memory_usage(queue.key) or 0
    df_bytes = server.memory_usage(dupefilter.key) or 0
    print(f"frontier of {n:,} article requests:")
    print(f"  queue (sorted set of JSON requests)     {queue_bytes / 2**20:8.1f} MiB")
    print(f"  dupefilter (set of sha1 fingerprints)    {df_bytes / 2**20:8.1f} MiB")
    print(
        f"  Redis used_memory grew by                {used / 2**20:8.1f} MiB "
        f"({used / n:.0f} bytes per URL); filled in {elapsed:.0f} s"
    )
    server.flushdb()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
