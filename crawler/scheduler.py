"""The crawl's schedulers: one for a single machine, whose queue lives on disk, and the
distributed frontier on Redis.

A single machine (:class:`DiskScheduler`): Scrapy keeps every queued request in memory
unless a job folder is set, and one sitemap of 300,000 URLs queued at once took a crawl
to a gigabyte. Every run therefore gets a job folder of its own under the state folder,
and requests past the first NEWSARCHIVE_MEMORY_QUEUE wait there on disk.

The distributed frontier (:class:`ReliableScheduler`): scrapy-redis's scheduler, made safe
against a worker that is killed, and the seeds read from Redis in a way Scrapy ≥ 2.13
calls. scrapy-redis pops a request from the shared queue and forgets it: a worker killed with
requests in flight would lose them for the rest of the run. Here each worker also keeps
what it popped in its own in-flight hash until the request's callback output has been
handled (its items stored), and refreshes a heartbeat key that expires if it dies. A
worker that finds a peer's in-flight hash without a heartbeat puts those requests back
on the queue — at start, and while it waits for work — so the survivors finish a dead
worker's share. Re-fetching something that was in fact finished is harmless: the shared
crawl state makes it a revisit, never a second copy.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

from scrapy import Request, signals
from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.job import job_dir
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy_redis.scheduler import Scheduler

from crawler.request_codec import RefusedEntry

logger = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


class DiskScheduler(ScrapyScheduler):
    """Scrapy's own scheduler, its queue spilling to disk past a bound.

    The first ``NEWSARCHIVE_MEMORY_QUEUE`` requests waiting wait in memory: an ordinary
    run never pays for pickling (about 0.1 ms a request, bench/big_sitemap.py). Past
    that they go to Scrapy's disk queue, and memory stays bounded whatever a sitemap
    lists. Memory is served first, as Scrapy's scheduler always does.

    Without ``JOBDIR`` the run's queue is a folder made for it under
    ``<NEWSARCHIVE_STATE>/frontier/``, deleted when the run closes; the folder of a run
    that was killed is deleted by the next run (its process is gone). The queue holds
    pickled requests, as Scrapy's ``JOBDIR`` queues do: it is the crawl's own file in the
    operator's own folder, not data that arrives from elsewhere (the shared Redis
    frontier, which others can write, holds JSON: crawler.request_codec). With
    ``JOBDIR`` set, Scrapy's pause-and-resume folder is used and kept, as Scrapy does."""

    own_folder: str | None = None
    memory_bound: int = 10_000

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        folder = job_dir(settings)
        own = folder is None
        if own:
            folder = run_folder(Path(settings.get("NEWSARCHIVE_STATE")) / "frontier")
        dupefilter = build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler)
        scheduler = cls(
            dupefilter=dupefilter,
            jobdir=folder,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
        scheduler.own_folder = folder if own else None
        scheduler.memory_bound = settings.getint("NEWSARCHIVE_MEMORY_QUEUE")
        return scheduler

    def _dqpush(self, request: Request) -> bool:
        if len(self.mqs) < self.memory_bound:
            return False  # Scrapy then queues it in memory
        return super()._dqpush(request)

    def close(self, reason: str):
        result = super().close(reason)
        if self.own_folder is not None:
            shutil.rmtree(self.own_folder, ignore_errors=True)
        return result


def run_folder(parent: Path) -> str:
    """A new folder for this run's queue, named for the process that owns it; the
    folders of processes that no longer exist (killed runs) are deleted first."""
    parent.mkdir(parents=True, exist_ok=True)
    for old in parent.glob("run-*-*"):
        pid = old.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=parent)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def keys(settings, source: str) -> dict[str, str]:
    """Every Redis key one source's frontier uses (the `scrapy seed` command and the
    workers must agree on them)."""
    base = settings.get("NEWSARCHIVE_FRONTIER_PREFIX") + f":{source}"
    return {
        "queue": f"{base}:requests",
        "dupefilter": f"{base}:dupefilter",
        "seeds": f"{base}:seeds",
        "inflight": f"{base}:inflight",  # + ":<worker>"
        "alive": f"{base}:alive",  # + ":<worker>"
        "run": f"{base}:run",
    }


# Marking a request seen and queueing it must be one step: a worker killed between the
# two would leave a URL that every worker then filters as a duplicate and none fetches.
_ENQUEUE = """
if ARGV[3] == '1' or redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
  return 1
end
return 0
"""
# Likewise taking a request and recording it as in flight (under a staging field until
# the worker has decoded it and knows its fingerprint).
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], found[1])
return found[1]
"""


class ReliableScheduler(Scheduler):
    """Needs the priority queue (a sorted set), the scrapy-redis default."""

    heartbeat_every = 1.0

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.worker = worker_id()
        instance.ttl = crawler.settings.getint("NEWSARCHIVE_HEARTBEAT_TTL")
        return instance

    def open(self, spider):
        super().open(spider)
        self.k = keys(self.crawler.settings, spider.name)
        self.inflight_key = f"{self.k['inflight']}:{self.worker}"
        self._enqueue = self.server.register_script(_ENQUEUE)
        self._pop = self.server.register_script(_POP)
        self.beat()
        # On its own timer, so a worker busy extracting or waiting idle stays alive.
        from scrapy.utils.asyncio import create_looping_call

        self.heart = create_looping_call(self.beat)
        self.heart.start(self.heartbeat_every, now=False)
        self.recover_dead()

    def beat(self) -> None:
        self.server.set(f"{self.k['alive']}:{self.worker}", "1", ex=self.ttl)

    def recover_dead(self) -> int:
        """Put back the requests of workers whose heartbeat has expired."""
        requeued = 0
        prefix = self.k["inflight"] + ":"
        for key in self.server.scan_iter(match=prefix + "*"):
            key = key.decode() if isinstance(key, bytes) else key
            peer = key.removeprefix(prefix)
            if peer == self.worker or self.server.exists(f"{self.k['alive']}:{peer}"):
                continue
            claimed = f"{key}:claimed-by:{self.worker}"
            try:
                self.server.rename(key, claimed)  # atomic: one survivor takes it
            except Exception:  # another worker took it first
                continue
            for encoded in self.server.hvals(claimed):
                request = self._decoded(encoded)
                if request is not None:
                    self.queue.push(request)
                    requeued += 1
            self.server.delete(claimed)
            logger.warning(
                "worker %s stopped without finishing: %d requests put back on the frontier",
                peer,
                requeued,
            )
        if requeued and self.stats:
            self.stats.inc_value("frontier/requeued_from_dead_workers", requeued)
        return requeued

    def enqueue_request(self, request):
        added = self._enqueue(
            keys=[self.df.key, self.queue.key],
            args=[
                self.df.request_fingerprint(request),
                -request.priority,
                "1" if request.dont_filter else "0",
                self.queue._encode_request(request),
            ],
        )
        if not added:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _decoded(self, encoded: bytes) -> Request | None:
        """The request of a frontier entry, or None for one that is not a request of
        the schema (crawler.request_codec): counted, logged, dropped, never run."""
        try:
            return self.queue._decode_request(encoded)
        except RefusedEntry as exc:
            logger.error("frontier entry refused (dropped): %s", exc)
            if self.stats:
                self.stats.inc_value("frontier/refused")
            return None

    def next_request(self):
        while True:
            encoded = self._pop(keys=[self.queue.key, self.inflight_key], args=["staging"])
            if encoded is None:
                return None
            request = self._decoded(encoded)
            if request is not None:
                break
            self.server.hdel(self.inflight_key, "staging")
        with self.server.pipeline() as pipe:  # MULTI/EXEC: re-filed in one step
            pipe.hset(self.inflight_key, self.df.request_fingerprint(request), encoded)
            pipe.hdel(self.inflight_key, "staging")
            pipe.execute()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def done(self, request: Request) -> None:
        self.server.hdel(self.inflight_key, self.df.request_fingerprint(request))

    def close(self, reason):
        if self.heart.running:
            self.heart.stop()
        if reason == "finished":
            self.server.delete(self.inflight_key)
        self.server.delete(f"{self.k['alive']}:{self.worker}")
        super().close(reason)


class RedisSeeds:
    """Seeds from Redis for a distributed worker, for the discovery spider.

    scrapy-redis 0.9.1's ``RedisSpider`` hands out seeds from ``start_requests``, which
    Scrapy ≥ 2.16 no longer calls, and makes every seed ``dont_filter=True``, so a seed
    pushed twice (two operators, two cron lines) is fetched twice. Here the spider's
    ``start()`` reads the seeds, each becomes the same request the spider builds for
    that kind of entry point (feed, sitemap, listing), and it goes through the shared
    dupefilter like any other request. Idle workers poll for more seeds and put back
    the work of dead peers, and exit after ``NEWSARCHIVE_IDLE_EXIT`` seconds without work.
    """

    def __init__(self, spider) -> None:
        self.spider = spider
        crawler = spider.crawler
        self.server = None
        self.k = keys(crawler.settings, spider.name)
        self.idle_exit = crawler.settings.getfloat("NEWSARCHIVE_IDLE_EXIT")
        self.batch = crawler.settings.getint("CONCURRENT_REQUESTS")
        self.idle_since: float | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # Scrapy looks at an idle scheduler only every 5 s; work that peers put on the
        # shared queue meanwhile would all go to them. Look twice a second instead.
        from scrapy.utils.asyncio import create_looping_call

        self.poll = create_looping_call(self.wake_if_queued)
        self.poll.start(crawler.settings.getfloat("NEWSARCHIVE_FRONTIER_POLL_SECONDS"), now=False)

    def wake_if_queued(self) -> None:
        engine = self.spider.crawler.engine
        slot = getattr(engine, "_slot", None)  # no public way to wake the engine
        if slot is not None and engine.scheduler is not None and len(engine.scheduler) > 0:
            slot.nextcall.schedule()

    def spider_closed(self) -> None:
        if self.poll.running:
            self.poll.stop()

    def _server(self):
        if self.server is None:
            from scrapy_redis.connection import from_settings

            self.server = from_settings(self.spider.crawler.settings)
        return self.server

    def pop(self) -> list[Request]:
        with self._server().pipeline() as pipe:
            pipe.lrange(self.k["seeds"], 0, self.batch - 1)
            pipe.ltrim(self.k["seeds"], self.batch, -1)
            found, _ = pipe.execute()
        requests = []
        for data in found:
            seed = json.loads(data)
            request = self.spider.seed_request(seed["kind"], seed["url"])
            if request is not None:
                requests.append(request)
        return requests

    def spider_idle(self) -> None:
        engine = self.spider.crawler.engine
        scheduler = engine.scheduler
        requests = self.pop()
        requeued = scheduler.recover_dead() if isinstance(scheduler, ReliableScheduler) else 0
        for request in requests:
            engine.crawl(request)
        now = time.monotonic()
        if requests or requeued:
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_exit:
            raise DontCloseSpider
        logger.info("frontier empty for %.0f s: this worker is done", self.idle_exit)
