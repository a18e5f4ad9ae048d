"""Scrapy settings for newsarchive (the default settings module, see scrapy.cfg).

Everything an operator tunes comes from the environment, so that cron entries and CI
can configure a run without editing code (README "Configuration"). Each of the project's
own settings has one name, the same as its environment variable (``NEWSARCHIVE_*``;
``-s NEWSARCHIVE_DOWNLOAD_DELAY=3`` and the variable set the same thing), and one default,
here: the code reads them without defaults of its own. Scrapy's settings keep Scrapy's
names (DOWNLOAD_DELAY, CLOSESPIDER_TIMEOUT…), set from NEWSARCHIVE_* variables.
"""

from __future__ import annotations

import os

from newsarchive import __version__
from newsarchive.state import DEFAULT_REVISIT_SCHEDULE

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# --- Identity and politeness -------------------------------------------------------
# A truthful User-Agent with a way to reach the operator is what archives owe the sites.
NEWSARCHIVE_CONTACT = os.environ.get(
    "NEWSARCHIVE_CONTACT", "https://github.com/newsarchive/newsarchive#operators"
)
USER_AGENT = f"newsarchive/{__version__} (web archiving for research; +{NEWSARCHIVE_CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = float(os.environ.get("NEWSARCHIVE_DOWNLOAD_DELAY", "1.0"))
AUTOTHROTTLE_ENABLED = os.environ.get("NEWSARCHIVE_AUTOTHROTTLE", "1") == "1"
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
# A crawl has a time limit: a site that accepts connections and answers slowly (or a
# huge backlog) must not hold the next scheduled runs back for ever. At the limit Scrapy
# closes the spider as it does at the end (everything captured is stored) with the
# reason closespider_timeout: exit 4, "reached its time limit" in `newsarchive runs`.
CLOSESPIDER_TIMEOUT = float(os.environ.get("NEWSARCHIVE_TIME_LIMIT", str(3 * 3600)))
# Bodies above this are refused before they reach memory; news pages are < 2 MB.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
# Headers are bounded too (a response over either is refused, fetch/failed/header_flood):
# real servers send tens of headers, a few KB.
NEWSARCHIVE_MAX_HEADERS = int(os.environ.get("NEWSARCHIVE_MAX_HEADERS", "200"))
NEWSARCHIVE_MAX_HEADER_BYTES = int(os.environ.get("NEWSARCHIVE_MAX_HEADER_BYTES", "262144"))
# No cookies: an archive crawl reads public pages, and a site (or a robots.txt) that sets
# thousands of cookies would otherwise make every later request carry them and fail.
COOKIES_ENABLED = False
# A capture is only as trustworthy as the connection: certificates are verified against
# the system's trust store (SSL_CERT_FILE names another, as the offline replay does for
# its own CA), so a man in the middle cannot forge a "captured" https page.
DOWNLOAD_VERIFY_CERTIFICATES = True
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 2
# Past this many queued requests the queue spills to disk, in a folder of the run's own
# under NEWSARCHIVE_STATE: a sitemap of 300,000 URLs queued in memory took a crawl to a
# gigabyte (bench/big_sitemap.py). A queued request takes about 3 KB in memory.
SCHEDULER = "crawler.scheduler.DiskScheduler"
NEWSARCHIVE_MEMORY_QUEUE = int(os.environ.get("NEWSARCHIVE_MEMORY_QUEUE", "10000"))
# Scrapy starts CONCURRENT_ITEMS tasks for the output of every response (default 100);
# an article page yields one item, so 100 tasks a page were most of the reactor's work.
# Items of different pages still run in parallel (the extraction pool decides).
CONCURRENT_ITEMS = 8

# --- Attack surface -----------------------------------------------------------------
# Both consoles execute code inside a process that holds bucket write credentials.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# The address guard's check is made again where Twisted resolves a name to connect, so a
# name that answers differently the second time (DNS rebinding) is still refused.
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"

# --- Archive -------------------------------------------------------------------------
# Where the archive lives: a local folder or s3://bucket/prefix.
ARCHIVE_URI = os.environ.get("ARCHIVE_URI", "archive")
# Files are written here first and removed only once their upload is confirmed.
NEWSARCHIVE_SPOOL = os.environ.get("NEWSARCHIVE_SPOOL", ".spool")
NEWSARCHIVE_WARC_MAX_BYTES = int(os.environ.get("NEWSARCHIVE_WARC_MAX_BYTES", str(1_000_000_000)))
# What the archive already holds, per URL (SQLite, one database per archive).
NEWSARCHIVE_STATE = os.environ.get("NEWSARCHIVE_STATE", "state")
# When archived articles are refetched (conditionally), as ages since their first
# capture: a run revisits an article once a point has come since its last fetch, dense
# in the first day (deletions within hours), none after the last point.
# `scrapy crawl <source> -a revisit_only=1` fetches only what is due. Feeds, sitemaps,
# listings: every run.
NEWSARCHIVE_REVISIT_SCHEDULE = os.environ.get(
    "NEWSARCHIVE_REVISIT_SCHEDULE", DEFAULT_REVISIT_SCHEDULE
)
# Discovery. A feed whose newest item is older than this many days is reported stale
# (China Daily's RSS stopped in 2017 and still answers 200). A sitemap index (or the
# Sitemap: lines of robots.txt) is walked only for children dated within this many days
# when no -a since is given: CGTN's index lists ~700k archived URLs.
NEWSARCHIVE_STALE_FEED_DAYS = float(os.environ.get("NEWSARCHIVE_STALE_FEED_DAYS", "30"))
NEWSARCHIVE_SITEMAP_WINDOW_DAYS = float(os.environ.get("NEWSARCHIVE_SITEMAP_WINDOW_DAYS", "7"))
# Links that look like articles but match no pattern: how many examples a run lists.
NEWSARCHIVE_UNMATCHED_EXAMPLES = int(os.environ.get("NEWSARCHIVE_UNMATCHED_EXAMPLES", "20"))
# Each upload is tried this often, waiting 1, 2, 4... times the backoff in between
# (on top of botocore's own retries), before the file is left in the spool.
NEWSARCHIVE_UPLOAD_ATTEMPTS = int(os.environ.get("NEWSARCHIVE_UPLOAD_ATTEMPTS", "5"))
# A run whose article pages failed beyond this share ends "degraded" (exit 6).
NEWSARCHIVE_MAX_FAILURE_SHARE = float(os.environ.get("NEWSARCHIVE_MAX_FAILURE_SHARE", "0.5"))
# A run that recognises fewer article links than this share of the median of the
# source's last 5 runs ends "degraded" (exit 6): a template or URL pattern changed.
NEWSARCHIVE_MIN_YIELD_SHARE = float(os.environ.get("NEWSARCHIVE_MIN_YIELD_SHARE", "0.2"))
NEWSARCHIVE_UPLOAD_BACKOFF = float(os.environ.get("NEWSARCHIVE_UPLOAD_BACKOFF", "1.0"))
# Seconds a file's upload is retried before it is left in the spool (and, storage being
# down then, every later file of the run gets one attempt).
NEWSARCHIVE_UPLOAD_DEADLINE = float(os.environ.get("NEWSARCHIVE_UPLOAD_DEADLINE", "180"))
# Worker processes for trafilatura + cleaning; 0 means one per core.
NEWSARCHIVE_EXTRACT_WORKERS = int(os.environ.get("NEWSARCHIVE_EXTRACT_WORKERS", "0"))
# One page's extraction budget: a page longer than this many seconds in a worker has the
# worker killed and replaced, and counts as article/extraction_failed/timeout; HTML
# bigger than this many bytes is not given to the extractor (.../too_large). News
# articles take well under a second and are well under 2 MB; either page stays in the WARC.
NEWSARCHIVE_EXTRACT_TIMEOUT = float(os.environ.get("NEWSARCHIVE_EXTRACT_TIMEOUT", "60"))
NEWSARCHIVE_EXTRACT_MAX_BYTES = int(os.environ.get("NEWSARCHIVE_EXTRACT_MAX_BYTES", "5000000"))
# A distributed worker (settings/distributed.py) shares the frontier and the crawl state
# in Redis; a single-process crawl keeps its state in SQLite.
NEWSARCHIVE_DISTRIBUTED = False
NEWSARCHIVE_STATE_REDIS_URL: str | None = None

DOWNLOADER_MIDDLEWARES = {
    # Above HttpCompressionMiddleware (590) and RedirectMiddleware (600): sees every
    # response exactly as the server sent it, redirects and retried attempts included.
    "crawler.downloadermiddlewares.warc_capture.WarcCaptureMiddleware": 950,
    # Before RetryMiddleware (550): a 429/503 with Retry-After waits, then retries.
    "crawler.downloadermiddlewares.retry_after.RetryAfterMiddleware": 560,
    # Before OffsiteMiddleware (50): no loopback, private or link-local targets.
    "crawler.downloadermiddlewares.address_guard.AddressGuardMiddleware": 40,
    # Above RedirectMiddleware (600): loops and out-of-scope redirect targets, named.
    "crawler.downloadermiddlewares.redirect_guard.RedirectGuardMiddleware": 610,
}
NEWSARCHIVE_ALLOW_PRIVATE = os.environ.get("NEWSARCHIVE_ALLOW_PRIVATE", "0") == "1"
NEWSARCHIVE_RETRY_AFTER_MAX = float(os.environ.get("NEWSARCHIVE_RETRY_AFTER_MAX", "300"))
EXTENSIONS = {
    "crawler.extensions.archive.ArchiveExtension": 10,
}
ITEM_PIPELINES = {
    "pipelines.process.ArticlePipeline": 300,
    "pipelines.store.StorePipeline": 800,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("NEWSARCHIVE_LOG_LEVEL", "INFO")
