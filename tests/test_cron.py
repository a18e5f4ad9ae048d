"""The cron wrapper: one crawl at a time, a log per run, only the newest logs kept."""

from __future__ import annotations

import fcntl
import os
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def cron_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env.update(
        LOG_DIR=str(tmp_path / "logs"),
        SOURCES="copysite",
        REPLAY="1",
        ARCHIVE_URI=str(tmp_path / "archive"),
        NEWSARCHIVE_SPOOL=str(tmp_path / "spool"),
        NEWSARCHIVE_STATE=str(tmp_path / "state"),
        **extra,
    )
    return env


def test_a_run_is_logged_and_old_logs_are_pruned(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    for n in range(5):
        old = logs / f"crawl-2026010{n}T000000Z.log"
        old.write_text("old\n")
        os.utime(old, (1_700_000_000 + n, 1_700_000_000 + n))
    result = subprocess.run(
        [str(ROOT / "deploy/cron-crawl.sh")],
        env=cron_env(tmp_path, KEEP_LOGS="2"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0
    kept = sorted(p.name for p in logs.glob("crawl-*.log"))
    assert len(kept) == 2 and "crawl-20260104T000000Z.log" in kept
    newest = max(logs.glob("crawl-*.log"), key=lambda p: p.stat().st_mtime)
    text = newest.read_text()
    assert "crawl: copysite    exit 0" in text and text.rstrip().endswith("exit 0")


def test_a_run_never_overlaps_the_previous_one(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    with (logs / ".crawl.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a crawl is running
        result = subprocess.run(
            [str(ROOT / "deploy/cron-crawl.sh")],
            env=cron_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0
    assert "previous crawl still running; skipped" in (logs / "skipped.log").read_text()
    assert list(logs.glob("crawl-*.log")) == []
