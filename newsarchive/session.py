"""One crawl's archive session: storage, spool, WARC and article writers, manifest.

Scrapy-free on purpose: the extension wires it to signals, and tests drive it directly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

from newsarchive import __version__
from newsarchive.archive import layout
from newsarchive.archive.article_files import ArticleFileWriter
from newsarchive.archive.manifest import (
    RunManifest,
    judge_run,
    recent_yields,
    software_versions,
    utc_now,
)
from newsarchive.archive.recovery import repair
from newsarchive.archive.warc import RotatingWarcWriter
from newsarchive.state import CrawlState, CrawlStateStore, archived_records
from newsarchive.state import rebuild as rebuild_state
from newsarchive.storage import StorageError, open_storage
from newsarchive.storage.spool import OPEN_DIR, Spool, Uploaded
from newsarchive.stories import open_stories
from newsarchive.stories import rebuild as rebuild_stories

logger = logging.getLogger(__name__)


def make_crawl_id(source: str, started_at: datetime) -> str:
    return layout.crawl_id(source, started_at, socket.gethostname(), os.getpid())


def spool_root(spool_dir: str | Path, archive_uri: str) -> Path:
    """Spooled files are kept per archive, so they are never uploaded to another one."""
    tag = hashlib.sha1(archive_uri.encode()).hexdigest()[:12]
    return Path(spool_dir) / tag


def _archived_articles(storage, problems: list[str]) -> list[dict[str, Any]]:
    """The newest record of each archived article, in the order of first capture: what
    an empty story index is rebuilt from. Unreadable files are named in ``problems``."""
    from newsarchive.archive.article_files import latest_versions

    first: dict[str, str] = {}

    def seen(record: dict) -> None:
        key, when = str(record["id"]), str(record.get("fetched_at") or "")
        first[key] = min(first.get(key, when), when)

    latest = latest_versions(archived_records(storage, problems, "story index rebuild", seen))
    return sorted(latest.values(), key=lambda r: (first[str(r["id"])], str(r["id"])))


class ArchiveSession:
    def __init__(
        self,
        *,
        archive_uri: str,
        spool_dir: str | Path,
        source: str,
        warc_max_bytes: int,
        warcinfo: dict[str, str],
        started_at: datetime | None = None,
        upload_attempts: int = 5,
        upload_backoff: float = 1.0,
        upload_deadline: float = 180.0,
        state_dir: str | Path = "state",
        state_url: str | None = None,
        max_failure_share: float = 0.5,
        shares_frontier: bool = False,
        min_yield_share: float = 0.2,
        kind: str = "crawl",
    ) -> None:
        self.started_at = started_at or utc_now()
        self.kind = kind
        self.max_failure_share = max_failure_share
        self.shares_frontier = shares_frontier
        self.min_yield_share = min_yield_share
        self.status, self.status_reason = "running", ""
        self.source = source
        self.crawl_id = make_crawl_id(source, self.started_at)
        self.crawl_date = f"{self.started_at:%Y-%m-%d}"
        self.storage = open_storage(archive_uri)
        self.manifest = RunManifest(self.crawl_id, source, self.started_at, kind)
        self.spool = Spool(
            spool_root(spool_dir, self.storage.uri),
            self.storage,
            on_uploaded=self.manifest.add_file,
            attempts=upload_attempts,
            backoff=upload_backoff,
            deadline=upload_deadline,
            owner=self.crawl_id,
        )
        self.state: CrawlStateStore
        if state_url:
            # Distributed workers share one state, so no article is archived twice.
            from newsarchive.redis_state import RedisCrawlState

            self.state = RedisCrawlState(state_url, self.storage.uri)
        else:
            self.state = CrawlState(spool_root(state_dir, self.storage.uri) / "crawl.sqlite")
        self.rebuilt = 0
        self.rebuild_problems: list[str] = []
        if len(self.state) == 0:
            # A new machine, or a lost state folder: learn what the archive already holds.
            self.rebuilt = rebuild_state(self.state, self.storage, self.rebuild_problems)
            if self.rebuilt:
                logger.info("crawl state rebuilt from the archive: %d URLs", self.rebuilt)
            for problem in self.rebuild_problems:
                logger.warning("crawl state rebuild: %s", problem)
        # Republication clusters: each stored article gets its story here (the store
        # pipeline and reprocess call assign), from an index beside the crawl state.
        self.stories = open_stories(
            spool_root(state_dir, self.storage.uri), state_url, self.storage.uri
        )
        self.stories_rebuilt = 0
        if len(self.stories) == 0:
            problems: list[str] = []
            self.stories_rebuilt = rebuild_stories(
                self.stories, _archived_articles(self.storage, problems)
            )
            if self.stories_rebuilt:
                logger.info(
                    "story index rebuilt from the archive: %d articles", self.stories_rebuilt
                )
            for problem in problems:
                logger.warning("story index rebuild: %s", problem)
        info = {
            "software": f"newsarchive/{__version__}",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "isPartOf": self.crawl_id,
            **{f"version-{k}": v for k, v in software_versions().items()},
            **warcinfo,
        }
        self.warc = RotatingWarcWriter(
            self.spool,
            source=source,
            crawl_id=self.crawl_id,
            crawl_date=self.crawl_date,
            max_bytes=warc_max_bytes,
            info=info,
            on_closed=self.manifest.count_records,
        )
        self.articles = ArticleFileWriter(
            self.spool,
            source=source,
            crawl_id=self.crawl_id,
            crawl_date=self.crawl_date,
            on_closed=self.manifest.count_records,
        )

    def recover(self) -> list[Uploaded]:
        """Finish the files of crawls that were killed, then upload everything earlier
        runs left in the spool. A killed crawl wrote no manifest: one is written for it
        here, so that it shows in `newsarchive runs` as killed, not as nothing."""
        killed: dict[str, int] = {}
        for key, path in self.spool.abandoned():
            owner = path.relative_to(self.spool.root / OPEN_DIR).parts[0]
            if key.startswith("index/"):
                path.unlink()  # cut off while written: its files are scanned instead
                continue
            records = repair(path)
            killed[owner] = killed.get(owner, 0) + records
            if records:
                self.manifest.count_records(key, records)
                self.spool.adopt(key, path)
                logger.warning("repaired %s left by a killed crawl (%d records kept)", key, records)
            else:
                path.unlink()
        for crawl_id, records in killed.items():
            self._record_killed(crawl_id, records)
        recovered = []
        for key in self.spool.pending():
            uploaded = self.spool.submit(key).result()
            if uploaded is not None:
                # A manifest an earlier run kept while storage was down is that run's
                # record, in place now; only data files are this run's to list.
                if not key.startswith("runs/"):
                    self.manifest.add_recovered(uploaded)
                recovered.append(uploaded)
        # Those went through on_uploaded as files of this run too; keep them apart.
        keys = {u.key for u in recovered}
        self.manifest.files = [f for f in self.manifest.files if f["key"] not in keys]
        return recovered

    def _record_killed(self, crawl_id: str, records: int) -> None:
        """The manifest of a crawl that died without writing its own (kill -9, the OOM
        killer, a power cut): status ``killed``, its files listed by this run, which
        repaired and uploaded them."""
        origin = layout.crawl_origin(crawl_id)
        if origin is None:
            return  # not a crawl's files (a spool shared with another tool)
        source, started = origin
        key = layout.run_key(crawl_id)
        try:
            if self.storage.exists(key):
                return  # it wrote its manifest and died after
            why = (
                f"the crawl process died before it finished (killed, out of memory, power "
                f"lost); {records} records of its unfinished files were repaired and "
                f"uploaded by {self.crawl_id}"
            )
            manifest = RunManifest(crawl_id, source, started)
            self.storage.put_bytes(
                manifest.render(status="killed", stats={}, errors=[], why=why), key
            )
        except StorageError as exc:
            logger.warning("could not record the killed crawl %s: %s", crawl_id, exc)

    def close(self, *, reason: str, stats: dict[str, Any]) -> list[str]:
        """Finish every file, wait for uploads, write the manifest. Returns the errors."""
        self.warc.close()
        self.articles.close()
        errors = self.spool.wait()
        # Once the storage has failed, this run calls it no more: a hung endpoint would
        # hold the end of the run one more bounded call for the history and one for
        # the manifest, which waits in the spool like the other files.
        down = self.spool.storage_down
        try:
            # (A reprocess run discovers nothing: a crawl's yield is no measure of it.)
            usual = down or self.kind != "crawl"
            recent = [] if usual else recent_yields(self.storage, self.source)
        except StorageError:
            recent = []  # judged without the history; the storage error is reported anyway
        self.status, self.status_reason = judge_run(
            reason,
            stats,
            errors,
            max_failure_share=self.max_failure_share,
            shares_frontier=self.shares_frontier,
            recent=recent,
            min_yield_share=self.min_yield_share,
        )
        manifest = self.manifest.render(
            status=self.status, stats=stats, errors=errors, why=self.status_reason
        )
        try:
            if down:
                raise StorageError(f"{self.manifest.key} not attempted: the storage failed")
            self.storage.put_bytes(manifest, self.manifest.key)
        except StorageError as exc:
            errors.append(str(exc))
            path = self.spool.path_for(self.manifest.key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(manifest)
            logger.error("storage error: %s (manifest kept at %s)", exc, path)
        self.spool.close()
        self.state.close()
        self.stories.close()
        return errors
