"""``newsarchive report``: the crawl as one self-contained HTML page with its plots.

Read from the run manifests alone, like ``stats`` (no article file is opened, so it is
as fast on a bucket of years as on the demo). It answers what an operator and a
researcher ask of a scheduled crawl: did every source run every day (the days none did
are marked), did yield or failures move, how were articles found, which feeds went
stale and which links matched no pattern (drift), what the cleaning removed, and how
many articles changed or vanished.

The page embeds its plots as data URIs, so it can be mailed or archived as one file;
the same plots are written beside it as PNG files for papers and slides.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from corpus.reader import ArchiveReader
from newsarchive.archive.manifest import fetch_trouble, run_kind

REPORT_EXTRA = "the plots need matplotlib: pip install 'newsarchive[report]'"

# A run that archived what it found; a day with none of these for a source is a gap.
RAN = ("finished", "degraded")


def _int(value: object) -> int:
    """A count from a manifest, 0 when it is missing or not a count (a damaged or
    hostile manifest must not end the report)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Run:
    """What the report needs of one run manifest."""

    crawl_id: str
    source: str
    status: str
    reason: str
    started: datetime
    pages: int
    articles: int
    new: int
    changed: int
    deleted: int
    links: int  # article links discovery recognised: the run's yield
    trouble: int  # article pages lost to trouble (not 404/410)
    tried: int
    routes: dict[str, int]
    removed: dict[str, int]
    stale_feeds: list[str]
    unmatched: int
    unmatched_examples: list[str]

    @property
    def day(self) -> date:
        return self.started.date()

    @property
    def failure_share(self) -> float:
        return self.trouble / self.tried if self.tried else 0.0

    @classmethod
    def read(cls, manifest: dict[str, Any]) -> Run:
        """One run of a manifest as the archive's reader hands it over (checked by
        newsarchive.archive.manifest.malformed: its started_at is a time)."""
        started = datetime.fromisoformat(manifest["started_at"])
        stats = _dict(manifest.get("stats"))
        counts = _dict(manifest.get("counts"))
        discovery = _dict(manifest.get("discovery"))
        trouble, tried = fetch_trouble({k: _int(v) for k, v in stats.items()})
        routes = {
            k.removeprefix("discovery/articles_from_"): _int(v)
            for k, v in stats.items()
            if k.startswith("discovery/articles_from_")
        }
        stale = discovery.get("stale_feeds")
        examples = discovery.get("unmatched_examples")
        return cls(
            crawl_id=str(manifest.get("crawl_id", "?")),
            source=str(manifest.get("source", "?")),
            status=str(manifest.get("status", "?")),
            reason=str(manifest.get("status_reason") or ""),
            started=started,
            pages=_int(counts.get("pages_fetched")),
            articles=_int(counts.get("articles")),
            new=_int(counts.get("new")),
            changed=_int(counts.get("changed")),
            deleted=_int(counts.get("deleted")),
            links=sum(v for k, v in routes.items() if k != "unmatched"),
            trouble=trouble,
            tried=tried,
            routes=routes,
            removed={str(k): _int(v) for k, v in _dict(manifest.get("removed_by_rule")).items()},
            stale_feeds=[
                str(f.get("url")) + (f" (newest {f['newest']})" if f.get("newest") else "")
                for f in (stale if isinstance(stale, list) else [])
                if isinstance(f, dict)
            ],
            unmatched=_int(discovery.get("unmatched_article_like")),
            unmatched_examples=[str(u) for u in (examples if isinstance(examples, list) else [])],
        )


@dataclass
class Report:
    archive: str
    runs: list[Run]
    problems: list[str] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return sorted({r.source for r in self.runs})

    @property
    def days(self) -> list[date]:
        if not self.runs:
            return []
        first, last = min(r.day for r in self.runs), max(r.day for r in self.runs)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def gaps(self, source: str) -> list[date]:
        """Days from the source's first run to the last day of the report on which no
        run of it archived anything (none ran, or each one failed)."""
        ran = {r.day for r in self.runs if r.source == source and r.status in RAN}
        first = min((r.day for r in self.runs if r.source == source), default=None)
        return [d for d in self.days if first and d >= first and d not in ran]

    def latest(self, source: str) -> Run:
        return [r for r in self.runs if r.source == source][-1]


def build(reader: ArchiveReader) -> Report:
    # Crawls only: a reprocess run fetched and discovered nothing (its re-extractions are
    # not articles stored that day).
    crawls = [m for m in reader.manifests() if run_kind(m) == "crawl"]
    runs = sorted(map(Run.read, crawls), key=lambda r: (r.started, r.crawl_id))
    return Report(reader.storage.uri, runs, sorted(reader.problems))


# -- plots ---------------------------------------------------------------------------


def _figure(height: float = 3.2):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, height), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def _colour(report: Report, source: str) -> str:
    """A source keeps its colour in every plot."""
    return f"C{report.sources.index(source) % 10}"


def _days_axis(axes, report: Report) -> None:
    """Whole days, from the day before the first run to the day after the last (a
    one-day report would otherwise be stretched over hours or years)."""
    from matplotlib.dates import DateFormatter, DayLocator

    days = report.days
    axes.set_xlim(days[0] - timedelta(days=1), days[-1] + timedelta(days=1))
    axes.xaxis.set_major_locator(DayLocator(interval=max(1, len(days) // 10)))
    axes.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _per_day(report: Report, source: str, value) -> list[int]:
    totals: Counter = Counter()
    for run in report.runs:
        if run.source == source:
            totals[run.day] += value(run)
    return [totals[d] for d in report.days]


def _articles_per_day(report: Report) -> bytes:
    figure, axes = _figure(3.6)
    days = report.days
    for source in report.sources:
        axes.plot(
            days,
            _per_day(report, source, lambda r: r.articles),
            marker="o",
            color=_colour(report, source),
            label=source,
        )
    marked = False
    for source in report.sources:
        for day in report.gaps(source):
            axes.axvspan(
                day - timedelta(hours=12),
                day + timedelta(hours=12),
                color="tab:red",
                alpha=0.12,
                label=None if marked else "a source with no run that archived",
            )
            marked = True
    axes.set_ylabel("article records stored")
    axes.set_ylim(bottom=0)
    axes.set_title("Articles stored per source per crawl day (shaded: gaps)")
    axes.legend(fontsize="small", ncols=4)
    _days_axis(axes, report)
    figure.autofmt_xdate()
    return _png(figure)


def _yield_and_failures(report: Report) -> bytes:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5), dpi=100, layout="constrained")
    yields, failures = figure.subplots(2, 1, sharex=True)
    for source in report.sources:
        runs = [r for r in report.runs if r.source == source]
        at = [r.started for r in runs]
        style = {"marker": "o", "color": _colour(report, source), "label": source}
        yields.plot(at, [r.links for r in runs], **style)
        failures.plot(at, [100 * r.failure_share for r in runs], **style)
    yields.set_ylabel("article links found")
    yields.set_ylim(bottom=0)
    yields.set_title("Yield and failure share per run")
    yields.legend(fontsize="small", ncols=4)
    failures.set_ylabel("article pages lost\nto trouble, %")
    failures.set_ylim(0, max([5.0] + [110 * r.failure_share for r in report.runs]))
    _days_axis(failures, report)
    figure.autofmt_xdate()
    return _png(figure)


def _stacked_bars(
    axes, rows: list[str], columns: dict[str, list[int]], colours: dict[str, str] | None = None
) -> None:
    left = [0] * len(rows)
    for name, values in columns.items():
        axes.barh(rows, values, left=left, label=name, color=(colours or {}).get(name))
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    if columns:
        axes.legend(fontsize="small", ncols=4)


def _routes(report: Report) -> bytes:
    figure, axes = _figure(0.6 + 0.45 * max(3, len(report.sources)))
    totals: dict[str, Counter] = defaultdict(Counter)
    for run in report.runs:
        totals[run.source].update(run.routes)
    routes = sorted({k for c in totals.values() for k in c})
    _stacked_bars(
        axes,
        report.sources,
        {route: [totals[s][route] for s in report.sources] for route in routes},
    )
    axes.set_xlabel("article links, all runs")
    axes.set_title("How articles were found (discovery routes)")
    return _png(figure)


def _cleaning(report: Report) -> bytes:
    totals: dict[str, Counter] = defaultdict(Counter)
    for run in report.runs:
        totals[run.source].update(run.removed)
    rules = [rule for rule, _ in sum(totals.values(), Counter()).most_common()]
    figure, axes = _figure(0.6 + 0.45 * max(3, len(rules)))
    _stacked_bars(
        axes,
        rules,
        {s: [totals[s][rule] for rule in rules] for s in report.sources},
        {s: _colour(report, s) for s in report.sources},
    )
    axes.set_xlabel("paragraphs or lines removed, all runs")
    axes.set_title("Cleaning rules applied")
    return _png(figure)


def _versions(report: Report) -> bytes:
    figure, axes = _figure()
    days = report.days
    bottom = [0] * len(days)
    for name, value in (
        ("first versions", lambda r: r.new),
        ("later versions", lambda r: r.changed),
        ("deletions", lambda r: r.deleted),
    ):
        heights = [
            sum(_per_day(report, s, value)[i] for s in report.sources) for i in range(len(days))
        ]
        axes.bar(days, heights, bottom=bottom, label=name)
        bottom = [a + b for a, b in zip(bottom, heights, strict=True)]
    axes.set_ylabel("articles")
    axes.set_title("New versions and deletions per crawl day, all sources")
    axes.legend(fontsize="small")
    _days_axis(axes, report)
    figure.autofmt_xdate()
    return _png(figure)


PLOTS = {
    "articles-per-day": _articles_per_day,
    "yield-and-failures": _yield_and_failures,
    "discovery-routes": _routes,
    "cleaning-rules": _cleaning,
    "versions-and-deletions": _versions,
}


# -- the page ------------------------------------------------------------------------


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body{font-family:sans-serif;margin:2em auto;max-width:1040px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
img{max-width:100%}table{border-collapse:collapse;font-size:.85em}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
.bad{color:#a00}
"""


def render_html(report: Report, plots: dict[str, bytes]) -> str:
    runs = report.runs
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>newsarchive report: {html.escape(report.archive)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>newsarchive report</h1><p>Archive <code>{html.escape(report.archive)}</code>; "
        f"runs: {len(runs)}, sources: {len(report.sources)}"
        + (f", {report.days[0]} to {report.days[-1]}" if runs else "")
        + f"; {sum(r.articles for r in runs):,} article records, "
        f"{sum(r.pages for r in runs):,} pages fetched.</p>",
    ]
    for problem in report.problems:
        parts.append(f"<p class=bad>Not counted: {html.escape(problem)}</p>")
    unwell = [r for r in runs if r.status != "finished"]
    parts.append("<h2>Runs that did not simply finish</h2>")
    parts.append(
        _table(
            ("crawl id", "source", "status", "why"),
            ((r.crawl_id, r.source, r.status, r.reason) for r in unwell),
        )
        if unwell
        else "<p>None.</p>"
    )
    gaps = {s: report.gaps(s) for s in report.sources}
    parts.append("<h2>Gaps: days a source archived nothing</h2>")
    parts.append(
        _table(
            ("source", "days", "dates"),
            ((s, len(d), ", ".join(map(str, d))) for s, d in gaps.items() if d),
        )
        if any(gaps.values())
        else "<p>None: every source has a run that archived on every day of the report.</p>"
    )
    titles = {
        "articles-per-day": "Articles per source per day",
        "yield-and-failures": "Yield and failure share per run",
        "discovery-routes": "Discovery routes",
        "cleaning-rules": "Cleaning rules applied",
        "versions-and-deletions": "Versions and deletions per day",
    }
    for name, png in plots.items():
        data = base64.b64encode(png).decode()
        parts.append(
            f"<h2>{titles[name]}</h2><img id={name} alt='{titles[name]}' "
            f"src='data:image/png;base64,{data}'>"
        )
    parts.append("<h2>Drift: stale feeds and links that match no pattern (latest run)</h2>")
    rows = []
    for source in report.sources:
        latest = report.latest(source)
        rows.append(
            (
                source,
                "; ".join(latest.stale_feeds) or "-",
                latest.unmatched,
                " ".join(latest.unmatched_examples[:5]) or "-",
            )
        )
    parts.append(
        _table(("source", "stale feeds", "unmatched article-like links", "examples"), rows)
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(reader: ArchiveReader, out: Path) -> tuple[Report, Path]:
    """Write ``out/report.html`` and ``out/<plot>.png``; returns the report and the page."""
    report = build(reader)
    out.mkdir(parents=True, exist_ok=True)
    plots = {name: plot(report) for name, plot in PLOTS.items()} if report.runs else {}
    for name, png in plots.items():
        (out / f"{name}.png").write_bytes(png)
    page = out / "report.html"
    page.write_text(render_html(report, plots), encoding="utf-8")
    return report, page
