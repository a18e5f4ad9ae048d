"""Extraction workers die with the crawl, however it dies: a `kill -9` of the crawl
process leaves no worker (and no multiprocessing resource tracker) behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The crawl's own pool (pipelines.pool.make_pool), with its workers started, in a
# process that then waits to be killed.
CRAWL = """
import os, sys
from pipelines.pool import make_pool
pool = make_pool(2)
for future in [pool.submit(os.getpid) for _ in range(8)]:
    future.result()
print("ready", flush=True)
sys.stdin.read()
"""


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pids: set[int]) -> set[int]:
    still = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            still.add(pid)
    return still


def left_behind(pids: set[int], seconds: float) -> set[int]:
    """The processes of ``pids`` still alive after ``seconds`` (killed then, so that a
    failing test leaves nothing running either)."""
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = alive(pids)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def test_killing_the_crawl_process_leaves_no_extraction_worker_behind():
    crawl = subprocess.Popen(
        [sys.executable, "-c", CRAWL],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert crawl.stdout is not None and crawl.stdout.readline() == "ready\n"
    helpers = children(crawl.pid)
    assert len(helpers) >= 2  # the two workers (and the resource tracker)
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait()
    assert left_behind(helpers, seconds=15) == set()
