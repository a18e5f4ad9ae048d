"""``newsarchive stats``: what the archive holds, from the run manifests alone (fast on a
bucket of any size: no article file is read)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from corpus.reader import ArchiveReader


def compute(reader: ArchiveReader) -> dict[str, Any]:
    per_month: dict[str, Counter] = defaultdict(Counter)
    days = []
    for item in reader.files("articles"):
        per_month[item.source][item.day.strftime("%Y-%m")] += item.records or 0
        days.append(item.day)
    languages: Counter = Counter()
    versions: Counter = Counter()
    for manifest in reader.manifests():
        for key, value in (manifest.get("stats") or {}).items():
            if key.startswith("article/stored/") and isinstance(value, int):
                languages[key.removeprefix("article/stored/")] += value
        counts = manifest.get("counts", {})
        versions["first versions"] += counts.get("new", 0)
        versions["later versions"] += counts.get("changed", 0)
        versions["deleted"] += counts.get("deleted", 0)
    warcs = reader.files("warc")
    return {
        "archive": reader.storage.uri,
        "runs": len(reader.manifests()),
        "articles": versions["first versions"],
        "article_records": sum(sum(c.values()) for c in per_month.values()),
        "articles_by_source_month": {
            s: dict(sorted(c.items())) for s, c in sorted(per_month.items())
        },
        "languages": dict(languages.most_common()),
        "versions": dict(versions),
        "date_range": [min(days).isoformat(), max(days).isoformat()] if days else None,
        "warc_files": len(warcs),
        "warc_bytes": sum(w.size for w in warcs),
        # What could not be counted (an unreadable manifest, a refused entry): the
        # figures above are short by it, and the command says so and exits 1.
        "problems": list(reader.problems),
    }


def render(stats: dict[str, Any]) -> str:
    lines = [
        f"archive    {stats['archive']}",
        f"runs       {stats['runs']:,}",
        f"articles   {stats['articles']:,} in {stats['article_records']:,} records "
        f"(a record per version)",
        "dates      "
        + (f"{stats['date_range'][0]} .. {stats['date_range'][1]}" if stats["date_range"] else "-"),
        "languages  " + ", ".join(f"{k} {v:,}" for k, v in stats["languages"].items()),
        "versions   " + ", ".join(f"{k} {v:,}" for k, v in stats["versions"].items()),
        f"WARC       {stats['warc_files']:,} files, {stats['warc_bytes']:,} bytes",
        "",
    ]
    table = stats["articles_by_source_month"]
    months = sorted({m for c in table.values() for m in c})
    if months:
        sources = list(table)
        widths = [max(7, len(src)) for src in sources]
        lines.append("article records by published_date month (captured, if no evidence):")
        lines.append(
            "month   "
            + "".join(f"  {s:>{w}}" for s, w in zip(sources, widths, strict=True))
            + "    total"
        )
        for month in months:
            row = [table[s].get(month, 0) for s in sources]
            lines.append(
                f"{month}  "
                + "".join(f"  {n:>{w},}" for n, w in zip(row, widths, strict=True))
                + f"  {sum(row):>7,}"
            )
    return "\n".join(lines)
