"""Text from the archive cannot drive the reader's terminal: escape sequences and
bidirectional overrides in titles, statuses and problems are printed as visible escapes;
JSON output keeps the data as it is."""

from __future__ import annotations

import json
import subprocess

from corpus.terminal import printable
from tests.conftest import BIN, ROOT
from tests.test_manifest_reading import record, write_run

HOSTILE = "Title\x1b]0;owned\x07 \x1b[2J\u202egnp.exe"


def newsarchive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "newsarchive"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_control_and_bidi_characters_become_visible_escapes():
    assert printable(HOSTILE) == "Title\\x1b]0;owned\\x07 \\x1b[2J\\u202egnp.exe"
    assert printable("line one\n\tline two, 中文") == "line one\n\tline two, 中文"


def test_show_prints_a_hostile_title_escaped(tmp_path):
    write_run(tmp_path, lost_upload=False, records=[{**record(1), "title": HOSTILE, "text": "x"}])
    shown = newsarchive("show", "--archive", str(tmp_path / "archive"), record(1)["id"])
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == "Title\\x1b]0;owned\\x07 \\x1b[2J\\u202egnp.exe"
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout


def test_show_json_keeps_the_title_as_it_is(tmp_path):
    write_run(tmp_path, lost_upload=False, records=[{**record(1), "title": HOSTILE, "text": "x"}])
    shown = newsarchive("show", "--json", "--archive", str(tmp_path / "archive"), record(1)["id"])
    assert json.loads(shown.stdout)["title"] == HOSTILE


def test_runs_prints_a_hostile_status_escaped(tmp_path):
    storage, key = write_run(tmp_path, lost_upload=False)
    manifest = json.loads(storage.get_bytes(key))
    storage.put_bytes(json.dumps({**manifest, "status": "\x1b[2Jfinished"}).encode(), key)
    runs = newsarchive("runs", "--archive", str(tmp_path / "archive"))
    assert "\x1b" not in runs.stdout
    assert "\\x1b[2Jfinished" in runs.stdout
