"""``scrapy crawl <source>`` with an exit status that operators and cron can act on.

0  the crawl finished and everything it captured is stored;
1  Scrapy could not start (a bad argument, an unknown spider);
3  a storage error: the archive is unreachable or cannot be opened (its spool or state
   folder unwritable, a full disk…: nothing is fetched then), or files stay in the
   local spool;
4  the crawl stopped early (shutdown signal, error) but what it captured is stored;
5  the run failed: every entry point failed, or nothing was fetched (an outage, a ban);
6  the run is degraded: more than NEWSARCHIVE_MAX_FAILURE_SHARE of its article pages
   could not be fetched.
Statuses 5 and 6 print one line saying why; the run manifest has it as status_reason.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.commands import DISTRIBUTED_EXTRA, distributed_available
from newsarchive.state import parse_schedule
from newsarchive.storage import StorageError, open_storage

EXIT_STORAGE = 3
EXIT_INCOMPLETE = 4
EXIT_FAILED = 5
EXIT_DEGRADED = 6


class Command(ScrapyCrawl):
    def _argument_problem(self, source: str, spargs: dict[str, str]) -> str | None:
        """Why the source or the -a arguments cannot start a crawl, or None."""
        assert self.crawler_process
        loader = self.crawler_process.spider_loader
        if source not in loader.list():
            return f"unknown source {source!r}; sources: {', '.join(sorted(loader.list()))}"
        check = getattr(loader.load(source), "check_arguments", None)
        if check is not None:
            try:
                check(spargs)
            except ValueError as exc:
                return str(exc)
        return None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one source, e.g. 'scrapy crawl ecns'")
        assert self.crawler_process and self.settings is not None
        problem = self._argument_problem(args[0], opts.spargs)
        if self.settings.getbool("NEWSARCHIVE_DISTRIBUTED") and not distributed_available():
            problem = DISTRIBUTED_EXTRA
        try:
            parse_schedule(self.settings.get("NEWSARCHIVE_REVISIT_SCHEDULE"))
        except ValueError as exc:
            problem = problem or f"NEWSARCHIVE_REVISIT_SCHEDULE: {exc}"
        if problem:
            # One line, no traceback: this is the operator's mistake, not a crash.
            print(f"newsarchive: {problem}", file=sys.stderr)
            self.exitcode = 1
            return
        uri = self.settings.get("ARCHIVE_URI")
        try:
            open_storage(uri).check(write=True)
        except StorageError as exc:
            print(f"newsarchive: storage error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_STORAGE
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats.get_value("archive/storage_errors"):
            unavailable = crawler.stats.get_value("archive/open_failed")
            if unavailable:  # nothing was fetched: say why in one line
                print(f"newsarchive: {args[0]}: {unavailable}", file=sys.stderr)
            self.exitcode = EXIT_STORAGE
        elif crawler.stats.get_value("finish_reason") != "finished":
            self.exitcode = EXIT_INCOMPLETE
        else:
            status = crawler.stats.get_value("archive/run_status")
            codes = {"failed": EXIT_FAILED, "degraded": EXIT_DEGRADED}
            if status in codes:
                why = crawler.stats.get_value("archive/run_status_reason")
                print(f"newsarchive: {args[0]} crawl {status}: {why}", file=sys.stderr)
                self.exitcode = codes[status]
