"""`make eval`: newsarchive's extraction against plain trafilatura, in one run, one table
per set, each ending in one summary line.

1. The five reconstructed seed pages and the captured article pages: body paragraphs
   found / expected (exact text), junk lines leaked, other non-body lines, metadata
   fields right; plain trafilatura with its defaults and with favor_precision. Then the
   time per page of trafilatura alone and of our cleaning stage.
2. trafilatura's benchmark (eval/trafilatura, 989 pages): snippet precision, recall, F1.
3. zh-dev (eval/zh-dev, 49 Chinese pages): paragraph precision, recall, F1, titles,
   dates, junk lines, agency and editor (tests/eval_sets.py has the scoring rules).
Sets 2 and 3 compare with plain trafilatura fast=True and fast=False on the same pages.
4. The story ledger: republication clusters on labelled pairs (tests/story_pairs.py:
   pairwise precision and recall, hard same-topic negatives merged) and edit alignment
   on constructed edits of real articles (tests/edit_cases.py).
``--write README.md`` puts the tables of sets 2 and 3 into the README's extraction
section, and set 4's into its ledger block.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

import trafilatura

from newsarchive import profiles
from newsarchive.decode import decode_html
from newsarchive.items import ArticlePage
from pipelines.article import build_article
from pipelines.clean import clean
from pipelines.extract import DATE_PARAMS, extract
from tests.pages import SEED_PAGES, captured_expected, seed_expected

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "replay" / "fixtures"
FIELDS = ("title", "published", "updated", "agency", "dateline", "editor", "authors", "section")


def cases() -> list[dict]:
    out = []
    for seed, (source, url, path) in SEED_PAGES.items():
        want = seed_expected(seed)
        out.append(
            {
                "name": path.split("/")[-1],
                "source": source,
                "url": url,
                "body_bytes": (FIXTURES / path).read_bytes(),
                "content_type": "text/html",
                "expected": want,
                "fields": [f for f in FIELDS if f != "published" or want["published"] is not None],
            }
        )
    for want in captured_expected():
        out.append(
            {
                "name": want["file"].split("/")[-1],
                "source": want["source"],
                "url": want["url"],
                "content_type": want["content_type"],
                "body_bytes": (FIXTURES / "captured" / want["file"]).read_bytes(),
                "expected": want,
                "fields": list(FIELDS),
            }
        )
    return out


def ours(case: dict) -> dict:
    page = ArticlePage.single(case["source"], case["url"], case["body_bytes"], case["content_type"])
    return dict(build_article(page))


def plain(case: dict, precision: bool) -> dict:
    html, _, _ = decode_html(case["body_bytes"], case["content_type"])
    doc = trafilatura.bare_extraction(
        html,
        url=case["url"],
        with_metadata=True,
        favor_precision=precision,
        date_extraction_params=DATE_PARAMS,
    )
    lines = [p.strip() for p in (doc.text if doc else "").split("\n") if p.strip()]
    return {
        "paragraphs": lines,
        "title": doc.title if doc else None,
        "published": doc.date if doc else None,
        "updated": None,
        "agency": None,
        "dateline": None,
        "editor": None,
        "authors": [doc.author] if doc and doc.author else [],
        "section": (doc.categories or [None])[0] if doc else None,
    }


def score(record: dict, case: dict) -> dict:
    want = case["expected"]
    body = set(want["body"])
    lines = record["paragraphs"]
    junk = {j.strip() for j in want["junk"] if j.strip()}
    return {
        "found": sum(1 for p in want["body"] if p in lines),
        "expected": len(want["body"]),
        "junk": sum(1 for line in lines if line in junk),
        "extra": sum(1 for line in lines if line not in body),
        "meta": sum(1 for f in case["fields"] if record.get(f) == want.get(f)),
        "meta_of": len(case["fields"]),
    }


def timings(case: dict, repeat: int = 5) -> tuple[float, float]:
    """Median ms of trafilatura alone, and of our clean stage, on one page."""
    profile = profiles.load(case["source"])
    html, _, _ = decode_html(case["body_bytes"], case["content_type"])
    extraction = extract(html, case["url"], profile)
    tra, cln = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        trafilatura.bare_extraction(
            html,
            url=case["url"],
            with_metadata=True,
            favor_precision=True,
            include_tables=True,
            date_extraction_params=DATE_PARAMS,
        )
        t1 = time.perf_counter()
        clean(extraction.paragraphs, captions=extraction.captions, profile=profile)
        t2 = time.perf_counter()
        tra.append((t1 - t0) * 1000)
        cln.append((t2 - t1) * 1000)
    return statistics.median(tra), statistics.median(cln)


def captured_section() -> None:
    rows = []
    totals = {k: [0, 0, 0, 0, 0, 0] for k in ("newsarchive", "trafilatura", "precision")}
    for case in cases():
        results = {
            "newsarchive": score(ours(case), case),
            "trafilatura": score(plain(case, False), case),
            "precision": score(plain(case, True), case),
        }
        cells = [case["name"][:44]]
        for name, r in results.items():
            cells.append(
                f"{r['found']}/{r['expected']} {r['junk']:>2} {r['extra']:>2} "
                f"{r['meta']}/{r['meta_of']}"
            )
            for i, key in enumerate(("found", "expected", "junk", "extra", "meta", "meta_of")):
                totals[name][i] += r[key]
        rows.append(cells)
    header = ["page", "newsarchive", "trafilatura", "trafilatura precision"]
    print("Per cell: body paragraphs found/expected, junk lines leaked, other non-body lines,")
    print("metadata fields right/checked.\n")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()
    for name, t in totals.items():
        print(
            f"{name:12} body {t[0]}/{t[1]} ({100 * t[0] / t[1]:.1f}%), junk leaked {t[2]}, "
            f"other non-body lines {t[3]}, metadata {t[4]}/{t[5]} ({100 * t[4] / t[5]:.1f}%)"
        )
    tra, cln = zip(*(timings(c) for c in cases()), strict=True)
    whole = []
    for case in cases():
        t0 = time.perf_counter()
        ours(case)
        whole.append((time.perf_counter() - t0) * 1000)
    print(
        f"\ntime per page (median over pages): trafilatura {statistics.median(tra):.1f} ms, "
        f"cleaning stage {statistics.median(cln):.2f} ms "
        f"(+{100 * sum(cln) / sum(tra):.1f}% of trafilatura's time in total); whole "
        f"newsarchive pipeline (decode, extract, clean, normalize) "
        f"{statistics.median(whole):.1f} ms"
    )


def trafilatura_section(workers: int) -> list[str]:
    from tests.eval_sets import score_trafilatura_set

    scores = score_trafilatura_set(workers)
    lines = [
        "| extractor | precision | recall | F1 | pages with no text |",
        "|---|---|---|---|---|",
    ]
    for name, sc in scores.items():
        lines.append(
            f"| {name} | {sc.precision:.4f} | {sc.recall:.4f} | {sc.f1:.4f} | {len(sc.failed)} |"
        )
    ours, fast, full = scores.values()
    lines.append("")
    lines.append(
        f"trafilatura set (989 pages): newsarchive F1 {ours.f1:.4f} (P {ours.precision:.4f}, "
        f"R {ours.recall:.4f}, {len(ours.failed)} pages with no text); plain trafilatura "
        f"fast {fast.f1:.4f}, full {full.f1:.4f}"
    )
    return lines


def zh_section(workers: int) -> list[str]:
    from tests.eval_sets import score_zh_dev

    scores = score_zh_dev(workers)
    lines = [
        "| extractor | precision | recall | F1 | titles | dates | junk lines | agency | editor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, sc in scores.items():
        n = sc.pages
        lines.append(
            f"| {name} | {sc.precision:.3f} | {sc.recall:.3f} | {sc.f1:.3f} | {sc.titles}/{n} "
            f"| {sc.dates}/{n} | {sc.junk} | {sc.agency}/{n} | {sc.editor}/{n} |"
        )
    ours, fast, full = scores.values()
    lines.append("")
    lines.append(
        f"zh-dev ({ours.pages} pages): newsarchive paragraph F1 {ours.f1:.3f} "
        f"(P {ours.precision:.3f}, R {ours.recall:.3f}), titles {ours.titles}/{ours.pages}, "
        f"dates {ours.dates}/{ours.pages}, junk lines {ours.junk}; plain trafilatura fast "
        f"{fast.f1:.3f}, full {full.f1:.3f}"
    )
    return lines


START, END = "<!-- make eval: development sets -->", "<!-- /make eval -->"


def write_readme(path: Path, traf: list[str], zh: list[str]) -> None:
    block = "\n".join(
        [
            START,
            "trafilatura's benchmark (`eval/trafilatura`, 989 pages, snippet scoring):",
            "",
            *traf,
            "",
            "zh-dev (`eval/zh-dev`, 49 Chinese pages, exact paragraphs):",
            "",
            *zh,
            END,
        ]
    )
    text = path.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path} has no {START} ... {END} block to fill")
    path.write_text(pattern.sub(lambda _: block, text))


LEDGER_START = "<!-- make eval: ledger -->"


def ledger_section() -> list[str]:
    """Clustering precision and recall, and edit-alignment accuracy."""
    from tests import edit_cases, story_pairs

    stories = story_pairs.score()
    edits = edit_cases.score()
    return [
        "```",
        *story_pairs.table(stories),
        story_pairs.summary(stories),
        "",
        *edit_cases.table(edits),
        edit_cases.summary(edits),
        "```",
    ]


def write_block(path: Path, start: str, lines: list[str]) -> None:
    """Fill the README block between ``start`` and END with ``lines``."""
    text = path.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path} has no {start} ... {END} block to fill")
    path.write_text(pattern.sub(lambda _: "\n".join([start, *lines, END]), text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", type=Path, help="fill the README's table block")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print("== seed and captured pages ==")
    captured_section()
    print("\n== trafilatura's benchmark (eval/trafilatura) ==")
    traf = trafilatura_section(args.workers)
    print("\n".join(traf))
    print("\n== zh-dev (eval/zh-dev) ==")
    zh = zh_section(args.workers)
    print("\n".join(zh))
    print("\n== the story ledger (tests/story_pairs.py, tests/edit_cases.py) ==")
    ledger = ledger_section()
    print("\n".join(ledger))
    if args.write:
        write_readme(args.write, traf, zh)
        write_block(args.write, LEDGER_START, ledger)
        print(f"\nwrote the tables into {args.write}")


if __name__ == "__main__":
    main()
