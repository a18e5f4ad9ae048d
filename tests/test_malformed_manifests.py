"""A run manifest with missing fields or fields of the wrong type (a hostile or
hand-edited archive) is named as a problem by every command, never a traceback, and
the archive's other runs are still read."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import BIN, ROOT
from tests.test_manifest_reading import write_run

BAD = {
    "counts-a-list": {
        "crawl_id": "x",
        "source": "ecns",
        "status": "finished",
        "started_at": "2026-11-01T00:00:00Z",
        "counts": [],
    },
    "no-source": {"crawl_id": "x", "status": "finished", "started_at": "2026-11-01T00:00:00Z"},
    "bad-time": {"crawl_id": "x", "source": "ecns", "status": "finished", "started_at": "soon"},
    "count-a-string": {
        "crawl_id": "x",
        "source": "ecns",
        "status": "finished",
        "started_at": "2026-11-01T00:00:00Z",
        "counts": {"articles": "9"},
    },
    "files-an-object": {
        "crawl_id": "x",
        "source": "ecns",
        "status": "finished",
        "started_at": "2026-11-01T00:00:00Z",
        "files": {"key": "x"},
    },
}
WHY = {
    "counts-a-list": "'counts' is a list, not a dict",
    "no-source": "no 'source'",
    "bad-time": "started_at 'soon' is not a time",
    "count-a-string": "counts.articles is not a count",
    "files-an-object": "'files' is a dict, not a list",
}


@pytest.fixture(params=sorted(BAD))
def archive(request, tmp_path):
    write_run(tmp_path, lost_upload=False)
    (tmp_path / "archive/runs/bad.json").write_text(json.dumps(BAD[request.param]))
    return str(tmp_path / "archive"), request.param


def newsarchive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "newsarchive"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", [["stats"], ["verify"], ["runs"], ["report", "--out", "{tmp}"]])
def test_every_command_names_the_bad_manifest_and_exits_1(archive, command, tmp_path):
    uri, case = archive
    args = [a.replace("{tmp}", str(tmp_path / "report")) for a in command]
    done = newsarchive(*args, "--archive", uri)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"runs/bad.json: malformed run manifest: {WHY[case]}" in done.stdout + done.stderr


def test_download_and_show_still_read_the_good_runs(archive, tmp_path):
    uri, _ = archive
    got = newsarchive("download", "--archive", uri, "--out", str(tmp_path / "out"))
    assert "Traceback" not in got.stderr
    assert "wrote 2 articles" in got.stdout
    shown = newsarchive("show", "--archive", uri, "00000000000000000001")
    assert shown.returncode == 0, shown.stderr
