"""End to end: scheduled runs add only what is new, keep versions, record deletions, and
write revisit records for what did not change."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import timedelta

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.warc import SERVER_NOT_MODIFIED
from newsarchive.storage.local import LocalStorage
from tests.archive_checks import EXPECTED_ARTICLES, read_articles, read_manifests
from tests.clock import backdate
from tests.conftest import ROOT, crawl, start_replay

pytestmark = pytest.mark.e2e
BASE = ROOT / "tests/replay/routes.yaml"
LATER = ROOT / "tests/replay/routes-later.yaml"
SOURCES = ("ecns", "cgtn")
EDITED = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"
REMOVED = "http://www.chinanews.com/ll/2020/07-04/9229287.shtml"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def run(tmp, routes, archive, spool, *server_args):
    proc, replay = start_replay(tmp, routes, *server_args)
    try:
        results = [crawl(replay, s, str(archive), spool) for s in SOURCES]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    archive, spool = tmp / "archive", tmp / "spool"
    storage = LocalStorage(archive)
    snapshots = []
    for step, (routes, server_args) in enumerate(
        (
            ([BASE], ()),
            ([BASE, LATER], ()),
            ([BASE, LATER], ("--no-conditional",)),
        )
    ):
        if step == 2:
            # Eight days on: the replay schedule's 7d point (tests/conftest.py) has come.
            backdate(tmp / "state", timedelta(days=8))
        before = {m["crawl_id"] for m in read_manifests(storage)} if archive.exists() else set()
        run(tmp, routes, archive, spool, *server_args)
        snapshots.append([m for m in read_manifests(storage) if m["crawl_id"] not in before])
    return storage, snapshots


def counts(manifests, source):
    (manifest,) = [m for m in manifests if m["source"] == source]
    return {k: manifest["counts"][k] for k in ("new", "changed", "unchanged", "deleted")}


def revisits(storage, manifests):
    found = []
    for manifest in manifests:
        for entry in manifest["files"]:
            if entry["kind"] != "warc":
                continue
            with (storage.root / entry["key"]).open("rb") as fh:
                found += [r.rec_headers for r in ArchiveIterator(fh) if r.rec_type == "revisit"]
    return found


def test_first_run_archives_everything_as_new(runs):
    _, (first, _, _) = runs
    assert counts(first, "ecns") == {"new": 4, "changed": 0, "unchanged": 0, "deleted": 0}
    assert counts(first, "cgtn") == {"new": 5, "changed": 0, "unchanged": 0, "deleted": 0}


def test_later_run_finds_two_new_one_edited_one_removed(runs):
    _, (_, later, _) = runs
    assert counts(later, "ecns") == {"new": 2, "changed": 1, "unchanged": 2, "deleted": 1}
    assert counts(later, "cgtn") == {"new": 0, "changed": 0, "unchanged": 5, "deleted": 0}


def test_removed_page_is_recorded_as_deleted_in_the_manifest(runs):
    _, (_, later, _) = runs
    (ecns,) = [m for m in later if m["source"] == "ecns"]
    assert [(d["url"], d["status"]) for d in ecns["deleted"]] == [(REMOVED, 404)]


def test_every_version_is_kept_and_none_is_stored_twice(runs):
    storage, _ = runs
    records = read_articles(storage)
    assert len(records) == 9 + 2 + 1
    assert Counter((r["url"], r["version"]) for r in records).most_common(1)[0][1] == 1
    v1, v2 = sorted((r for r in records if r["url"] == EDITED), key=lambda r: r["version"])
    assert (v1["version"], v2["version"]) == (1, 2)
    assert v2["previous_sha256"] == v1["content_sha256"] != v2["content_sha256"]
    assert any("people-to-people exchanges" in p for p in v2["paragraphs"])


def test_unchanged_pages_get_revisit_records_referring_to_their_capture(runs):
    storage, (_, later, _) = runs
    originals = {r["url"]: r["warc"] for r in read_articles(storage) if r["version"] == 1}
    found = revisits(storage, later)
    unchanged = EXPECTED_ARTICLES["cgtn"] | (EXPECTED_ARTICLES["ecns"] - {EDITED, REMOVED})
    assert sorted(h.get_header("WARC-Target-URI") for h in found) == sorted(unchanged)
    for headers in found:
        original = originals[headers.get_header("WARC-Target-URI")]
        assert headers.get_header("WARC-Refers-To") == original["record_id"]
        assert headers.get_header("WARC-Refers-To-Date") == original["date"]
        assert headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED


def test_without_conditional_answers_identical_bodies_become_revisits(runs):
    storage, (_, _, third) = runs
    assert counts(third, "ecns") == {"new": 0, "changed": 0, "unchanged": 5, "deleted": 0}
    assert counts(third, "cgtn") == {"new": 0, "changed": 0, "unchanged": 5, "deleted": 0}
    found = revisits(storage, third)
    assert len(found) == 10
    assert {h.get_header("WARC-Profile") for h in found} == {IDENTICAL}
    latest = {}
    for record in read_articles(storage):
        if record["version"] >= latest.get(record["url"], {}).get("version", 0):
            latest[record["url"]] = record
    for headers in found:
        record = latest[headers.get_header("WARC-Target-URI")]
        assert headers.get_header("WARC-Refers-To") == record["warc"]["record_id"]
        assert headers.get_header("WARC-Payload-Digest") == record["http"]["payload_digest"]


def test_a_deleted_page_still_gone_is_rechecked_but_not_deleted_again(runs):
    storage, (_, second, third) = runs
    fetched = set()
    for manifest in third:
        for entry in manifest["files"]:
            if entry["kind"] == "warc":
                with (storage.root / entry["key"]).open("rb") as fh:
                    fetched |= {
                        r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                    }
    (ecns,) = [m for m in third if m["source"] == "ecns"]
    assert REMOVED in fetched
    assert (ecns["deleted"], ecns["stats"]["article/still_gone"]) == ([], 1)
    assert [d["url"] for m in second for d in m["deleted"]] == [REMOVED]


def test_a_lost_crawl_state_is_rebuilt_from_the_archive(tmp_path):
    archive, spool = tmp_path / "archive", tmp_path / "spool"
    run(tmp_path, [BASE], archive, spool)
    shutil.rmtree(tmp_path / "state")  # a new machine pointed at the same archive
    storage = LocalStorage(archive)
    before = {m["crawl_id"] for m in read_manifests(storage)}
    run(tmp_path, [BASE], archive, spool)
    second = [m for m in read_manifests(storage) if m["crawl_id"] not in before]
    assert counts(second, "ecns") == {"new": 0, "changed": 0, "unchanged": 4, "deleted": 0}
    assert counts(second, "cgtn") == {"new": 0, "changed": 0, "unchanged": 5, "deleted": 0}
    # The state is per archive: the first crawl after the loss rebuilds it for all sources.
    rebuilt = {m["source"]: m["stats"].get("state/rebuilt_from_archive") for m in second}
    assert rebuilt == {"ecns": 9, "cgtn": None}
    assert len(read_articles(storage)) == 9
