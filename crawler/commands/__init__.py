"""Project commands; ``crawl`` here replaces Scrapy's to give cron a meaningful exit code.

Scrapy imports every command module to list them, so nothing here may import an
optional dependency at module level: distributed crawling (scrapy-redis, redis) is the
``newsarchive[distributed]`` extra, checked when a command needs it."""

from __future__ import annotations

import importlib.util

DISTRIBUTED_EXTRA = (
    "distributed crawling needs scrapy-redis and redis: pip install 'newsarchive[distributed]'"
)


def distributed_available() -> bool:
    return all(importlib.util.find_spec(name) for name in ("scrapy_redis", "redis"))
