"""An archive session: nothing is lost when the storage fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from corpus.reader import ArchiveReader
from corpus.verify import verify
from newsarchive.session import ArchiveSession
from newsarchive.storage import open_storage

WHEN = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def session(tmp_path, archive_uri: str, started_at: datetime = WHEN) -> ArchiveSession:
    return ArchiveSession(
        archive_uri=archive_uri,
        spool_dir=tmp_path / "spool",
        state_dir=tmp_path / "state",
        source="ecns",
        warc_max_bytes=10**9,
        warcinfo={},
        started_at=started_at,
        upload_attempts=2,
        upload_backoff=0.01,
    )


def write_some(s: ArchiveSession) -> None:
    s.warc.write_exchange(
        url="https://www.ecns.cn/a.shtml",
        date=WHEN,
        method="GET",
        request_target="/a.shtml",
        request_headers=[],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html")],
        body=b"<p>x</p>",
        ip_address=None,
    )
    s.articles.write({"id": "a", "published": "2023-02-04T15:13:19+08:00"})


def test_a_clean_close_uploads_everything_and_writes_the_manifest(tmp_path):
    s = session(tmp_path, str(tmp_path / "archive"))
    write_some(s)
    assert s.close(reason="finished", stats={"downloader/response_count": 1}) == []
    manifest = json.loads((tmp_path / "archive" / s.manifest.key).read_text())
    assert manifest["status"] == "finished"
    assert [f["kind"] for f in manifest["files"]] == ["articles", "index", "warc"]
    assert manifest["files"][0]["key"].startswith("articles/source=ecns/date=2023-02-04/")
    assert s.spool.pending() == []


def test_storage_failure_keeps_every_file_and_the_manifest_in_the_spool(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive should be")
    s = session(tmp_path, str(blocker / "archive"))
    write_some(s)
    errors = s.close(reason="finished", stats={})
    assert len(errors) == 4  # WARC, article file, its index, manifest
    pending = s.spool.pending()
    assert len(pending) == 4 and s.manifest.key in pending
    manifest = json.loads(s.spool.path_for(s.manifest.key).read_text())
    assert manifest["status"] == "failed"
    assert all(f["uploaded"] is False for f in manifest["files"])


def test_the_next_session_uploads_what_the_failed_one_left(tmp_path):
    blocker = tmp_path / "archive"
    blocker.write_text("in the way")
    failed = session(tmp_path, str(blocker))
    write_some(failed)
    failed.close(reason="finished", stats={})
    left = failed.spool.pending()
    blocker.unlink()  # the storage is back
    later = session(tmp_path, str(blocker), WHEN + timedelta(hours=1))
    recovered = later.recover()
    assert sorted(u.key for u in recovered) == left
    assert {u.key.split("/")[0] for u in recovered} == {"warc", "articles", "index", "runs"}
    later.close(reason="finished", stats={})
    manifest = json.loads((blocker / later.manifest.key).read_text())
    assert sorted(f["kind"] for f in manifest["recovered_files"]) == ["articles", "index", "warc"]
    assert later.spool.pending() == []


def test_a_manifest_kept_in_the_spool_reaches_the_archive_with_the_next_run(tmp_path):
    """Storage down at the end of a run: its manifest waits in the spool, the next run
    uploads it, and the archive then reads whole: the failed run with its reason, its
    files (listed by the run that uploaded them), nothing refused."""
    blocker = tmp_path / "archive"
    blocker.write_text("in the way")
    failed = session(tmp_path, str(blocker))
    write_some(failed)
    failed.close(reason="finished", stats={})
    blocker.unlink()
    later = session(tmp_path, str(blocker), WHEN + timedelta(hours=1))
    later.recover()
    later.close(reason="finished", stats={})
    reader = ArchiveReader(open_storage(str(blocker)))
    runs = [(m["crawl_id"], m["status"], m["status_reason"]) for m in reader.manifests()]
    assert runs == [
        (failed.crawl_id, "failed", "3 file(s) could not be stored (kept in the spool)"),
        (later.crawl_id, "finished", ""),
    ]
    assert sorted(f.kind for f in reader.files()) == ["articles", "index", "warc"]
    report = verify(reader)
    assert (report.problems, reader.problems) == ([], [])


def test_files_of_a_killed_crawl_are_repaired_and_uploaded_by_the_next(tmp_path):
    killed = session(tmp_path, str(tmp_path / "archive"))
    write_some(killed)
    write_some(killed)
    warc_path = killed.spool.open_path_for(killed.warc._current.key)
    article_key = next(iter(killed.articles._open.values())).key
    # A kill: the lock goes with the process, and the last WARC record is half written.
    killed.spool._owner_lock.close()
    data = warc_path.read_bytes()
    warc_path.write_bytes(data + data[-300:])
    later = session(tmp_path, str(tmp_path / "archive"), WHEN + timedelta(hours=1))
    recovered = {u.key for u in later.recover()}
    assert recovered == {killed.warc._current.key, article_key}
    later.close(reason="finished", stats={})
    manifest = json.loads((tmp_path / "archive" / later.manifest.key).read_text())
    by_kind = {f["kind"]: f["records"] for f in manifest["recovered_files"]}
    assert by_kind == {"warc": 5, "articles": 2}  # warcinfo + 2 x (response, request)
