"""Nothing leaves the spool before the storage confirms it."""

from __future__ import annotations

from pathlib import Path

from newsarchive.storage.local import LocalStorage
from newsarchive.storage.spool import Spool


def closed_file(spool: Spool, key: str, data: bytes = b"data") -> Path:
    path = spool.path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_uploaded_file_leaves_the_spool(tmp_path):
    spool = Spool(tmp_path / "spool", LocalStorage(tmp_path / "archive"))
    path = closed_file(spool, "warc/a.warc.gz")
    uploaded = spool.submit("warc/a.warc.gz").result()
    assert uploaded.sent and uploaded.size == 4
    assert not path.exists()
    assert (tmp_path / "archive/warc/a.warc.gz").read_bytes() == b"data"


def test_failed_upload_keeps_the_file_and_reports_where(tmp_path):
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the archive folder should be")
    spool = Spool(tmp_path / "spool", LocalStorage(blocker), attempts=2, backoff=0.01)
    path = closed_file(spool, "warc/a.warc.gz")
    assert spool.submit("warc/a.warc.gz").result() is None
    errors = spool.close()
    assert path.exists()
    assert len(errors) == 1 and f"kept at {path}" in errors[0]


def test_pending_lists_closed_files_but_never_open_ones(tmp_path):
    spool = Spool(tmp_path / "spool", LocalStorage(tmp_path / "archive"))
    closed_file(spool, "warc/done.warc.gz")
    open_path = spool.open_path_for("warc/writing.warc.gz")
    open_path.parent.mkdir(parents=True)
    open_path.write_bytes(b"half")
    assert spool.pending() == ["warc/done.warc.gz"]


def test_drain_uploads_what_an_earlier_run_left(tmp_path):
    left = Spool(tmp_path / "spool", LocalStorage(tmp_path / "archive"))
    closed_file(left, "articles/x.jsonl.gz")
    left.close()
    later = Spool(tmp_path / "spool", LocalStorage(tmp_path / "archive"))
    assert [u.key for u in later.drain()] == ["articles/x.jsonl.gz"]
    assert later.pending() == []


def test_files_of_a_live_crawl_are_never_taken_as_abandoned(tmp_path):
    live = Spool(tmp_path / "spool", LocalStorage(tmp_path / "archive"), owner="crawl-a")
    path = live.open_path_for("warc/a.warc.gz")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"being written")
    other = Spool(tmp_path / "spool", LocalStorage(tmp_path / "archive"), owner="crawl-b")
    assert other.abandoned() == []
    live._owner_lock.close()  # the crawl dies without closing anything
    assert other.abandoned() == [("warc/a.warc.gz", path)]


def test_a_file_is_given_up_after_the_deadline_and_later_files_wait_for_the_next_run(tmp_path):
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the archive folder should be")
    spool = Spool(tmp_path / "spool", LocalStorage(blocker), attempts=10, backoff=0.2, deadline=0.5)
    closed_file(spool, "warc/a.warc.gz")
    assert spool.submit("warc/a.warc.gz").result() is None  # tried at 0 s and 0.2 s
    closed_file(spool, "warc/b.warc.gz")
    assert spool.submit("warc/b.warc.gz").result() is None  # storage is down: not tried
    errors = spool.close()
    assert errors[0].split("(after ")[1].split(";")[0] == "2 attempts"
    assert errors[1] == (
        "warc/b.warc.gz not attempted: the storage failed earlier in this run "
        f"(kept at {tmp_path / 'spool/warc/b.warc.gz'})"
    )
    assert spool.pending() == ["warc/a.warc.gz", "warc/b.warc.gz"]
