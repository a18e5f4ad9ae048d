"""``scrapy seed <source>``: start a distributed run by putting the source's entry points
(feeds, sitemaps, listings from its profile) on the shared frontier in Redis.

A run is one seeding: its dupefilter starts empty, so this run fetches the feeds again
while the shared crawl state keeps it from archiving anything twice. If the frontier
still holds work (a run in progress), nothing is changed unless ``--restart``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import DISTRIBUTED_EXTRA, distributed_available
from crawler.spiders.discovery import profile_seeds
from newsarchive import profiles


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<source> [--restart]"

    def short_desc(self) -> str:
        return "Put a source's seeds on the distributed frontier (starts a distributed run)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--restart",
            action="store_true",
            help="drop a run still in progress (its queue and in-flight requests) first",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one source, e.g. 'scrapy seed ecns'")
        source = args[0]
        if source not in profiles.available():
            raise UsageError(
                f"unknown source {source!r}; sources: {', '.join(profiles.available())}"
            )
        assert self.settings is not None  # Scrapy sets them before run()
        if not self.settings.getbool("NEWSARCHIVE_DISTRIBUTED"):
            raise UsageError(
                "use the distributed settings: SCRAPY_SETTINGS_MODULE=settings.distributed"
            )
        if not distributed_available():
            print(f"newsarchive: {DISTRIBUTED_EXTRA}", file=sys.stderr)
            self.exitcode = 1
            return
        import redis

        from crawler.scheduler import keys

        url = self.settings.get("REDIS_URL")
        k = keys(self.settings, source)
        try:
            server = redis.Redis.from_url(url)
            queued = server.zcard(k["queue"])
            seeds_left = server.llen(k["seeds"])
            inflight = list(server.scan_iter(match=k["inflight"] + ":*"))
            pending = queued + seeds_left + sum(server.hlen(key) for key in inflight)
            if pending and not opts.restart:
                print(
                    f"{source}: a run is in progress ({queued} requests queued, {seeds_left} "
                    f"seeds, {pending - queued - seeds_left} in flight); its workers finish "
                    "it. Nothing changed (--restart drops it and starts a new run)."
                )
                return
            seeds = profile_seeds(profiles.load(source))
            with server.pipeline() as pipe:
                pipe.delete(k["queue"], k["dupefilter"], k["seeds"], *inflight)
                for kind, seed_url in seeds:
                    pipe.rpush(k["seeds"], json.dumps({"kind": kind, "url": seed_url}))
                pipe.execute()
        except redis.exceptions.RedisError as exc:
            reason = str(exc).replace(url, redact(url))
            print(
                f"newsarchive: cannot reach the frontier at {redact(url)}: {reason}",
                file=sys.stderr,
            )
            self.exitcode = 2
            return
        print(f"{source}: new run, {len(seeds)} seeds on the frontier at {redact(url)}")


def redact(url: str) -> str:
    """redis://user:secret@host -> redis://user:***@host (never print a password)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
