"""An article file holding a record of gigabytes (a few hundred KB compressed) is read no
further than the largest record the writer makes: the read side skips the file and
says so, and keeps the others."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess

import pytest

from newsarchive.archive.article_files import MAX_RECORD_BYTES, OversizedRecord, read_records
from tests.conftest import BIN, ROOT
from tests.test_manifest_reading import record, write_run


def bomb() -> bytes:
    """One JSON line of MAX_RECORD_BYTES + 1 MB, gzip-compressed to well under a MB."""
    line = b'{"id": "' + b"a" * (MAX_RECORD_BYTES + (1 << 20)) + b'"}\n'
    return gzip.compress(line, compresslevel=9)


def test_a_record_over_the_bound_stops_the_file_not_the_reader():
    with pytest.raises(OversizedRecord, match="record 1 is over 33,554,432 bytes"):
        list(read_records(bomb()))


@pytest.fixture
def hostile(tmp_path):
    """Two article files; the second replaced by the bomb, its manifest entry made to
    match (a hostile archive is consistent with itself)."""
    dated = [{**record(1), "published": "2024-01-01T10:00:00+08:00"}, record(2)]
    storage, key = write_run(tmp_path, lost_upload=False, records=dated)
    manifest = json.loads(storage.get_bytes(key))
    (entry,) = [
        f for f in manifest["files"] if "date=2024-01-02" in f["key"] and f["kind"] == "articles"
    ]
    data = bomb()
    storage.put_bytes(data, entry["key"])
    entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    storage.put_bytes(json.dumps(manifest).encode(), key)
    return str(tmp_path / "archive"), entry["key"]


def test_download_leaves_the_file_out_and_exits_1(hostile, tmp_path):
    uri, bad = hostile
    done = subprocess.run(
        [str(BIN / "newsarchive"), "download", "--archive", uri, "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    name = bad.rsplit("/", 1)[1]
    assert f"{name}: unreadable article file, left out (record 1 is over 33,554,432" in done.stderr
    assert [json.loads(x)["id"] for x in (tmp_path / "o/articles.jsonl").open()] == [
        record(1)["id"]
    ]


def test_show_finds_what_the_other_files_hold(hostile):
    uri, _ = hostile
    shown = subprocess.run(
        [str(BIN / "newsarchive"), "show", "--archive", uri, record(1)["id"]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("(no title)")
