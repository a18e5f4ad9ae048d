"""The single-machine scheduler's queue folder: one per run, and the folders of runs that
were killed are cleared by the next run."""

from __future__ import annotations

import subprocess
import sys

from crawler.scheduler import run_folder


def test_each_run_gets_a_folder_named_for_its_process(tmp_path):
    first, second = run_folder(tmp_path), run_folder(tmp_path)
    assert first != second
    assert all(name.split("/")[-1].startswith("run-") for name in (first, second))


def test_the_folder_of_a_killed_run_is_removed_and_a_live_one_kept(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = tmp_path / f"run-{finished.stdout.strip()}-abc"
    (dead / "requests.queue").mkdir(parents=True)
    live = run_folder(tmp_path)
    mine = run_folder(tmp_path)
    assert not dead.exists()
    assert {p.name for p in tmp_path.iterdir()} == {live.split("/")[-1], mine.split("/")[-1]}
