"""``newsarchive probe``: does each source still work on the live site?

Only a live site can say whether an entry point still answers, whether its links still
match the profile's patterns and whether the selectors still find the date. The probe
asks it the way a crawl would: the production settings (robots.txt, politeness, the
address guard), the source's own spider and discovery code, then the real extraction
pipeline on a few sample articles. It writes nothing: no WARC capture, no article
pipeline, no archive extension, no crawl state.

Per source it reports every entry point (HTTP status, kind, items found, newest item
date, stale flag), the article links matched and the links that look like articles but
match no pattern, and per metadata field how many samples the profile's selectors
filled. A source is broken (exit 1) when it yields no article link, when every entry
point fails, when no sample could be extracted, or when a field is empty on every
sample. Each break is named in one line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.spiders.discovery import DiscoverySpider, entry_day
from newsarchive import profiles
from newsarchive.items import ArticlePage
from newsarchive.urls import url_day

# Sample links that may fail (404, gone) before the probe gives up on an edition.
MAX_FAILED_SAMPLES = 50
# Record-level fields reported besides the profile's selector fields.
RECORD_FIELDS = ("title", "published", "agency", "section")


@dataclasses.dataclass
class EntryReport:
    url: str
    kind: str
    status: int | None = None
    error: str | None = None
    items: int = 0
    newest: str | None = None
    stale: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclasses.dataclass
class SourceReport:
    source: str
    entries: list[EntryReport] = dataclasses.field(default_factory=list)
    matched: list[str] = dataclasses.field(default_factory=list)
    unmatched: int = 0
    unmatched_examples: list[str] = dataclasses.field(default_factory=list)
    samples: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    selector_fields: list[str] = dataclasses.field(default_factory=list)

    def filled(self, field: str, language: str | None = None) -> int:
        """Samples on which the field was filled: by its selectors for a profile field,
        in the record for the record-level ones."""
        key = "selectors" if field in self.selector_fields else "record"
        return sum(1 for s in self.extracted(language) if field in s.get(key, []))

    def extracted(self, language: str | None = None) -> list[dict[str, Any]]:
        return [
            s
            for s in self.samples
            if not s.get("error") and (language is None or s.get("language") == language)
        ]

    def languages(self) -> list[str]:
        """The editions sampled."""
        return sorted({str(s.get("language")) for s in self.samples})

    def problems(self) -> list[str]:
        found = []
        if self.entries and not any(e.ok for e in self.entries):
            found.append("every entry point failed")
        for entry in self.entries:
            if not entry.ok:
                why = entry.error or f"HTTP {entry.status}"
                found.append(f"entry point {entry.url} ({entry.kind}) failed: {why}")
            elif entry.items == 0:
                found.append(f"entry point {entry.url} ({entry.kind}) lists no article")
            if entry.stale:
                found.append(f"{entry.kind} {entry.url} is stale: newest item {entry.newest}")
        if not self.matched:
            found.append("no article link found: the source yields no article")
        if self.unmatched:
            found.append(
                f"{self.unmatched} links look like articles but match no pattern "
                f"(a new URL shape?), e.g. {', '.join(self.unmatched_examples[:3])}"
            )
        for language in self.languages():
            extracted = self.extracted(language)
            if not extracted:
                tried = [s for s in self.samples if s.get("language") == language]
                errors = sorted({str(s.get("error")) for s in tried})
                found.append(
                    f"none of the {len(tried)} {language} sample articles could be extracted "
                    f"({', '.join(errors)})"
                )
                continue
            for field in self.selector_fields:
                if self.filled(field, language) == 0:
                    found.append(
                        f"field {field}: the profile's selectors matched nothing on any of "
                        f"the {len(extracted)} {language} samples (a template change?)"
                    )
        return found

    def broken(self) -> bool:
        """Problems that make the probe fail; a stale feed or a dead entry point among
        working ones, or drifted links, are reported but not fatal on their own."""
        fatal = ("every entry point", "no article link", "none of the", "field ")
        return any(p.startswith(fatal) for p in self.problems())

    def as_dict(self) -> dict[str, Any]:
        fields = self.selector_fields + [f for f in RECORD_FIELDS if f not in self.selector_fields]
        return {
            "source": self.source,
            "ok": not self.broken(),
            "entries": [dataclasses.asdict(e) | {"ok": e.ok} for e in self.entries],
            "articles_matched": len(self.matched),
            "unmatched_article_like": self.unmatched,
            "unmatched_examples": self.unmatched_examples,
            "samples": len(self.samples),
            "extracted": len(self.extracted()),
            "sample_urls": [s["url"] for s in self.samples],
            "fields": {
                language: {f: self.filled(f, language) for f in fields}
                for language in self.languages()
            },
            "problems": self.problems(),
        }


def probe_spider(base: type[DiscoverySpider], report: SourceReport, samples: int) -> type:
    """The source's own spider, with every entry point and sample fetch observed."""

    class ProbeSpider(base):  # type: ignore[valid-type,misc]
        name = f"probe-{base.name}"

        @classmethod
        def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
            spider = super().from_crawler(crawler, *args, **kwargs)
            crawler.signals.connect(spider.idle, signal=signals.spider_idle)
            return spider

        async def start(self):
            self.sampled = False
            self.found: dict[str, dict[str, Any]] = {}
            self.by_entry: dict[str, list[str]] = {}
            for kind, url in self.seeds():
                entry = EntryReport(url, kind)
                report.entries.append(entry)
                request = self.seed_request(kind, url)
                if request is None:
                    continue
                yield request.replace(
                    callback=self.observe,
                    errback=self.entry_failed,
                    meta={**request.meta, "entry": entry, "parse": request.callback},
                    dont_filter=True,
                )

        def article_request(self, link: str, via: str, base: str | None = None, **found: Any):
            # Every entry point's links are counted, also those another entry point listed.
            self._scheduled.clear()
            return super().article_request(link, via, base, **found)

        def observe(self, response: Response) -> Iterator[scrapy.Request]:
            entry: EntryReport = response.meta["entry"]
            if entry.status is None:
                entry.status = response.status
            for request in response.meta["parse"](response) or ():
                discovered = request.meta.get("discovered")
                if discovered is not None:  # an article: noted, not fetched
                    entry.items += 1
                    day = entry_day(discovered.get("date")) or url_day(request.url)
                    if day and (entry.newest is None or day.isoformat() > entry.newest):
                        entry.newest = day.isoformat()
                    if discovered.get("via") != "unmatched":
                        self.found.setdefault(request.url, discovered)
                        self.by_entry.setdefault(entry.url, []).append(request.url)
                    continue
                # A child sitemap, a datasource list, listing page 2: counted for its entry.
                yield request.replace(
                    callback=self.observe,
                    errback=self.entry_failed,
                    meta={**request.meta, "entry": entry, "parse": request.callback},
                )
            if entry.newest and entry.kind in ("feed", "datasource"):
                age = (self.now.date() - date.fromisoformat(entry.newest)).days
                entry.stale = age > self.stale_feed_days

        def entry_failed(self, failure) -> None:
            from crawler.failures import name

            entry: EntryReport = failure.request.meta["entry"]
            reason, detail = name(failure)
            response = getattr(failure.value, "response", None)
            if response is not None and entry.status is None:
                entry.status = response.status
            elif entry.status is None:
                entry.error = f"{reason}: {detail}"

        def idle(self) -> None:
            if self.sampled:
                return
            self.sampled = True
            report.matched = sorted(self.found)
            stats = self.crawler.stats
            report.unmatched = stats.get_value("discovery/unmatched_article_like", 0)
            report.unmatched_examples = stats.get_value("discovery/unmatched_examples") or []
            self.candidates = self.round_robin()
            self.attempts: dict[str, int] = {}
            started = 0
            for language in {self.language(u) for u in self.candidates}:
                for _ in range(samples):
                    started += self.next_sample(language)
            if started:
                raise DontCloseSpider

        def round_robin(self) -> list[str]:
            """Candidates taken in turn from each entry point, newest first within
            each: the samples test every route, not only the busiest feed."""

            def newest(url: str) -> tuple[date, str]:
                return (entry_day(self.found[url].get("date")) or url_day(url) or date.min, url)

            queues = [
                sorted(set(urls), key=newest, reverse=True) for urls in self.by_entry.values()
            ]
            order: list[str] = []
            while any(queues):
                for queue in queues:
                    while queue and queue[0] in order:
                        queue.pop(0)
                    if queue:
                        order.append(queue.pop(0))
            return order

        def language(self, url: str) -> str:
            return str(self.profile.language_for(url))

        def next_sample(self, language: str) -> bool:
            """Fetch the edition's next candidate until K samples of it are extracted; a
            link that fails is replaced by the next (at most K + 50 fetches an edition).
            Editions are sampled apart: each has its own template."""
            done = len(report.extracted(language))
            tried = self.attempts.get(language, 0)
            if done >= samples or tried >= samples + MAX_FAILED_SAMPLES:
                return False
            for url in self.candidates:
                if self.language(url) == language:
                    self.candidates.remove(url)
                    break
            else:
                return False
            self.attempts[language] = tried + 1
            request = scrapy.Request(
                url,
                callback=self.sample,
                errback=self.sample_failed,
                meta={"discovered": self.found[url]},
                dont_filter=True,
            )
            self.crawler.engine.crawl(request)
            return True

        def sample(self, response: Response) -> None:
            from pipelines.article import build_article
            from pipelines.extract import ExtractionFailed

            page = ArticlePage(
                self.source,
                response.url,
                self.profile.language_for(response.url),
                [self._capture(response)],
                discovered=response.meta.get("discovered", {}),
            )
            asked = response.request.url if response.request is not None else response.url
            language = self.language(asked)
            result: dict[str, Any] = {
                "url": response.url,
                "status": response.status,
                "language": language,
            }
            try:
                record = build_article(page)
            except ExtractionFailed as exc:
                result["error"] = exc.reason
            else:
                missed = set(record.get("selector_missed") or [])
                result["selectors"] = [f for f in self.profile.metadata if f not in missed]
                result["record"] = [f for f in RECORD_FIELDS if record.get(f)]
            report.samples.append(result)
            if result.get("error"):
                self.next_sample(language)

        def sample_failed(self, failure) -> None:
            from crawler.failures import name

            reason, _ = name(failure)
            language = self.language(failure.request.url)
            report.samples.append(
                {"url": failure.request.url, "error": reason, "language": language}
            )
            self.next_sample(language)

    return ProbeSpider


def probe_settings():
    """The production settings less everything that writes: WARC capture, the article
    pipelines, the archive extension."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings")
    settings = get_project_settings()
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["crawler.downloadermiddlewares.warc_capture.WarcCaptureMiddleware"] = None
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares)
    settings.set("ITEM_PIPELINES", {})
    settings.set("EXTENSIONS", {"crawler.extensions.archive.ArchiveExtension": None})
    # A probe queues a few dozen requests: Scrapy's scheduler keeps them in memory,
    # where the crawl's spills past a bound into a folder under the state folder.
    settings.set("SCHEDULER", "scrapy.core.scheduler.Scheduler")
    settings.set("NEWSARCHIVE_DISTRIBUTED", False)
    settings.set("LOG_LEVEL", "WARNING")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False)  # the report is the output
    return settings


def probe(sources: list[str], samples: int = 3) -> list[SourceReport]:
    settings = probe_settings()
    loader = SpiderLoader.from_settings(settings)
    process = CrawlerProcess(settings)
    reports = []
    for source in sources:
        report = SourceReport(source, selector_fields=list(profiles.load(source).metadata))
        reports.append(report)
        spider = loader.load(source)
        if not issubclass(spider, DiscoverySpider):
            raise TypeError(f"{source}: {spider.__name__} is not a DiscoverySpider")
        process.crawl(probe_spider(spider, report, samples))
    process.start()
    return reports


def render(report: SourceReport) -> str:
    lines = [f"{report.source}"]
    lines.append(f"  {'entry point':<62} {'kind':<10} {'status':>6} {'items':>5}  newest")
    for e in report.entries:
        status = str(e.status) if e.status is not None else "-"
        flag = "  STALE" if e.stale else ""
        lines.append(
            f"  {e.url:<62} {e.kind:<10} {status:>6} {e.items:>5}  {e.newest or '-'}{flag}"
        )
        if e.error:
            lines.append(f"    {e.error}")
    lines.append(
        f"  article links: {len(report.matched)} matched, "
        f"{report.unmatched} unmatched but article-like"
    )
    for example in report.unmatched_examples[:5]:
        lines.append(f"    unmatched: {example}")
    extracted = len(report.extracted())
    lines.append(f"  samples: {len(report.samples)} fetched, {extracted} extracted")
    data = report.as_dict()
    for language, fields in data["fields"].items():
        total = len(report.extracted(language))
        lines.append(f"    {language} edition, {total} samples")
        for field, count in fields.items():
            kind = "selectors" if field in report.selector_fields else "record"
            lines.append(f"      {field:<10} {count}/{total} ({kind})")
    problems = report.problems()
    verdict = "BROKEN" if report.broken() else ("ok, with warnings" if problems else "ok")
    lines.append(f"  {verdict}")
    lines += [f"  - {p}" for p in problems]
    return "\n".join(lines)


def run_probe(sources: list[str], *, samples: int = 3, as_json: bool = False) -> int:
    known = profiles.available()
    unknown = [s for s in sources if s not in known]
    if unknown:
        print(
            f"newsarchive probe: unknown source {', '.join(unknown)}; valid: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    if samples < 1:
        print("newsarchive probe: --samples must be at least 1", file=sys.stderr)
        return 2
    reports = probe(sources or known, samples=samples)
    for report in reports:
        print(json.dumps(report.as_dict(), ensure_ascii=False) if as_json else render(report))
        if not as_json:
            print()
    broken = [r.source for r in reports if r.broken()]
    if not as_json:
        summary = f"probe: {len(reports)} sources, {len(broken)} broken"
        print(summary + (f" ({', '.join(broken)})" if broken else ""))
    return 1 if broken else 0
