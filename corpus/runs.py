"""Reading run manifests (``runs/<crawl id>.json``) back from an archive."""

from __future__ import annotations

from typing import Any

from newsarchive.archive.manifest import read_manifests, run_kind
from newsarchive.storage import Storage


def load_runs(storage: Storage, *, after: str | None = None) -> list[dict[str, Any]]:
    """Manifests sorted by start time; ``after`` keeps runs started at or after an ISO
    UTC time such as 2026-11-23T11:30:00Z. A manifest that cannot be read is a row
    whose status says why."""
    runs = []
    for read in read_manifests(storage):
        if read.manifest is None:
            runs.append(
                {"crawl_id": read.key, "status": f"unreadable: {read.problem}", "counts": {}}
            )
            continue
        if after and str(read.manifest.get("started_at", "")) < after:
            continue
        runs.append(read.manifest)
    return sorted(runs, key=lambda r: (str(r.get("started_at", "")), str(r.get("crawl_id", ""))))


COLUMNS = (
    ("pages", "pages_fetched"),
    ("articles", "articles"),
    ("new", "new"),
    ("changed", "changed"),
    ("unchanged", "unchanged"),
    ("deleted", "deleted"),
    ("WARC files", "warc_files"),
    ("WARC bytes", "warc_bytes"),
)


def format_runs(runs: list[dict[str, Any]]) -> str:
    header = ("crawl id", "source", "kind", "status", *(title for title, _ in COLUMNS))
    rows = [header]
    for run in runs:
        counts = run.get("counts", {})
        rows.append(
            (
                run.get("crawl_id", "?"),
                run.get("source", "?"),
                run_kind(run),
                run.get("status", "?"),
                *(f"{counts.get(key, 0):,}" for _, key in COLUMNS),
            )
        )
    if len(rows) > 2:
        totals = (sum(r.get("counts", {}).get(key, 0) for r in runs) for _, key in COLUMNS)
        rows.append(("total", "", "", "", *(f"{t:,}" for t in totals)))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [
            str(c).ljust(w) if i < 4 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    # Why a run is not simply "finished", a line each, under the table.
    for run in runs:
        if run.get("status_reason"):
            lines.append(f"{run.get('crawl_id', '?')}: {run['status']}: {run['status_reason']}")
    return "\n".join(lines)
