"""Run manifests are read back by one rule (newsarchive/archive/manifest.py) for every reader: the
crawl state's rebuild, the read side and the runs table. The archives here are written
by the project's own writers (spool, article files, run manifest) into a local folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.reader import ArchiveReader
from corpus.runs import load_runs
from newsarchive.archive import layout
from newsarchive.archive.article_files import ArticleFileWriter
from newsarchive.archive.manifest import RunManifest, listed_files, read_manifests
from newsarchive.state import CrawlState, rebuild
from newsarchive.storage import open_storage
from newsarchive.storage.spool import Spool, Uploaded

CRAWL_ID = "20240102T000000Z-ecns-host-1"
STARTED = datetime(2024, 1, 2, tzinfo=UTC)


def record(n: int) -> dict:
    return {
        "id": f"{n:020x}",
        "url": f"https://www.ecns.cn/news/politics/2024-01-02/detail-ihc{n}.shtml",
        "source": "ecns",
        "published": "2024-01-02T10:00:00+08:00",
        "fetched_at": "2024-01-02T03:00:00Z",
        "content_sha256": f"{n:064x}",
        "version": 1,
        "http": {},
        "warc": {},
    }


def write_run(
    root: Path, *, lost_upload: bool, records: list[dict] | None = None
) -> tuple[object, str]:
    """A run of two articles (or of ``records``) written as a crawl writes them; with
    ``lost_upload`` the manifest also lists a second article file whose upload failed
    (storage was down), as the writer records it: ``"uploaded": false``, the file not in
    storage."""
    storage = open_storage(str(root / "archive"))
    manifest = RunManifest(CRAWL_ID, "ecns", STARTED)
    spool = Spool(root / "spool", storage, on_uploaded=manifest.add_file, owner=CRAWL_ID)
    writer = ArticleFileWriter(
        spool,
        source="ecns",
        crawl_id=CRAWL_ID,
        crawl_date="2024-01-02",
        on_closed=manifest.count_records,
    )
    for written in [record(1), record(2)] if records is None else records:
        writer.write(written)
    writer.close()
    spool.close()
    if lost_upload:
        key = layout.article_key("ecns", "2024-01-03", CRAWL_ID, 9)
        manifest.add_file(Uploaded(key, 1234, "0" * 64, sent=False, ok=False))
    storage.put_bytes(
        manifest.render(status="finished", stats={}, errors=[]), layout.run_key(CRAWL_ID)
    )
    return storage, layout.run_key(CRAWL_ID)


def test_a_file_listed_as_not_uploaded_does_not_stop_the_state_rebuild(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=True)
    state = CrawlState(tmp_path / "state" / "crawl.sqlite")
    problems: list[str] = []
    assert rebuild(state, storage, problems) == 2
    assert problems == []
    assert state.get(record(1)["url"]) is not None


def test_a_file_listed_as_not_uploaded_is_left_out_of_the_listing_without_a_problem(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=True)
    (read,) = read_manifests(storage)
    files, problems = listed_files(read.manifest)
    assert [f.key.split("/", 1)[0] + " " + f.key.split("/")[2] for f in files] == [
        "articles date=2024-01-02",
        "index date=2024-01-02",
    ]
    assert problems == []


def test_a_damaged_article_file_is_skipped_and_named_by_the_rebuild(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    (item,) = ArchiveReader(storage).files("articles")
    storage.put_bytes(b"not gzip at all", item.key)
    state = CrawlState(tmp_path / "state" / "crawl.sqlite")
    problems: list[str] = []
    assert rebuild(state, storage, problems) == 0
    assert len(problems) == 1 and problems[0].startswith(f"{item.key}: skipped")


@pytest.fixture
def truncated(tmp_path):
    """The run above, plus a second manifest cut off mid-write."""
    storage, key = write_run(tmp_path, lost_upload=False)
    whole = storage.get_bytes(key)
    storage.put_bytes(whole[: len(whole) // 2], "runs/20240103T000000Z-ecns-host-1.json")
    return storage


def test_a_truncated_manifest_is_a_problem_for_the_read_side(truncated):
    reader = ArchiveReader(truncated)
    assert len(reader.manifests()) == 1
    assert reader.problems == [
        "runs/20240103T000000Z-ecns-host-1.json: damaged run manifest (not JSON: "
        + reader.problems[0].split("(not JSON: ", 1)[1]
    ]


def test_a_truncated_manifest_is_named_by_the_rebuild_which_goes_on(truncated, tmp_path):
    problems: list[str] = []
    assert rebuild(CrawlState(tmp_path / "s2" / "crawl.sqlite"), truncated, problems) == 2
    assert [p.split(":")[0] for p in problems] == ["runs/20240103T000000Z-ecns-host-1.json"]


def test_a_truncated_manifest_is_a_row_of_the_runs_table(truncated):
    rows = load_runs(truncated)
    assert [r["crawl_id"] for r in rows] == ["runs/20240103T000000Z-ecns-host-1.json", CRAWL_ID]
    assert rows[0]["status"].startswith("unreadable: ")


def newsarchive(*args: str):
    import subprocess

    from tests.conftest import BIN, ROOT

    command = [str(BIN / "newsarchive"), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_stats_says_what_it_could_not_count_and_exits_1(truncated):
    done = newsarchive("stats", "--archive", truncated.uri)
    assert done.returncode == 1
    assert done.stderr.startswith(
        "newsarchive stats: not counted: runs/20240103T000000Z-ecns-host-1.json: damaged"
    )
    assert "in 2 records" in done.stdout  # the readable run is still counted


def test_verify_reports_a_truncated_manifest_as_a_problem(truncated):
    done = newsarchive("verify", "--archive", truncated.uri)
    assert done.returncode == 1
    assert "runs/20240103T000000Z-ecns-host-1.json: damaged run manifest" in done.stdout
