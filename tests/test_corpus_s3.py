"""The corpus commands against SeaweedFS, an S3-compatible server boto3 talks HTTP to:
the same answers as from a local folder, partitions chosen from the manifests (no
listing beyond them), raw captures read by range request."""

from __future__ import annotations

import os
import subprocess
from collections import Counter

import pytest

from corpus import show
from corpus.download import download
from corpus.reader import ArchiveReader
from corpus.selection import Selection
from newsarchive.storage.local import LocalStorage
from newsarchive.storage.s3 import S3Storage
from tests import corpus_archive
from tests.conftest import BIN, ROOT
from tests.test_corpus_commands import CHINADAILY_2023

pytestmark = [pytest.mark.e2e, pytest.mark.s3]


@pytest.fixture(scope="module")
def archives(versioned_archive, s3_env):
    """(local archive folder, S3 storage holding a byte-for-byte copy of it)."""
    local = LocalStorage(versioned_archive)
    saved = {k: os.environ.get(k) for k in s3_env if k != "bucket"}
    os.environ.update({k: v for k, v in s3_env.items() if k != "bucket"})
    remote = S3Storage(s3_env["bucket"], f"corpus-{os.getpid()}")
    corpus_archive.copy_to(local, remote)
    yield local, remote
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def calls(storage: S3Storage) -> Counter:
    """What the client asks the server, counted by operation and prefix or range."""
    seen: Counter = Counter()

    def record(params, model, **_):
        if model.name == "ListObjectsV2":
            seen[("list", params.get("Prefix", "").split("/", 1)[-1])] += 1
        elif model.name == "GetObject":
            seen[("range" if "Range" in params else "get", params["Key"])] += 1

    storage.client.meta.events.register("provide-client-params.s3.*", record)
    return seen


def cli(s3_env, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **{k: v for k, v in s3_env.items() if k != "bucket"}}
    return subprocess.run(
        [str(BIN / "newsarchive"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_download_from_s3_equals_download_from_the_folder(archives, s3_env, tmp_path):
    local, remote = archives
    args = ("--source", "ecns", "--all-versions", "--no-progress")
    a = cli(s3_env, "download", "--archive", remote.uri, "--out", str(tmp_path / "s3"), *args)
    b = cli(s3_env, "download", "--archive", str(local.root), "--out", str(tmp_path / "fs"), *args)
    assert a.returncode == b.returncode == 0, a.stderr
    assert (tmp_path / "s3/articles.jsonl").read_bytes() == (
        tmp_path / "fs/articles.jsonl"
    ).read_bytes()


def test_download_reads_only_the_selected_partitions(archives, tmp_path):
    _, remote = archives
    storage = S3Storage(remote.bucket, remote.prefix)
    seen = calls(storage)
    selection = Selection(sources=["chinadaily"])
    download(ArchiveReader(storage), selection, tmp_path, progress_bar=False)
    gets = sorted(key.split("/", 1)[1] for (op, key) in seen if op == "get")
    assert [key for (op, key) in seen if op == "list"] == ["runs/"]
    assert [g for g in gets if not g.startswith("runs/")] == sorted(
        o.key for o in remote.list("articles/source=chinadaily/")
    )


def test_show_raw_reads_one_record_by_range_request(archives):
    _, remote = archives
    storage = S3Storage(remote.bucket, remote.prefix)
    reader = ArchiveReader(storage)
    record = show.find(reader, CHINADAILY_2023[0], ["chinadaily"])
    seen = calls(storage)
    raw = show.raw_response(reader, record)
    warc_key = f"{remote.prefix}/{record['warc']['filename']}"
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert seen == Counter({("range", warc_key): 1})


def test_stats_from_s3_equal_stats_from_the_folder(archives, s3_env):
    local, remote = archives
    a = cli(s3_env, "stats", "--archive", remote.uri, "--json")
    b = cli(s3_env, "stats", "--archive", str(local.root), "--json")
    import json

    stats_a, stats_b = json.loads(a.stdout), json.loads(b.stdout)
    assert stats_a.pop("archive") == remote.uri
    stats_b.pop("archive")
    assert stats_a == stats_b


def test_verify_on_s3_catches_an_overwritten_object(archives, s3_env, tmp_path):
    local, _ = archives
    damaged = S3Storage(s3_env["bucket"], f"damaged-{os.getpid()}")
    corpus_archive.copy_to(local, damaged)
    victim = sorted(o.key for o in damaged.list("articles/source=cgtn/"))[0]
    damaged.put_bytes(b"not what the manifest says", victim)
    result = cli(s3_env, "verify", "--archive", damaged.uri)
    assert result.returncode == 1
    assert result.stdout.startswith(f"PROBLEM  {victim}: content differs from the manifest")
    assert "Traceback" not in result.stderr


def test_a_missing_bucket_says_so(s3_env, tmp_path):
    result = cli(s3_env, "stats", "--archive", "s3://no-such-bucket-here/x")
    assert result.returncode == 2
    assert result.stderr == "newsarchive stats: bucket 'no-such-bucket-here' does not exist\n"


def test_anonymous_reading_of_a_private_bucket_is_refused_clearly(archives, s3_env):
    _, remote = archives
    result = cli(s3_env, "stats", "--archive", remote.uri, "--no-sign-request")
    assert result.returncode == 2
    assert result.stderr.startswith(f"newsarchive stats: access to bucket '{remote.bucket}' denied")
    assert s3_env["AWS_SECRET_ACCESS_KEY"] not in result.stderr
