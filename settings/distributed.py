"""Settings for a distributed worker: the frontier and the crawl state live in Redis.

Select them with ``SCRAPY_SETTINGS_MODULE=settings.distributed`` (what
``make crawl-distributed`` does) and point every worker at one Redis with ``REDIS_URL``
and at one archive with ``ARCHIVE_URI``. Seeds are put on the frontier once per run by
``scrapy seed <source>``; any number of ``scrapy crawl <source>`` workers, on any
number of machines, then share the work and exit when the frontier has been empty for
``NEWSARCHIVE_IDLE_EXIT`` seconds.
"""

import os

from settings import *  # noqa: F403

NEWSARCHIVE_DISTRIBUTED = True
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# scrapy-redis: one queue and one dupefilter per source, kept when a worker stops
# (SCHEDULER_PERSIST), so one worker finishing never flushes the others' frontier.
SCHEDULER = "crawler.scheduler.ReliableScheduler"
DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
SCHEDULER_PERSIST = True
SCHEDULER_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
# Queued requests as JSON of an explicit schema, never pickles (scrapy-redis's default,
# which runs whatever code a crafted entry names): see crawler/request_codec.py.
SCHEDULER_SERIALIZER = "crawler.request_codec"
NEWSARCHIVE_FRONTIER_PREFIX = os.environ.get("NEWSARCHIVE_FRONTIER_PREFIX", "newsarchive")
SCHEDULER_QUEUE_KEY = NEWSARCHIVE_FRONTIER_PREFIX + ":%(spider)s:requests"
SCHEDULER_DUPEFILTER_KEY = NEWSARCHIVE_FRONTIER_PREFIX + ":%(spider)s:dupefilter"

# A worker takes from the shared queue only what it can start soon, so work spreads
# across workers instead of waiting in one worker's downloader.
CONCURRENT_REQUESTS = int(os.environ.get("NEWSARCHIVE_WORKER_CONCURRENCY", "4"))

# Idle workers wait this long for more work (seeds, a dead peer's requests), then exit.
NEWSARCHIVE_IDLE_EXIT = float(os.environ.get("NEWSARCHIVE_IDLE_EXIT", "30"))
# A worker whose heartbeat is older than this is dead; its in-flight requests go back.
NEWSARCHIVE_HEARTBEAT_TTL = int(os.environ.get("NEWSARCHIVE_HEARTBEAT_TTL", "15"))
# How often an idle worker looks for new seeds and dead peers' work.
NEWSARCHIVE_FRONTIER_POLL_SECONDS = 0.5

# Shared crawl state: no article archived twice across workers or runs.
NEWSARCHIVE_STATE_REDIS_URL = os.environ.get("NEWSARCHIVE_STATE_REDIS_URL", REDIS_URL)

# Outermost spider middleware (lowest order): it sees a callback's output last, after
# every other middleware has had its say.
SPIDER_MIDDLEWARES = {"crawler.spidermiddlewares.inflight.InflightMiddleware": 10}
