"""The Makefile's own promises, read from what make would run (``make -n``)."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT


def test_make_clean_removes_the_crawl_state_with_the_archive():
    # A crawl state left without its archive calls every article already archived: the
    # next `make demo` archived 0 articles and wrote revisits to WARC files just deleted.
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "clean"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    removed = next(line for line in done.stdout.splitlines() if line.startswith("rm -rf "))
    assert set(removed.split()[2:]) == {".run", ".spool", "archive", "state"}
