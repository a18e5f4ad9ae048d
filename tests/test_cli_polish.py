"""The newsarchive command behaves as a shell tool: options where a user puts them, dates
as a user writes them, quiet when its reader goes away."""

from __future__ import annotations

import subprocess

from tests.conftest import BIN, ROOT
from tests.test_manifest_reading import CRAWL_ID, write_run


def newsarchive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "newsarchive"), *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_the_archive_may_be_named_before_the_command(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    before = newsarchive("--archive", storage.uri, "stats")
    after = newsarchive("stats", "--archive", storage.uri)
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout
    assert f"archive    {storage.uri}" in before.stdout


def test_runs_after_takes_a_day(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)  # started 2024-01-02T00:00:00Z
    kept = newsarchive("runs", "--archive", storage.uri, "--after", "2024-01-02")
    left = newsarchive("runs", "--archive", storage.uri, "--after", "2024-01-03")
    assert CRAWL_ID in kept.stdout
    assert left.stdout == f"no runs in {storage.uri} since 2024-01-03T00:00:00Z\n"


def test_runs_after_refuses_what_is_not_a_time(tmp_path):
    done = newsarchive("runs", "--archive", str(tmp_path), "--after", "yesterdy")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "newsarchive runs: error: argument --after: 'yesterdy' is not a date: "
        "expected YYYY-MM-DD (or YYYY-MM, or YYYY)"
    )


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path):
    storage, key = write_run(tmp_path, lost_upload=False)
    manifest = storage.get_bytes(key)
    # More output than a pipe holds, so the writer meets the closed pipe.
    for n in range(200):
        copy = manifest.replace(CRAWL_ID.encode(), f"{CRAWL_ID}{n}".encode())
        storage.put_bytes(copy, f"runs/{CRAWL_ID}{n}.json")
    done = subprocess.run(
        f"{BIN / 'newsarchive'} runs --archive {storage.uri} --json | head -c 1",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "["
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_a_language_matches_in_any_case():
    from corpus.selection import Selection

    assert Selection(languages=["EN"]).matches({"language": "en"})
    assert not Selection(languages=["zh"]).matches({"language": "en"})


def test_csv_for_excel_starts_with_a_byte_order_mark(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    for name, extra in (("plain", ()), ("excel", ("--bom",))):
        out = tmp_path / name
        done = newsarchive(
            "download", "--archive", storage.uri, "--out", str(out), "--format", "csv", *extra
        )
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "excel" / "articles.csv").read_bytes().startswith(b"\xef\xbb\xbfid,url,")
    assert (tmp_path / "plain" / "articles.csv").read_bytes().startswith(b"id,url,")


def test_a_bom_is_refused_for_other_formats(tmp_path):
    done = newsarchive(
        "download", "--archive", str(tmp_path), "--out", str(tmp_path / "o"), "--bom"
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "newsarchive download: --bom is for --format csv (a byte-order mark for Excel)"
    )


def test_show_prints_a_dash_not_none_where_the_page_gave_nothing():
    from corpus.show import render

    record = {
        "title": "A headline",
        "url": "https://news.cgtn.com/news/share/x/index.html",
        "source": "cgtn",
        "language": "en",
        "published": None,
        "published_estimate": "2024-05-29",
        "published_source": "url",
        "updated": None,
        "agency": None,
        "dateline": None,
        "authors": [],
        "editor": None,
        "fetched_at": "2026-11-30T10:00:00Z",
        "version": 1,
        "warc": None,
        "text": "Body.",
    }
    shown = render(record)
    assert "None" not in shown
    assert "published  — (estimate 2024-05-29, from the url)   updated —" in shown
    assert "authors    —   editor —" in shown


def test_every_option_of_every_command_says_what_it_does():
    import argparse

    from corpus.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    silent = [
        f"{name} {'/'.join(action.option_strings) or action.dest}"
        for name, sub in [("", parser), *commands.choices.items()]
        for action in sub._actions
        if not isinstance(action, argparse._SubParsersAction | argparse._HelpAction)
        and not action.help
    ]
    assert silent == []
