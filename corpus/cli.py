"""``newsarchive``: the archive from the command line.

newsarchive runs [--archive URI] [--after TIME] [--json]
newsarchive extract FILE.html --url URL [--source S] [--format json|text]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pipelines.storage import StorageError, open_storage

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
    print(format_runs(runs))
    return 0 if all(r.get("status") == "finished" for r in runs) else 1


def _reader(args: argparse.Namespace):
    from corpus.reader import ArchiveReader

    storage = open_storage(args.archive, sign=not args.no_sign_request)
    storage.check(write=False)
    return ArchiveReader(storage)


def _cmd_stats(args: argparse.Namespace) -> int:
    from corpus import stats

    result = stats.compute(_reader(args))
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else stats.render(result))
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from corpus.verify import verify

    reader = _reader(args)
    report = verify(reader)
    for problem in report.problems:
        print(f"PROBLEM  {problem}")
    for warning in report.warnings:
        print(f"warning  {warning}")
    print(
        f"verify: {report.checked} files checked against {len(reader.manifests())} run "
        f"manifests, {len(report.problems)} problems, {len(report.warnings)} warnings"
    )
    return 1 if report.problems else 0


def _cmd_show(args: argparse.Namespace) -> int:
    from corpus import show

    reader = _reader(args)
    record = show.find(reader, args.id, args.source or None)
    if record is None:
        print(f"newsarchive: no article {args.id!r} in {reader.storage.uri}", file=sys.stderr)
        return 1
    if args.raw:
        sys.stdout.buffer.write(show.raw_response(reader, record))
    elif args.json:
        print(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        print(show.render(record))
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from crawler import profiles
    from pipelines.article import build_article
    from pipelines.extract import ExtractionFailed

    body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    source = args.source or _guess_source(args.url) or "unknown"
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
    page = {
        "source": source,
        "url": args.url,
        "language": profiles.load(source).language_for(args.url)
        if source in profiles.available()
        else None,
        "discovered": {},
        "pages": [
            {
                "url": args.url,
                "status": 200,
                "content_type": args.content_type,
                "body": body,
                "warc": None,
                "fetched_at": None,
            }
        ],
    }
    try:
        record = build_article(page)
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


def _guess_source(url: str) -> str | None:
    from crawler import profiles

    for name in profiles.available():
        if profiles.load(name).in_scope(url):
            return name
    return None


def _archive_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--archive",
        default=DEFAULT_ARCHIVE,
        help="archive folder or s3://bucket/prefix (default: $ARCHIVE_URI or 'archive')",
    )
    parser.add_argument(
        "--no-sign-request",
        action="store_true",
        help="read a public bucket anonymously (no AWS credentials)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Read the newsarchive corpus: runs, articles, WARC captures.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    runs = sub.add_parser("runs", help="list crawl runs and what each archived")
    _archive_options(runs)
    runs.add_argument(
        "--after",
        metavar="TIME",
        help="only runs started at or after this UTC time, e.g. 2026-11-23T10:00:00Z",
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

    check = sub.add_parser(
        "verify",
        help="re-hash every file against the run manifests and check every WARC record's digests",
    )
    _archive_options(check)
    check.set_defaults(func=_cmd_verify)

    show = sub.add_parser("show", help="print one article (latest version) by id or URL")
    show.add_argument("id", help="the article id (or its URL)")
    _archive_options(show)
    show.add_argument("--source", action="append", help="look only in this source (faster)")
    show.add_argument(
        "--raw",
        action="store_true",
        help="print the captured HTTP response instead, read from the WARC",
    )
    show.add_argument("--json", action="store_true", help="print the whole record")
    show.set_defaults(func=_cmd_show)

    extract = sub.add_parser(
        "extract",
        help="extract the clean article from a saved HTML page (same code as the crawler)",
    )
    extract.add_argument("file", help="the saved page, or - for standard input")
    extract.add_argument("--url", required=True, help="the URL the page was fetched from")
    extract.add_argument("--source", help="source profile to use (default: from the URL)")
    extract.add_argument(
        "--content-type", default=None, help="the Content-Type header it was served with, if known"
    )
    extract.add_argument("--format", choices=("json", "text"), default="json")
    extract.add_argument(
        "--input",
        choices=("auto", "html", "text"),
        default="auto",
        help="what FILE holds: an HTML page, or a text dump of one "
        "(default: text for *.txt, else HTML)",
    )
    extract.set_defaults(func=_cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StorageError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"newsarchive: {exc.filename}: no such file", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
