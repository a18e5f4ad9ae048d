"""`newsarchive reprocess`: a new pipeline version re-extracts the archived captures from
their WARC records, once, incrementally, and killed or not ends with the same archive.

The archive is the replay's crawl of every source (the session's ``local_run``), copied
for each test; "a new pipeline" is the same code under another version
(NEWSARCHIVE_PIPELINE_VERSION), so each re-extraction must equal the crawl's own
extraction of the same capture, field for field, but for the pipeline's version and
``extracted_at``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsarchive.archive.article_files import capture_key, newest_extractions, read_records
from newsarchive.archive.manifest import listed_files, read_manifests
from newsarchive.storage import open_storage
from pipelines.reprocess import tasks
from tests.conftest import BIN, crawl

NEW = "9.9.9-test"


def archive_copy(local_run, tmp_path: Path) -> Path:
    storage, _, _ = local_run
    target = tmp_path / "archive"
    shutil.copytree(storage.root, target)
    return target


def reprocess(tmp_path: Path, archive: str, *args: str, version: str = NEW, **env: str):
    return subprocess.Popen(
        [str(BIN / "newsarchive"), "reprocess", "--archive", archive, "--quiet", *args],
        env={
            **os.environ,
            "NEWSARCHIVE_PIPELINE_VERSION": version,
            "NEWSARCHIVE_SPOOL": str(tmp_path / "spool"),
            "NEWSARCHIVE_STATE": str(tmp_path / "state"),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def all_records(archive: str) -> list[dict]:
    storage = open_storage(archive)
    found = []
    for read in read_manifests(storage):
        assert read.manifest is not None, read.problem
        files, refused = listed_files(read.manifest)
        assert refused == []
        for item in files:
            if item.kind == "articles":
                found += list(read_records(storage.get_bytes(item.key)))
    return found


def by_pipeline(records: list[dict], version: str) -> list[dict]:
    return [r for r in records if r["pipeline"]["version"] == version]


def without_extraction(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("pipeline", "extracted_at")}


def test_a_new_pipeline_re_extracts_every_capture_once_as_the_crawl_extracted_it(
    local_run, tmp_path
):
    archive = str(archive_copy(local_run, tmp_path))
    before = all_records(archive)
    status, out, err = finished(reprocess(tmp_path, archive))
    assert status == 0, err
    after = all_records(archive)
    fresh = by_pipeline(after, NEW)
    assert sorted(map(capture_key, fresh)) == sorted(map(capture_key, before))
    crawled = {capture_key(r): r for r in before}
    for record in fresh:
        assert without_extraction(record) == without_extraction(crawled[capture_key(record)])
        assert record["extracted_at"] >= crawled[capture_key(record)]["fetched_at"]
    assert out.splitlines()[-1].startswith(f"re-extracted {len(before)} of {len(before)} captures")


def test_readers_take_the_newest_extraction_and_keep_the_older(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    assert finished(reprocess(tmp_path, archive))[0] == 0
    records = all_records(archive)
    assert {r["pipeline"]["version"] for r in newest_extractions(records)} == {NEW}
    assert len(records) == 2 * len(newest_extractions(records))
    some = newest_extractions(records)[0]
    shown = subprocess.run(
        [str(BIN / "newsarchive"), "show", some["id"], "--archive", archive, "--json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(shown.stdout)["pipeline"]["version"] == NEW
    from newsarchive import __version__

    asked = ["--archive", archive, "--json", "--pipeline", __version__]
    older = subprocess.run(
        [str(BIN / "newsarchive"), "show", some["id"], *asked],
        capture_output=True,
        text=True,
    )
    assert json.loads(older.stdout)["pipeline"]["version"] == __version__
    assert "extracted_at" not in json.loads(older.stdout)


def test_a_second_run_with_the_same_pipeline_does_nothing(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    assert finished(reprocess(tmp_path, archive))[0] == 0
    count = len(all_records(archive))
    status, out, _ = finished(reprocess(tmp_path, archive))
    assert status == 0
    assert out.startswith("0 captures to re-extract")
    assert len(all_records(archive)) == count


def test_dry_run_says_what_would_be_done_and_writes_nothing(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    count = len(all_records(archive))
    status, out, _ = finished(reprocess(tmp_path, archive, "--dry-run"))
    assert status == 0
    from newsarchive import __version__

    assert out == (
        f"{count} captures to re-extract (made by another pipeline than {NEW}: "
        f"{count} by pipeline {__version__}); 0 already extracted by {NEW}; "
        "0 captures whose extraction failed to try again\n"
    )
    assert len(all_records(archive)) == count


def test_the_source_filter_limits_the_work(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    xinhua = [r for r in all_records(archive) if r["source"] == "xinhua"]
    assert finished(reprocess(tmp_path, archive, "--source", "xinhua"))[0] == 0
    fresh = by_pipeline(all_records(archive), NEW)
    assert sorted(map(capture_key, fresh)) == sorted(map(capture_key, xinhua))


def test_a_reprocess_run_is_listed_as_one(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    assert finished(reprocess(tmp_path, archive, "--source", "ecns"))[0] == 0
    listed = subprocess.run(
        [str(BIN / "newsarchive"), "runs", "--archive", archive, "--json"],
        capture_output=True,
        text=True,
    )
    kinds = [(run["source"], run.get("kind", "crawl")) for run in json.loads(listed.stdout)]
    assert kinds.count(("ecns", "reprocess")) == 1


def killed_after_a_write(tmp_path: Path, archive: str, *args: str) -> None:
    """A reprocess run, killed with -9 once it has written a record."""
    proc = reprocess(tmp_path, archive, "--workers", "1", *args)
    open_files = tmp_path / "spool"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        written = [
            p
            for p in open_files.rglob("*.jsonl.gz")
            if ".open" in p.parts and p.stat().st_size > 40
        ]
        if written:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"


def test_killed_mid_run_and_rerun_ends_with_each_capture_re_extracted_once(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    before = all_records(archive)
    killed_after_a_write(tmp_path, archive)
    status, _, err = finished(reprocess(tmp_path, archive))
    assert status == 0, err
    fresh = by_pipeline(all_records(archive), NEW)
    assert sorted(map(capture_key, fresh)) == sorted(map(capture_key, before))


def test_what_a_run_recovers_stays_listed_when_it_has_other_work(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    before = [r for r in all_records(archive) if r["source"] == "xinhua"]
    killed_after_a_write(tmp_path, archive, "--source", "xinhua")
    assert finished(reprocess(tmp_path, archive, "--source", "ecns"))[0] == 0
    recovered = [r for r in by_pipeline(all_records(archive), NEW) if r["source"] == "xinhua"]
    assert recovered  # listed by the ecns run's manifest, so readers see them
    assert finished(reprocess(tmp_path, archive, "--source", "xinhua"))[0] == 0
    fresh = [r for r in by_pipeline(all_records(archive), NEW) if r["source"] == "xinhua"]
    assert sorted(map(capture_key, fresh)) == sorted(map(capture_key, before))


def test_two_workers_give_what_one_gives(local_run, tmp_path):
    results = []
    for workers in ("1", "2"):
        where = tmp_path / workers
        where.mkdir()
        archive = str(archive_copy(local_run, where))
        assert finished(reprocess(where, archive, "--workers", workers))[0] == 0
        fresh = by_pipeline(all_records(archive), NEW)
        results.append(sorted((without_extraction(r) for r in fresh), key=capture_key))
    assert results[0] == results[1]


def test_captures_of_one_url_with_one_payload_are_extracted_once(local_run, tmp_path):
    archive = str(archive_copy(local_run, tmp_path))
    record = all_records(archive)[0]
    later = {**record, "version": 2, "fetched_at": "2031-01-01T00:00:00Z"}
    other = {**record, "url": record["url"] + "?other", "fetched_at": "2031-01-02T00:00:00Z"}
    by_file, same = tasks([record, later, other])
    assert [capture_key(r) for rs in by_file.values() for r in rs] == [
        capture_key(record),
        capture_key(other),
    ]
    assert same == {capture_key(record): [later]}


@pytest.mark.s3
def test_the_same_on_seaweedfs(local_run, s3_storage, s3_env, tmp_path):
    storage, _, _ = local_run
    for path in sorted(p for p in storage.root.rglob("*") if p.is_file()):
        s3_storage.put_bytes(path.read_bytes(), path.relative_to(storage.root).as_posix())
    archive = s3_storage.uri
    before = all_records(archive)
    status, _, err = finished(reprocess(tmp_path, archive))
    assert status == 0, err
    fresh = by_pipeline(all_records(archive), NEW)
    crawled = {capture_key(r): r for r in before}
    assert sorted(map(capture_key, fresh)) == sorted(crawled)
    for record in fresh:
        assert without_extraction(record) == without_extraction(crawled[capture_key(record)])
    assert finished(reprocess(tmp_path, archive))[1].startswith("0 captures to re-extract")


@pytest.fixture(scope="module")
def failed_archive(replay, tmp_path_factory) -> Path:
    """ECNS crawled under an extraction budget no article page fits: every article page
    is a capture whose extraction failed (too_large), kept in the WARC."""
    root = tmp_path_factory.mktemp("failed")
    done = crawl(
        replay, "ecns", str(root / "archive"), root / "spool", NEWSARCHIVE_EXTRACT_MAX_BYTES="1000"
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return root / "archive"


def manifests(archive: str) -> list[dict]:
    return [r.manifest for r in read_manifests(open_storage(archive)) if r.manifest]


def test_a_run_lists_the_captures_it_could_not_extract(failed_archive):
    (manifest,) = manifests(str(failed_archive))
    failures = manifest["extraction_failures"]
    assert len(failures) == manifest["stats"]["article/extraction_failed/too_large"] > 0
    assert {f["reason"] for f in failures} == {"too_large"}
    for failure in failures:
        assert failure["pages"][0]["warc"]["record_id"].startswith("<urn:uuid:")


def test_failed_captures_are_tried_again_and_stored_as_the_crawl_would(
    failed_archive, local_run, tmp_path
):
    archive = tmp_path / "archive"
    shutil.copytree(failed_archive, archive)
    (manifest,) = manifests(str(archive))
    failed_urls = sorted(f["url"] for f in manifest["extraction_failures"])
    status, out, err = finished(reprocess(tmp_path, str(archive)))
    assert status == 0, err
    stored = {r["url"]: r for r in all_records(str(archive))}
    assert sorted(stored) == failed_urls
    crawled = {r["url"]: r for r in all_records(str(local_run[0].root))}
    for url, record in stored.items():
        assert (record["version"], record["previous_sha256"]) == (1, None)
        assert record["paragraphs"] == crawled[url]["paragraphs"]
        assert record["title"] == crawled[url]["title"]
    assert out.splitlines()[-1].startswith(
        f"re-extracted 0 of 0 captures; {len(failed_urls)} of {len(failed_urls)} failed "
        "captures now stored"
    )
    again = finished(reprocess(tmp_path, str(archive)))[1]
    assert again.endswith("; 0 captures whose extraction failed to try again\n")


def test_a_failure_retried_in_vain_is_not_retried_by_the_same_pipeline(failed_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(failed_archive, archive)
    (manifest,) = manifests(str(archive))
    count = len(manifest["extraction_failures"])
    tight = {"NEWSARCHIVE_EXTRACT_MAX_BYTES": "1000"}
    status, _, err = finished(reprocess(tmp_path, str(archive), **tight))
    assert status == 1
    assert err.count("extraction_failed/too_large") == count
    assert all_records(str(archive)) == []
    retried = [r for m in manifests(str(archive)) for r in m.get("retried_failures", [])]
    assert [r["outcome"] for r in retried] == ["extraction_failed/too_large"] * count
    again = finished(reprocess(tmp_path, str(archive), **tight))[1]
    assert again.endswith("; 0 captures whose extraction failed to try again\n")
