"""End to end: the revisit schedule, and deletions as state media make them.

ECNS is crawled, then (the state moved two hours back: tests/clock.py) rechecked with
``-a revisit_only=1`` and the default schedule as ``routes-deletions.yaml`` finds it:
one article answers 404, one redirects to a section page, one is a 200 page saying it
is gone, one URL serves another article. Two hours later the originals are back."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.state import DEFAULT_REVISIT_SCHEDULE
from newsarchive.storage.local import LocalStorage
from tests.archive_checks import read_manifests
from tests.clock import backdate
from tests.conftest import BIN, ROOT, crawl, start_replay

pytestmark = pytest.mark.e2e
BASE = ROOT / "tests/replay/routes.yaml"
DELETIONS = ROOT / "tests/replay/routes-deletions.yaml"
NOT_FOUND = "http://www.chinanews.com/ll/2020/07-04/9229287.shtml"
REDIRECTED = "https://www.ecns.cn/china/politics/2026-10-03/detail-ihfkteqw7941628.shtml"
NOTICE = "https://www.chinanews.com.cn/gj/2024/05-01/10210211.shtml"
REPLACED = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"
DEFAULT = {"NEWSARCHIVE_REVISIT_SCHEDULE": DEFAULT_REVISIT_SCHEDULE}


def run(tmp, routes, *args, **env):
    proc, replay = start_replay(tmp, routes)
    try:
        return crawl(replay, "ecns", str(tmp / "archive"), tmp / "spool", *args, **env)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The manifests of: the first crawl; the revisit two hours on (the deletions); the
    revisit two hours after that (the return); a revisit at once (nothing due)."""
    tmp = tmp_path_factory.mktemp("deletions")
    storage = LocalStorage(tmp / "archive")
    manifests, results = [], []
    steps = [([BASE], ()), ([BASE, DELETIONS], ("-a", "revisit_only=1"))]
    steps += [([BASE], ("-a", "revisit_only=1")), ([BASE], ("-a", "revisit_only=1"))]
    for step, (routes, args) in enumerate(steps):
        if step in (1, 2):
            backdate(tmp / "state", timedelta(hours=2))
        before = {m["crawl_id"] for m in read_manifests(storage)} if step else set()
        results.append(run(tmp, routes, *args, **DEFAULT))
        assert results[-1].returncode == 0, results[-1].stderr[-2000:]
        (new,) = [m for m in read_manifests(storage) if m["crawl_id"] not in before]
        manifests.append(new)
    return storage, manifests


def record_at(storage, pointer):
    with (storage.root / pointer["filename"]).open("rb") as fh:
        fh.seek(pointer["offset"])
        return next(iter(ArchiveIterator(fh)))


def test_a_revisit_only_run_fetches_the_due_articles_and_no_entry_point(runs):
    _, (first, second, _, _) = runs
    assert second["stats"]["discovery/due"] == first["counts"]["new"] == 4
    assert second["stats"].get("discovery/entries", 0) == 0
    assert second["status"] == "finished"


def test_a_revisit_only_run_with_nothing_due_fetches_nothing_and_succeeds(runs):
    _, (_, _, _, fourth) = runs
    assert (fourth["status"], fourth["counts"]["pages_fetched"]) == ("finished", 0)


def test_each_deletion_is_recorded_with_its_kind(runs):
    _, (_, second, _, _) = runs
    assert {d["url"]: (d["kind"], d["detail"]) for d in second["deleted"]} == {
        NOT_FOUND: ("http_404", None),
        REDIRECTED: ("redirect", "https://www.ecns.cn/news/"),
        NOTICE: ("gone_notice", "访问的页面不存在"),
    }


def test_a_redirect_away_is_proved_by_the_redirect_record(runs):
    storage, (_, second, _, _) = runs
    (entry,) = [d for d in second["deleted"] if d["kind"] == "redirect"]
    record = record_at(storage, entry["warc"])
    assert record.rec_headers.get_header("WARC-Target-URI") == REDIRECTED
    assert record.http_headers.get_statuscode() == "302"
    assert record.http_headers.get_header("Location") == "https://www.ecns.cn/news/"


def test_a_gone_notice_is_proved_by_the_page_that_says_it(runs):
    storage, (_, second, _, _) = runs
    (entry,) = [d for d in second["deleted"] if d["kind"] == "gone_notice"]
    record = record_at(storage, entry["warc"])
    assert record.rec_headers.get_header("WARC-Target-URI") == NOTICE
    assert record.http_headers.get_statuscode() == "200"
    assert "您访问的页面不存在或已被删除" in record.content_stream().read().decode()


def test_the_articles_back_at_their_urls_are_recorded_as_reappeared(runs):
    _, (_, _, third, _) = runs
    assert sorted(r["url"] for r in third["reappeared"]) == sorted([NOT_FOUND, REDIRECTED, NOTICE])
    assert third["deleted"] == []


def test_changes_names_each_deletion_the_replacement_and_the_returns(runs):
    storage, _ = runs
    done = subprocess.run(
        [str(BIN / "newsarchive"), "changes", "--archive", str(storage.root), "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    found = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted((c["kind"], c.get("how"), c["url"]) for c in found) == sorted(
        [
            ("deletion", "http_404", NOT_FOUND),
            ("deletion", "redirect", REDIRECTED),
            ("deletion", "gone_notice", NOTICE),
            ("deletion", "replaced", REPLACED),
            ("reappearance", None, NOT_FOUND),
            ("reappearance", None, REDIRECTED),
            ("reappearance", None, NOTICE),
            # The original text back at its URL: another article than version 2.
            ("deletion", "replaced", REPLACED),
        ]
    )
    assert all(c["warc"] for c in found if c["kind"] != "edit")


def download_changes(storage, out, fmt):
    return subprocess.run(
        [
            *(str(BIN / "newsarchive"), "download", "--changes", "--archive", str(storage.root)),
            *("--out", str(out), "--format", fmt),
        ],
        capture_output=True,
        text=True,
    )


def test_download_changes_writes_one_parquet_row_a_change_with_its_proof(runs, tmp_path):
    import pyarrow.parquet as pq

    storage, _ = runs
    done = download_changes(storage, tmp_path, "parquet")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote 8 changes (0 edits, 5 deletions, 3 reappearances)")
    rows = pq.read_table(tmp_path / "changes.parquet").to_pylist()
    assert sorted((r["kind"], r["how"]) for r in rows).count(("deletion", "replaced")) == 2
    (redirect,) = [r for r in rows if r["how"] == "redirect"]
    assert (redirect["url"], redirect["detail"]) == (REDIRECTED, "https://www.ecns.cn/news/")
    record = record_at(
        storage,
        {"filename": redirect["warc_filename"], "offset": redirect["warc_offset"]},
    )
    assert record.http_headers.get_statuscode() == "302"


def test_download_changes_as_csv_has_the_ledger_columns(runs, tmp_path):
    import csv

    from corpus.edits import CHANGE_COLUMNS

    storage, _ = runs
    assert download_changes(storage, tmp_path, "csv").returncode == 0
    with (tmp_path / "changes.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [name for name, _ in CHANGE_COLUMNS]
    assert len(rows) == 8


def test_download_changes_refuses_an_article_selection(runs, tmp_path):
    storage, _ = runs
    done = subprocess.run(
        [
            *(str(BIN / "newsarchive"), "download", "--changes", "--lang", "en"),
            *("--archive", str(storage.root), "--out", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--lang selects articles; --changes exports the ledger of changes" in done.stderr
