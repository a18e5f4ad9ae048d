"""The cron wrapper: one crawl at a time, a log per run, only the newest logs kept, silent
when all is well and a summary when not (cron mails exactly then), a status file for
monitoring, and never a package installed."""

from __future__ import annotations

import fcntl
import os
import subprocess
import time

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def cron_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env.update(
        {
            "LOG_DIR": str(tmp_path / "logs"),
            "SOURCES": "copysite",
            "REPLAY": "1",
            "ARCHIVE_URI": str(tmp_path / "archive"),
            "NEWSARCHIVE_SPOOL": str(tmp_path / "spool"),
            "NEWSARCHIVE_STATE": str(tmp_path / "state"),
            "RUN_DIR": str(tmp_path / "run"),
            **extra,
        }
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


def cron(tmp_path, **extra):
    return subprocess.run(
        [str(ROOT / "deploy/cron-crawl.sh")],
        env=cron_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def metrics(tmp_path) -> dict[str, str]:
    lines = (tmp_path / "logs" / "newsarchive.prom").read_text().splitlines()
    return dict(line.rsplit(" ", 1) for line in lines if not line.startswith("#"))


def test_a_run_in_which_every_source_finished_prints_nothing(tmp_path):
    result = cron(tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_run_with_a_failed_source_prints_a_summary_with_the_reason(tmp_path):
    result = cron(tmp_path, SOURCES="nosuch copysite")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("newsarchive crawl on ") and " exit 1 (full log: " in lines[0]
    assert any(line.startswith("crawl: nosuch      exit 1 in ") for line in lines)
    assert "  newsarchive: unknown source 'nosuch'; sources: " in result.stdout
    assert any(line.startswith("crawl: copysite    exit 0 in ") for line in lines)


def test_the_status_file_gives_each_source_s_exit_and_keeps_the_last_good_run(tmp_path):
    cron(tmp_path)
    good = metrics(tmp_path)
    assert good['newsarchive_crawl_exit_code{source="copysite"}'] == "0"
    assert good["newsarchive_crawl_last_exit_code"] == "0"
    assert (
        good["newsarchive_crawl_last_success_timestamp_seconds"]
        == good["newsarchive_crawl_last_run_timestamp_seconds"]
    )
    cron(tmp_path, SOURCES="nosuch")
    bad = metrics(tmp_path)
    assert bad['newsarchive_crawl_exit_code{source="nosuch"}'] == "1"
    assert bad["newsarchive_crawl_last_exit_code"] == "1"
    assert (
        bad["newsarchive_crawl_last_success_timestamp_seconds"]
        == good["newsarchive_crawl_last_success_timestamp_seconds"]
    )


def test_a_changed_pyproject_is_reported_and_nothing_is_installed(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "bin").symlink_to(ROOT / ".venv" / "bin")
    installed = venv / ".installed"
    installed.touch()
    os.utime(installed, (1_000_000_000, 1_000_000_000))  # before pyproject.toml's last change
    result = cron(tmp_path, VENV=str(venv))
    assert result.returncode == 0
    assert result.stdout.startswith(
        "newsarchive cron: pyproject.toml changed since the last 'make setup';"
    )
    log = max((tmp_path / "logs").glob("crawl-*.log")).read_text()
    assert "pip" not in log and "make" not in log
    assert installed.stat().st_mtime == 1_000_000_000


def test_each_source_keeps_its_last_scrapy_logs_only(tmp_path):
    for _ in range(3):
        cron(tmp_path, KEEP_SOURCE_LOGS="1")
    kept = sorted(p.name for p in (tmp_path / "run").glob("crawl-copysite.log*"))
    assert kept == ["crawl-copysite.log", "crawl-copysite.log.1"]


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


def test_a_crawl_holding_the_lock_for_too_long_is_reported_and_the_skip_exits_1(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / ".crawl.started").write_text(f"{int(time.time()) - 7 * 3600}\n")  # 7 h ago
    with (logs / ".crawl.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a crawl hung since then
        result = cron(tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("newsarchive cron: the crawl started ")
    assert "this run was skipped (is it stuck?" in result.stdout
    assert list(logs.glob("crawl-*.log")) == []
