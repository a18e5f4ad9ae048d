"""A hostile archive cannot make the read side write outside the folder it was given.

The keys a download writes to come from run manifests and the WARC file names from
article records: content of the archive, which may be a public bucket somebody else
controls. These tests build such a bucket (a folder, and the same on SeaweedFS over
HTTP), run ``newsarchive download`` as a researcher would, and look at the disk."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from newsarchive.archive import layout
from tests.conftest import BIN, ROOT

GOOD_KEY = "articles/source=ecns/date=2024-01-02/20240102T000000Z-ecns-host-1-0001.jsonl.gz"
WARC_KEY = "warc/source=ecns/date=2024-01-02/newsarchive-ecns-20240102000000-00001-h-1-ab.warc.gz"
CLIMBING_KEY = "articles/source=ecns/date=2024-01-02/../../../../.ssh/authorized_keys"
CLIMBING_WARC = "warc/source=ecns/date=2024-01-02/../../../../escape.warc.gz"


def _record(n: int, warc_filename: str) -> dict:
    return {
        "id": f"{n:064x}",
        "url": f"https://www.ecns.cn/news/politics/2024-01-02/detail-ihc{n}.shtml",
        "source": "ecns",
        "language": "en",
        "title": f"Article {n}",
        "text": "A paragraph.",
        "published": "2024-01-02T10:00:00+08:00",
        "fetched_at": "2024-01-02T03:00:00Z",
        "version": 1,
        "warc": {
            "filename": warc_filename,
            "offset": 0,
            "length": 100,
            "record_id": f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",
        },
    }


def hostile_archive() -> dict[str, bytes]:
    """Key -> bytes: one honest article file whose second record points its WARC name up
    and out, a manifest that also lists a key climbing out of the partition (and the
    attacker's file at that key), and nothing else."""
    records = [_record(1, WARC_KEY), _record(2, CLIMBING_WARC)]
    article_file = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode(), mtime=0)
    payload = b"ssh-ed25519 AAAA attacker\n"

    def entry(key: str, data: bytes) -> dict:
        return {
            "key": key,
            "kind": "articles",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "records": 2,
        }

    manifest = {
        "crawl_id": "20240102T000000Z-ecns-host-1",
        "source": "ecns",
        "started_at": "2024-01-02T00:00:00Z",
        "status": "finished",
        "files": [entry(GOOD_KEY, article_file), entry(CLIMBING_KEY, payload)],
    }
    return {
        GOOD_KEY: article_file,
        CLIMBING_KEY: payload,
        "runs/20240102T000000Z-ecns-host-1.json": json.dumps(manifest).encode(),
    }


def download(archive: str, out: Path, *args: str, env: dict | None = None):
    command = [str(BIN / "newsarchive"), "download", "--archive", archive, "--out", str(out)]
    return subprocess.run(
        [*command, "--source", "ecns", "--no-progress", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# the layout's grammar -----------------------------------------------------------------


def test_the_keys_the_writers_build_parse_back():
    key = layout.article_key("ecns", "2024-01-02", "20240102T000000Z-ecns-host-1", 1)
    assert key == GOOD_KEY
    name = "20240102T000000Z-ecns-host-1-0001.jsonl.gz"
    assert layout.parse(key) == layout.Key("articles", "ecns", date(2024, 1, 2), name)
    assert layout.parse(WARC_KEY, kind="warc").source == "ecns"


@pytest.mark.parametrize(
    "key",
    [
        CLIMBING_KEY,
        CLIMBING_WARC,
        "/etc/cron.d/x.jsonl.gz",
        "articles/source=ecns/date=2024-01-02/..",
        "articles/source=ecns/date=2024-01-02/a/../../b.jsonl.gz",
        "articles/source=ecns/date=2024-01-02/a\\..\\b.jsonl.gz",
        "articles/source=ecns/date=2024-01-02/a\x00.jsonl.gz",
        "articles/source=../date=2024-01-02/a.jsonl.gz",
        "articles/source=ecns/date=2024-13-40/a.jsonl.gz",
        "articles/source=ecns/date=2024-01-02/a.exe",
        "runs/x.json",
        None,
        42,
    ],
)
def test_a_key_outside_the_grammar_is_refused(key):
    with pytest.raises(layout.BadKey):
        layout.parse(key)


def test_a_path_that_resolves_outside_its_folder_is_refused(tmp_path):
    os.symlink("/tmp", tmp_path / "link")
    for relative in ("../x", "/x", "link/x", "a/../../x", ""):
        with pytest.raises(layout.BadKey):
            layout.inside(tmp_path, relative)
    assert layout.inside(tmp_path, "a/b") == tmp_path.resolve() / "a/b"


# download from a hostile archive ------------------------------------------------------


@pytest.fixture
def hostile_folder(tmp_path) -> Path:
    root = tmp_path / "bucket" / "archive"
    for key, data in hostile_archive().items():
        path = Path(os.path.normpath(root / key))  # where a naive writer put it
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_download_refuses_a_manifest_key_that_climbs_out(hostile_folder, tmp_path):
    out = tmp_path / "work" / "out"
    before = files_under(tmp_path)
    result = download(str(hostile_folder), out)
    assert result.returncode == 1, result.stderr
    assert "entry refused" in result.stdout + result.stderr
    assert CLIMBING_KEY in result.stdout + result.stderr
    written = files_under(tmp_path) - before
    assert all(p.startswith("work/out/") for p in written), written
    assert not (tmp_path / "work" / ".ssh").exists()


def test_download_keeps_the_honest_file_of_a_hostile_manifest(hostile_folder, tmp_path):
    out = tmp_path / "out"
    download(str(hostile_folder), out)
    assert (out / "archive-files" / GOOD_KEY).is_file()
    rows = [json.loads(line) for line in (out / "articles.jsonl").open()]
    assert [r["title"] for r in rows] == ["Article 1", "Article 2"]


def test_with_warc_refuses_a_warc_name_that_climbs_out(hostile_folder, tmp_path):
    out = tmp_path / "work" / "out"
    before = files_under(tmp_path)
    result = download(str(hostile_folder), out, "--with-warc")
    assert result.returncode == 1
    assert "WARC pointer refused" in result.stdout + result.stderr
    written = files_under(tmp_path) - before
    assert all(p.startswith("work/out/") for p in written), written
    assert not (tmp_path / "escape.warc.gz").exists()
    assert not (tmp_path / "work" / "escape.warc.gz").exists()


def test_verify_reports_the_refused_entry_as_a_problem(hostile_folder):
    result = subprocess.run(
        [str(BIN / "newsarchive"), "verify", "--archive", str(hostile_folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "entry refused" in result.stdout


@pytest.mark.s3
def test_a_hostile_public_bucket_cannot_write_outside_out(s3_storage, s3_env, tmp_path):
    for key, data in hostile_archive().items():
        if key != CLIMBING_KEY:  # SeaweedFS refuses to store it (AWS S3 would not)
            s3_storage.put_bytes(data, key)
    env = {**os.environ, **{k: v for k, v in s3_env.items() if k != "bucket"}}
    out = tmp_path / "work" / "out"
    before = files_under(tmp_path)
    result = download(s3_storage.uri, out, "--with-warc", env=env)
    assert result.returncode == 1, result.stderr
    output = result.stdout + result.stderr
    assert "entry refused" in output and "WARC pointer refused" in output
    written = files_under(tmp_path) - before
    assert all(p.startswith("work/out/") for p in written), written
    assert (out / "archive-files" / GOOD_KEY).is_file()
