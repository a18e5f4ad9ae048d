"""``newsarchive``: the archive from the command line.

newsarchive runs [--archive URI] [--after TIME] [--json]
newsarchive stats|verify [--archive URI]
newsarchive report [--archive URI] [--out DIR]
newsarchive download --archive URI --out DIR [--source S] [--since D] [--until D] ...
newsarchive download --changes --archive URI --out DIR [--format jsonl|parquet|csv]
newsarchive show ID [--raw]
newsarchive diff ID|URL [--html]
newsarchive changes [--source S] [--since TIME] [--json]
newsarchive stories [--source S] [--since TIME] [--all] [--json]
newsarchive story ID|URL [--json]
newsarchive reprocess [--archive URI] [--source S] [--since D] [--until D] [--force] [--dry-run]
newsarchive extract FILE.html --url URL [--source S] [--format json|text]
newsarchive extract --warc FILE_OR_DIR... --out OUT.jsonl|OUT.parquet [--all] [--scheduler ADDR]
newsarchive url URL... [--json]
newsarchive probe [SOURCE...] [--samples K] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

from corpus.terminal import printable
from newsarchive import __version__
from newsarchive.archive import layout
from newsarchive.archive.warc import BadRecord
from newsarchive.storage import StorageError, open_storage

DEFAULT_ARCHIVE = os.environ.get("ARCHIVE_URI", "archive")


def _cmd_runs(args: argparse.Namespace) -> int:
    from corpus.runs import format_runs, load_runs

    storage = open_storage(args.archive, sign=not args.no_sign_request)
    storage.check(write=False)
    runs = load_runs(storage, after=args.after)
    if args.json:
        print(json.dumps(runs, indent=2, ensure_ascii=False))
        return 0
    if not runs:
        print(f"no runs in {storage.uri}" + (f" since {args.after}" if args.after else ""))
        return 0
    print(printable(format_runs(runs)))
    return 0 if all(r.get("status") == "finished" for r in runs) else 1


def _reader(args: argparse.Namespace):
    from corpus.reader import ArchiveReader

    storage = open_storage(args.archive, sign=not args.no_sign_request)
    storage.check(write=False)
    return ArchiveReader(storage)


def _cmd_stats(args: argparse.Namespace) -> int:
    from corpus import stats

    result = stats.compute(_reader(args))
    print(
        json.dumps(result, indent=2, ensure_ascii=False)
        if args.json
        else printable(stats.render(result))
    )
    for problem in result["problems"]:
        print(f"newsarchive stats: not counted: {printable(problem)}", file=sys.stderr)
    return 1 if result["problems"] else 0


def _cmd_report(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("matplotlib") is None:
        from corpus.report import REPORT_EXTRA

        raise UsageError(REPORT_EXTRA)
    from corpus import report

    result, page = report.write(_reader(args), Path(args.out))
    for problem in result.problems:
        print(f"newsarchive report: not counted: {printable(problem)}", file=sys.stderr)
    plots = len(report.PLOTS) if result.runs else 0
    print(
        f"wrote {page} ({plots} plots, also as PNG files in {page.parent}); "
        f"runs: {len(result.runs)}, sources: {len(result.sources)}"
    )
    return 1 if result.problems else 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from corpus.verify import verify

    reader = _reader(args)
    with tqdm(
        total=sum(f.size for f in reader.files()),
        unit="B",
        unit_scale=True,
        desc="verify",
        disable=True if args.no_progress else None,
        leave=False,
    ) as bar:
        report = verify(reader, progress=bar.update)
    for problem in report.problems:
        print(f"PROBLEM  {printable(problem)}")
    for warning in report.warnings:
        print(f"warning  {printable(warning)}")
    print(
        f"verify: {report.checked} files checked against {len(reader.manifests())} run "
        f"manifests, {len(report.problems)} problems, {len(report.warnings)} warnings"
    )
    return 1 if report.problems else 0


def _warn(problems: list[str]) -> None:
    """Each part of the archive a command had to skip, one warning line on stderr."""
    for problem in problems:
        print(f"warning: {printable(problem)}", file=sys.stderr)


def _check_sources(reader, wanted: list[str] | None) -> None:
    known = reader.sources()
    unknown = [s for s in wanted or [] if s not in known]
    if unknown:
        have = ", ".join(known) if known else "no sources yet (no crawl has finished a run)"
        raise UsageError(
            f"unknown source {', '.join(map(repr, unknown))}; {reader.storage.uri} has: {have}"
        )


def _cmd_download(args: argparse.Namespace) -> int:
    from corpus.download import download
    from corpus.selection import Selection

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    if args.bom and args.format != "csv":
        raise UsageError("--bom is for --format csv (a byte-order mark for Excel)")
    from corpus import export

    if args.format == "parquet" and not export.parquet_available():
        raise UsageError(export.PARQUET_EXTRA)
    if args.wacz and importlib.util.find_spec("wacz") is None:
        raise UsageError("--wacz needs py-wacz: pip install 'newsarchive[wacz]'")
    if args.changes:
        return _download_changes(args)
    reader = _reader(args)
    _check_sources(reader, args.source)
    selection = Selection(
        sources=args.source or [],
        since=args.since,
        until=args.until,
        languages=args.lang or [],
        contains=args.contains,
    )
    out = Path(args.out)
    report = download(
        reader,
        selection,
        out,
        fmt=args.format,
        all_versions=args.all_versions,
        with_warc=args.with_warc,
        wacz=args.wacz,
        bom=args.bom,
        progress_bar=False if args.no_progress else None,
        warn=lambda message: print(f"warning: {printable(message)}", file=sys.stderr),
    )
    print(f"selected {report.selected} article files ({selection.describe()})")
    print(
        f"fetched {report.fetched} ({report.fetched_bytes:,} bytes), "
        f"{report.already} already in {out}, {len(report.skipped)} skipped"
    )
    versions = "all versions" if args.all_versions else "latest versions"
    print(f"wrote {report.articles} articles ({versions}) to {report.output}")
    if args.with_warc or args.wacz:
        print(
            f"wrote {report.warc_records} WARC records ({report.warc_bytes:,} bytes) "
            f"in {report.warc_files} files to {out / 'warc'}"
        )
    if report.wacz:
        print(f"wrote {report.wacz} (open it in https://replayweb.page)")
    if report.skipped:
        print(f"download incomplete: {len(report.skipped)} skipped, see the warnings above")
        return 1
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    """Two versions of an article, sentence by sentence (corpus/edits.py)."""
    from corpus import edits, show

    reader = _reader(args)
    try:
        found = show.versions(reader, args.id, args.source or None)
    except show.Ambiguous as exc:
        print(f"newsarchive diff: {exc}", file=sys.stderr)
        return 1
    _warn(reader.problems)
    numbers = [int(r.get("version") or 1) for r in found]
    if not found:
        print(f"newsarchive: no article {args.id!r} in {reader.storage.uri}", file=sys.stderr)
        return 1
    to = args.to if args.to is not None else numbers[-1]
    since = args.since_version if args.since_version is not None else to - 1
    if since not in numbers or to not in numbers or since >= to:
        print(
            f"newsarchive diff: the archive holds versions {', '.join(map(str, numbers))} of "
            f"{args.id}; name two of them (--from A --to B, A < B)",
            file=sys.stderr,
        )
        return 1
    old, new = found[numbers.index(since)], found[numbers.index(to)]
    edit = edits.compare(old, new)
    if args.html:
        sys.stdout.write(edits.render_html(edit, old, new))
    else:
        print(printable(edits.render(edit, old, new)))
    return 0


def _cmd_changes(args: argparse.Namespace) -> int:
    """The archive's edits, deletions and reappearances, oldest first (corpus/edits.py)."""
    from corpus.edits import archive_changes, summary

    reader = _reader(args)
    _check_sources(reader, args.source)
    found = [c for c in archive_changes(reader, args.source) if c.at >= (args.since or "")]
    _warn(reader.problems)
    for change in found:
        if args.json:
            print(json.dumps(change.as_json(), ensure_ascii=False))
        else:
            print(printable(change.line()))
    if not args.json:
        print(summary(found), file=sys.stderr)
    return 1 if reader.problems else 0


def _cmd_stories(args: argparse.Namespace) -> int:
    """The archive's republication clusters (corpus/stories.py)."""
    from corpus.stories import stories

    reader = _reader(args)
    _check_sources(reader, args.source)
    found = stories(reader, args.source, args.since, everything=args.all)
    _warn(reader.problems)
    for story in found:
        if args.json:
            print(json.dumps(story.as_json(), ensure_ascii=False))
            continue
        first = story.earliest
        sources = ",".join(sorted({m.source for m in story.members}))
        print(
            printable(
                f"{story.members[0].first_captured}  {story.id}  {len(story.members)} articles "
                f"({sources})  earliest {first.source}  {first.title or ''}"
            )
        )
    if not args.json:
        print(f"stories: {len(found)}", file=sys.stderr)
    return 1 if reader.problems else 0


def _cmd_story(args: argparse.Namespace) -> int:
    """One story: its members, the earliest, attribution, headlines and propagation."""
    from corpus import show
    from corpus.stories import render, stories

    reader = _reader(args)
    wanted = args.id
    if not wanted.startswith("s-"):
        try:
            record = show.find(reader, wanted, None)
        except show.Ambiguous as exc:
            print(f"newsarchive story: {exc}", file=sys.stderr)
            return 1
        if record is None or not record.get("story"):
            print(f"newsarchive: no story of {wanted!r} in {reader.storage.uri}", file=sys.stderr)
            return 1
        wanted = str(record["story"])
    found = stories(reader, everything=True, only=wanted)
    _warn(reader.problems)
    if not found:
        print(f"newsarchive: no story {wanted!r} in {reader.storage.uri}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(found[0].as_json(), ensure_ascii=False))
    else:
        print(printable(render(found[0])))
    return 0


def _download_changes(args: argparse.Namespace) -> int:
    """``download --changes``: the ledger as one table (corpus/edits.py)."""
    from corpus.edits import archive_changes, summary, write_changes

    for flag, given in (
        ("--lang", args.lang),
        ("--contains", args.contains),
        ("--all-versions", args.all_versions),
        ("--with-warc", args.with_warc),
        ("--wacz", args.wacz),
    ):
        if given:
            raise UsageError(f"{flag} selects articles; --changes exports the ledger of changes")
    reader = _reader(args)
    _check_sources(reader, args.source)
    found = [
        c
        for c in archive_changes(reader, args.source)
        if (not args.since or c.at[:10] >= args.since.isoformat())
        and (not args.until or c.at[:10] <= args.until.isoformat())
    ]
    _warn(reader.problems)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"changes.{args.format}"
    write_changes(found, target, args.format, bom=args.bom)
    print(f"wrote {len(found)} changes ({summary(found)}) to {target}")
    if reader.problems:
        print(f"download incomplete: {len(reader.problems)} problems, see the warnings above")
        return 1
    return 0


def _cmd_reprocess(args: argparse.Namespace) -> int:
    """Re-extract what an older pipeline extracted (pipelines/reprocess.py)."""
    from newsarchive.session import ArchiveSession, spool_root
    from pipelines import reprocess

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    if args.no_sign_request and not args.dry_run:
        raise UsageError(
            "reprocess writes to the archive: it needs credentials, not --no-sign-request"
        )
    if not args.dry_run:
        _needs_dask("reprocess")
    storage = open_storage(args.archive, sign=not args.no_sign_request)
    storage.check(write=not args.dry_run)
    spool_dir = os.environ.get("NEWSARCHIVE_SPOOL", ".spool")
    state_dir = os.environ.get("NEWSARCHIVE_STATE", "state")
    sessions: dict[str, ArchiveSession] = {}

    def session(source: str) -> ArchiveSession:
        if source not in sessions:
            sessions[source] = ArchiveSession(
                archive_uri=args.archive,
                spool_dir=spool_dir,
                source=source,
                warc_max_bytes=1_000_000_000,
                warcinfo={},
                state_dir=state_dir,
                upload_attempts=int(os.environ.get("NEWSARCHIVE_UPLOAD_ATTEMPTS", "5")),
                upload_backoff=float(os.environ.get("NEWSARCHIVE_UPLOAD_BACKOFF", "1.0")),
                upload_deadline=float(os.environ.get("NEWSARCHIVE_UPLOAD_DEADLINE", "180")),
                kind="reprocess",
            )
        return sessions[source]

    leftover = (
        None if args.dry_run else reprocess.leftover_source(spool_root(spool_dir, storage.uri))
    )
    recovered = [] if leftover is None else session(leftover).recover()
    if recovered:
        print(f"recovered {len(recovered)} files an earlier run left in the spool", file=sys.stderr)
    scope = reprocess.Scope(
        sources=tuple(args.source or ()),
        since=args.since,
        until=args.until,
        languages=tuple(args.lang or ()),
    )
    plan = reprocess.plan(storage, scope, force=args.force, recovered=[u.key for u in recovered])
    _warn(plan.problems)
    made_by = ", ".join(f"{n} by pipeline {v}" for v, n in sorted(plan.made_by.items()))
    why = "--force" if args.force else f"made by another pipeline than {reprocess.PIPELINE_VERSION}"
    print(
        f"{plan.count} captures to re-extract ({why}"
        + (f": {made_by}" if made_by else "")
        + f"); {plan.current} already extracted by {reprocess.PIPELINE_VERSION}; "
        f"{plan.failure_count} captures whose extraction failed to try again"
    )
    if args.dry_run:
        return 0
    # A session opened only to recover an earlier run's files writes its manifest (which
    # lists them) whatever happens to the rest of the run.
    idle = [s for name, s in sessions.items() if name not in plan.due and name not in plan.failures]
    errors = [e for s in idle for e in s.close(reason="finished", stats={})]
    if not plan.count and not plan.failure_count:
        if errors:
            print(f"storage error: {len(errors)} file(s) kept in the spool", file=sys.stderr)
            return 3
        return 0

    def progress(done: int, total: int, name: str, stored: int) -> None:
        if not args.quiet:
            print(f"[{done}/{total}] {printable(name)}: {stored} re-extracted", file=sys.stderr)

    result = reprocess.run(
        storage.uri,
        plan,
        open_session=session,
        scheduler=args.scheduler,
        workers=args.workers,
        progress=progress,
    )
    for failure in result.failures:
        print(f"not re-extracted: {printable(failure)}", file=sys.stderr)
    stored = sum(v for k, v in result.stats.items() if k.endswith(":reprocess/reextracted"))
    retried = sum(v for k, v in result.stats.items() if k.endswith(":reprocess/failures_retried"))
    kept = sum(
        v for k, v in result.stats.items() if k.endswith(":reprocess/failures_retried/stored")
    )
    print(
        f"re-extracted {stored} of {plan.count} captures; {kept} of {retried} failed "
        f"captures now stored; runs {', '.join(result.runs)}"
    )
    print(
        "seconds by stage: "
        + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in result.seconds.items())
        + " (read and extract summed over the workers)",
        file=sys.stderr,
    )
    if result.errors or errors:
        unstored = len(result.errors) + len(errors)
        print(
            f"storage error: {unstored} file(s) kept in the spool; the next run uploads them first",
            file=sys.stderr,
        )
        return 3
    if result.failures:
        print(
            f"{len(result.failures)} captures kept their older extraction (see above)",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from corpus import show

    reader = _reader(args)
    try:
        record = show.find(reader, args.id, args.source or None, args.pipeline)
    except show.Ambiguous as exc:
        print(f"newsarchive show: {exc}", file=sys.stderr)
        return 1
    _warn(reader.problems)
    if record is None:
        made = f" extracted by pipeline {args.pipeline}" if args.pipeline else ""
        print(f"newsarchive: no article {args.id!r}{made} in {reader.storage.uri}", file=sys.stderr)
        return 1
    if args.raw:
        sys.stdout.buffer.write(show.raw_response(reader, record))
    elif args.body:
        sys.stdout.buffer.write(show.body(reader, record))
    elif args.html:
        sys.stdout.write(show.html(reader, record))
    elif args.json:
        print(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        print(show.render(record))
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    if args.warc:
        return _cmd_extract_warc(args)
    if not args.file or not args.url:
        raise UsageError("give a saved page and its --url, or --warc FILES --out OUT")
    from newsarchive import profiles
    from newsarchive.items import ArticlePage
    from pipelines.article import build_article
    from pipelines.extract import ExtractionFailed

    body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    claimed = profiles.claiming(args.url)
    source = args.source or (claimed.name if claimed else None) or "unknown"
    if args.input == "text" or (args.input == "auto" and args.file.endswith(".txt")):
        from pipelines.text import clean_lines

        profile = profiles.load(source) if source in profiles.available() else None
        result = clean_lines(body.decode("utf-8", "replace").splitlines(), profile)
        if not result["paragraphs"]:
            print(f"newsarchive extract: no article text in {args.file}", file=sys.stderr)
            return 1
        if args.format == "text":
            print(result["text"])
        else:
            print(
                json.dumps(
                    {"url": args.url, "source": source, **result}, indent=2, ensure_ascii=False
                )
            )
        return 0
    language = (
        profiles.load(source).language_for(args.url) if source in profiles.available() else None
    )
    page = ArticlePage.single(source, args.url, body, args.content_type, language)
    try:
        record: dict = dict(build_article(page))
    except ExtractionFailed as exc:
        print(f"newsarchive extract: no article in {args.file}: {exc}", file=sys.stderr)
        return 1
    if args.format == "text":
        print(record["text"])
    else:
        for key in ("warc", "pages", "fetched_at", "discovered"):
            record.pop(key, None)
        print(json.dumps(record, indent=2, ensure_ascii=False))
    return 0


def _needs_dask(command: str) -> None:
    if importlib.util.find_spec("distributed") is None:
        raise UsageError(f"{command} runs on Dask: pip install 'newsarchive[cluster]'")


def _cmd_extract_warc(args: argparse.Namespace) -> int:
    """Every article of the given WARC files, as article records in one JSONL or
    Parquet file (pipelines/warc_input.py)."""
    from corpus.export import PARQUET_EXTRA, WRITERS, parquet_available
    from pipelines.warc_input import extract_files, warc_files

    if not args.out:
        raise UsageError("--warc needs --out OUT.jsonl, OUT.jsonl.gz or OUT.parquet")
    out = Path(args.out)
    kind = "parquet" if out.suffix == ".parquet" else "jsonl"
    if out.suffix not in (".parquet", ".jsonl", ".gz") or (
        out.suffix == ".gz" and not out.name.endswith(".jsonl.gz")
    ):
        raise UsageError(f"{out}: the output must end in .jsonl, .jsonl.gz or .parquet")
    if kind == "parquet" and not parquet_available():
        raise UsageError(PARQUET_EXTRA)
    _needs_dask("extract --warc")
    try:
        paths = warc_files(args.warc)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    if not paths:
        raise UsageError("no *.warc or *.warc.gz file found")
    counts: dict[str, int] = {}
    problems: list[str] = []

    def records():
        for n, result in enumerate(
            extract_files(
                paths, all_pages=args.all, scheduler=args.scheduler, workers=args.workers
            ),
            start=1,
        ):
            for key, value in result.counts.items():
                counts[key] = counts.get(key, 0) + value
            problems.extend(result.problems)
            if not args.quiet:
                print(
                    f"[{n}/{len(paths)}] {printable(result.path)}: "
                    f"{result.counts['articles']} article"
                    + ("" if result.counts["articles"] == 1 else "s"),
                    file=sys.stderr,
                )
            yield from result.records

    written = WRITERS[kind](records(), out)
    for problem in problems:
        print(f"newsarchive extract --warc: {printable(problem)}", file=sys.stderr)
    passed = ", ".join(f"{k.split('/', 1)[1]} {v}" for k, v in sorted(counts.items()) if "/" in k)
    print(
        f"{written} articles from {len(paths)} WARC files ({counts.get('html_responses', 0)} "
        f"HTML responses) written to {out}"
        + (f"; passed over or failed: {passed}" if passed else ""),
        file=sys.stderr,
    )
    if counts.get("unreadable_files"):
        return 1
    if not written:
        hint = "" if args.all else " (--all keeps every HTML page)"
        print(
            f"newsarchive extract --warc: no article found{hint}",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_url(args: argparse.Namespace) -> int:
    from newsarchive.explain import explain

    urls = args.urls
    if urls == ["-"]:
        urls = [line.strip() for line in sys.stdin if line.strip()]
    for url in urls:
        report = explain(url)
        if args.json:
            print(json.dumps(report.as_dict(), ensure_ascii=False))
            continue
        print(report.url)
        if report.canonical and report.canonical != report.url:
            print(f"  canonical  {report.canonical}")
        print(f"  source     {report.source or '-'}   language {report.language or '-'}")
        verdict = "ARTICLE" if report.article else "not an article"
        print(f"  {verdict}: {report.reason}")
        if report.pattern:
            print(f"  pattern    {report.pattern}")
    return 0


def _cmd_probe(args: argparse.Namespace) -> int:
    from crawler.probe import run_probe

    return run_probe(args.sources, samples=args.samples, as_json=args.json)


class UsageError(ValueError):
    """A request the archive cannot answer as asked; the message says what would work."""


def _archive_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--archive and --no-sign-request, accepted before the command (``newsarchive
    --archive X stats``) and after it; given after, they win. (The command's own copy has
    no default, so that it does not overwrite one given before the command.)"""
    parser.add_argument(
        "--archive",
        default=DEFAULT_ARCHIVE if top else argparse.SUPPRESS,
        help="archive folder or s3://bucket/prefix (default: $ARCHIVE_URI or 'archive')",
    )
    parser.add_argument(
        "--no-sign-request",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="read a public bucket anonymously (no AWS credentials)",
    )


def _after(value: str) -> str:
    """--after as the manifests' UTC timestamps compare: a day (2026-11-23, 2026-11, 2026)
    is its first moment; a full timestamp passes as given."""
    if "T" in value:
        return value
    try:
        return f"{layout.period_day(value, end=False).isoformat()}T00:00:00Z"
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Read the newsarchive corpus: runs, articles, WARC captures.",
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    _archive_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    runs = sub.add_parser("runs", help="list crawl runs and what each archived")
    _archive_options(runs)
    runs.add_argument(
        "--after",
        metavar="TIME",
        type=_after,
        help="only runs started at or after this UTC time: 2026-11-23T10:00:00Z, or a day "
        "(2026-11-23, 2026-11, 2026)",
    )
    runs.add_argument("--json", action="store_true", help="print the manifests as JSON")
    runs.set_defaults(func=_cmd_runs)

    stats = sub.add_parser(
        "stats",
        help="what the archive holds: articles per source and "
        "month, languages, versions, WARC bytes",
    )
    _archive_options(stats)
    stats.add_argument("--json", action="store_true", help="print JSON for scripts")
    stats.set_defaults(func=_cmd_stats)

    report = sub.add_parser(
        "report",
        help="write a self-contained HTML page with plots of the crawl runs (from the "
        "manifests): articles per day with gaps, yield, failures, discovery, cleaning, "
        "versions; needs newsarchive[report]",
    )
    _archive_options(report)
    report.add_argument(
        "--out",
        default="report",
        metavar="DIR",
        help="folder for report.html and the PNG plots (default: report)",
    )
    report.set_defaults(func=_cmd_report)

    check = sub.add_parser(
        "verify",
        help="re-hash every file against the run manifests and check every WARC record's digests",
    )
    _archive_options(check)
    check.add_argument(
        "--no-progress", action="store_true", help="no progress bar (default: shown on a terminal)"
    )
    check.set_defaults(func=_cmd_verify)

    from corpus.selection import since_day, until_day

    get = sub.add_parser(
        "download",
        help="copy a slice of the archive (verified, resumable) and export it as "
        "JSON Lines, Parquet or CSV",
        description="Copy the article files a selection needs into OUT (checked against "
        "the run manifests; rerun to resume) and write OUT/articles.<format>. "
        "Dates select by publication date (capture date where an article has none).",
    )
    _archive_options(get)
    get.add_argument(
        "--out", required=True, metavar="DIR", help="where to put the download (created)"
    )
    get.add_argument("--source", action="append", metavar="S", help="only this source (repeatable)")
    get.add_argument(
        "--since", type=since_day, metavar="DATE", help="published on or after (YYYY[-MM[-DD]])"
    )
    get.add_argument(
        "--until", type=until_day, metavar="DATE", help="published on or before (YYYY[-MM[-DD]])"
    )
    get.add_argument(
        "--lang",
        action="append",
        metavar="L",
        help="only this language, e.g. en or zh (any case; repeatable)",
    )
    get.add_argument("--contains", metavar="TEXT", help="only articles whose title or text has it")
    get.add_argument(
        "--format",
        choices=("jsonl", "parquet", "csv"),
        default="jsonl",
        help="OUT/articles.<format>: jsonl (records as stored), parquet or csv "
        "(one row an article, docs/DATASHEET.md) (default: jsonl)",
    )
    get.add_argument(
        "--bom",
        action="store_true",
        help="with --format csv: start the file with a UTF-8 byte-order mark, so that "
        "Excel shows Chinese text correctly",
    )
    get.add_argument(
        "--changes",
        action="store_true",
        help="instead of articles, the ledger: OUT/changes.<format>, one row an edit, "
        "deletion or reappearance (with its sentences, kind and WARC record; --since and "
        "--until select by when the crawl saw it; docs/DATASHEET.md)",
    )
    get.add_argument(
        "--all-versions",
        action="store_true",
        help="every archived version of each article (default: the latest)",
    )
    get.add_argument(
        "--with-warc",
        action="store_true",
        help="also copy the selected articles' WARC records (by range request) to OUT/warc/",
    )
    get.add_argument(
        "--wacz",
        action="store_true",
        help="also package those records as OUT/articles.wacz (opens in ReplayWeb.page)",
    )
    get.add_argument(
        "--no-progress", action="store_true", help="no progress bar (default: shown on a terminal)"
    )
    get.set_defaults(func=_cmd_download)

    diff = sub.add_parser(
        "diff",
        help="what changed between two versions of an article, sentence by sentence",
        description="Align the bodies of two versions (by default the last two) sentence "
        "by sentence and list the sentences added, removed and changed (~), the title and "
        "publication time if they changed, and whether the edit is cosmetic (whitespace, "
        "punctuation and case only). Exit 1 when the article or the versions are not in "
        "the archive.",
    )
    diff.add_argument("id", help="the article's id, the start of it, or its URL")
    _archive_options(diff)
    diff.add_argument("--source", action="append", metavar="S", help="look only in this source")
    diff.add_argument("--from", dest="since_version", type=int, metavar="A", help="older version")
    diff.add_argument("--to", type=int, metavar="B", help="newer version (default: the latest)")
    diff.add_argument(
        "--html", action="store_true", help="an HTML page: the versions side by side, marked"
    )
    diff.set_defaults(func=_cmd_diff)

    changed = sub.add_parser(
        "changes",
        help="the archive's edits, deletions and reappearances, oldest first",
        description="Every edit the crawls archived (a version replacing the one before: "
        "sentences added, removed and changed, title and publication time, cosmetic or not; "
        "`newsarchive diff ID` shows one), every deletion with its kind (http_404, http_410; "
        "redirect: to a page that is no article; gone_notice: a page saying the article is "
        "gone; replaced: another article at the URL) and every reappearance of a deleted "
        "article, oldest first; with --json, each deletion with the WARC record that shows "
        "it. Exit 1 when part of the archive could not be read.",
    )
    _archive_options(changed)
    changed.add_argument("--source", action="append", metavar="S", help="only this source")
    changed.add_argument(
        "--since", metavar="TIME", help="seen at or after this UTC time (2026-11-23 or later)"
    )
    changed.add_argument("--json", action="store_true", help="one JSON object a line")
    changed.set_defaults(func=_cmd_changes)

    told = sub.add_parser(
        "stories",
        help="republication clusters: one story run by several outlets and copy sites",
        description="Every story (a text republished near-verbatim, found by MinHash when "
        "each article was stored) that more than one archived article carries, by first "
        "capture: its members, the earliest by stated publication, who keeps and who drops "
        "the agency's attribution, its headlines, and whether the earliest's edits and "
        "deletion reached the copies (`newsarchive story ID` shows one). "
        "Exit 1 when part of the archive could not be read.",
    )
    _archive_options(told)
    told.add_argument("--source", action="append", metavar="S", help="stories with a member here")
    told.add_argument(
        "--since", metavar="TIME", help="with a member first captured at or after (UTC)"
    )
    told.add_argument("--all", action="store_true", help="also stories of one article")
    told.add_argument(
        "--json",
        action="store_true",
        help="one JSON object a line: story, members (id, url, source, first_captured, "
        "published, agency…), earliest, attribution, titles, propagation",
    )
    told.set_defaults(func=_cmd_stories)

    one = sub.add_parser(
        "story",
        help="one story: members, earliest, attribution, headlines, propagation",
        description="One story, by its id (s-…) or by the id, id prefix or URL of an "
        "article in it.",
    )
    one.add_argument("id", help="a story id, or an article's id, id prefix or URL")
    _archive_options(one)
    one.add_argument("--json", action="store_true", help="print the story as JSON")
    one.set_defaults(func=_cmd_story)

    again = sub.add_parser(
        "reprocess",
        help="re-extract archived captures an older pipeline extracted (no refetching)",
        description="Find the captures whose newest extraction another pipeline version "
        "made (every one with --force), read their responses from the WARC files, run "
        "this pipeline and store the result as a new extraction of the same capture (same "
        "id, version and capture; readers take the newest). Incremental: a second run does "
        "nothing, a killed run's work counts as done, captures of one URL with the same "
        "payload are extracted once. Runs on Dask: a local cluster, or --scheduler. Exit 0 "
        "when done; 1 when some captures could not be re-extracted (they keep their older "
        "extraction); 3 on a storage error (files kept in the spool); 2 on a usage error.",
    )
    _archive_options(again)
    again.add_argument(
        "--source", action="append", metavar="S", help="only this source (repeatable)"
    )
    again.add_argument(
        "--since", type=since_day, metavar="DATE", help="published on or after (YYYY[-MM[-DD]])"
    )
    again.add_argument(
        "--until", type=until_day, metavar="DATE", help="published on or before (YYYY[-MM[-DD]])"
    )
    again.add_argument(
        "--lang", action="append", metavar="L", help="only this language (repeatable)"
    )
    again.add_argument(
        "--force", action="store_true", help="re-extract every selected capture, whatever made it"
    )
    again.add_argument(
        "--dry-run", action="store_true", help="say how many captures would be re-extracted and why"
    )
    again.add_argument(
        "--scheduler", metavar="ADDR", help="a running Dask scheduler (default: a local cluster)"
    )
    again.add_argument("--workers", type=int, help="local cluster workers (default: cores)")
    again.add_argument("--quiet", action="store_true", help="no line per WARC file done")
    again.set_defaults(func=_cmd_reprocess)

    show = sub.add_parser("show", help="print one article (latest version) by id or URL")
    show.add_argument(
        "id",
        help="the article's id, the start of it, or its URL (http or https, tracking "
        "parameters or not)",
    )
    _archive_options(show)
    show.add_argument(
        "--source",
        action="append",
        metavar="S",
        help="look only in this source (faster; repeatable)",
    )
    show.add_argument(
        "--raw",
        action="store_true",
        help="print the captured HTTP response instead, read from the WARC",
    )
    show.add_argument(
        "--body",
        action="store_true",
        help="print the captured page's bytes as served (content-encoding undone, charset as sent)",
    )
    show.add_argument(
        "--html",
        action="store_true",
        help="print the captured page as UTF-8 text, decoded as the extraction decoded it "
        "(a GBK page included)",
    )
    show.add_argument("--json", action="store_true", help="print the whole record")
    show.add_argument(
        "--pipeline",
        metavar="VERSION",
        help="the extraction this pipeline version made (kept when `newsarchive reprocess` "
        "extracted the capture again; default: the newest)",
    )
    show.set_defaults(func=_cmd_show)

    extract = sub.add_parser(
        "extract",
        help="extract the clean article from a saved HTML page, or the articles of WARC "
        "files (same code as the crawler)",
        description="One page: FILE and --url, the record printed. WARC files (any "
        "tool's: browsertrix-crawler, Heritrix, Common Crawl): --warc and --out; the HTML "
        "responses whose URL a source profile calls an article (every HTML page with "
        "--all) are extracted on a Dask cluster, a WARC file a task, and written as "
        "article records with pointers into those files. Exit 0 when every file was read "
        "and articles were found; 1 when a file could not be read (the others' articles "
        "are written) or none was found; 2 on a usage error.",
    )
    extract.add_argument("file", nargs="?", help="the saved page, or - for standard input")
    extract.add_argument("--url", help="the URL the page was fetched from")
    extract.add_argument("--source", help="source profile to use (default: from the URL)")
    extract.add_argument(
        "--content-type",
        default=None,
        help="the Content-Type header it was served with, if known (default: the charset "
        "is read from the page)",
    )
    extract.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json: the whole record; text: the clean body only (default: json)",
    )
    extract.add_argument(
        "--input",
        choices=("auto", "html", "text"),
        default="auto",
        help="what FILE holds: an HTML page, or a text dump of one "
        "(default: text for *.txt, else HTML)",
    )
    extract.add_argument(
        "--warc", nargs="+", metavar="FILE_OR_DIR", help="WARC files, or folders of them"
    )
    extract.add_argument("--out", help="with --warc: OUT.jsonl, OUT.jsonl.gz or OUT.parquet")
    extract.add_argument(
        "--all",
        action="store_true",
        help="with --warc: every HTML page, not only the URLs a source profile calls articles",
    )
    extract.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="with --warc: a running Dask scheduler (tcp://HOST:PORT); default: a local "
        "cluster of one worker per core",
    )
    extract.add_argument(
        "--workers", type=int, help="with --warc: local cluster workers (default: cores)"
    )
    extract.add_argument(
        "--quiet", action="store_true", help="with --warc: no line per WARC file done"
    )
    extract.set_defaults(func=_cmd_extract)

    url = sub.add_parser(
        "url",
        help="explain a URL: source, language, canonical form, whether it is an article",
        description="Answer 'why was this not archived?': the source profile that claims "
        "the URL's host, the edition's language, the canonical form the crawler uses, and "
        "whether an article pattern accepts it (which one, or why not).",
    )
    url.add_argument("urls", nargs="+", metavar="URL", help="one or more URLs (- reads stdin)")
    url.add_argument("--json", action="store_true", help="one JSON object per line")
    url.set_defaults(func=_cmd_url)

    probe = sub.add_parser(
        "probe",
        help="check the live sites: entry points, article links, metadata selectors",
        description="For an operator on a machine that reaches the outlets, before "
        "scheduling and after any failure: fetch every entry point of each source (with "
        "the production settings: robots.txt, politeness), count the article links found "
        "and those that look like articles but match no pattern, then fetch and extract "
        "sample articles and report which metadata fields the profile's selectors filled. "
        "Writes nothing to the archive. Exit 0 when every source looks healthy, 1 when a "
        "source yields no article, every entry point fails, no sample of an edition could "
        "be extracted, or a field is empty on every sample of an edition; 2 on a usage "
        "error.",
    )
    probe.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="sources to probe (default: every source)"
    )
    probe.add_argument(
        "--samples",
        type=int,
        default=3,
        metavar="K",
        help="sample articles to extract per edition (default: 3)",
    )
    probe.add_argument("--json", action="store_true", help="print one JSON object per source")
    probe.set_defaults(func=_cmd_probe)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`newsarchive runs | head`): stop quietly, as a shell tool
        # does on SIGPIPE, and keep Python from complaining again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (StorageError, UsageError, layout.BadKey, BadRecord) as exc:
        print(f"newsarchive {args.command}: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"newsarchive: {exc.filename}: no such file", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
