"""Long phases show progress on a terminal, and never in a log or a pipe (cron mail and
captured output stay clean)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios

from tests.conftest import BIN, ROOT
from tests.test_manifest_reading import write_run


def on_a_terminal(*args: str) -> tuple[int, str]:
    """The command with its stderr on a pseudo-terminal, as a person at a shell has it."""
    main, other = pty.openpty()
    fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    done = subprocess.run(
        [str(BIN / "newsarchive"), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=other,
        timeout=120,
    )
    os.close(other)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal's other end is closed: all is read
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    return done.returncode, seen.decode("utf-8", "replace")


def test_verify_draws_a_bar_of_bytes_checked_on_a_terminal(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    code, seen = on_a_terminal("verify", "--archive", storage.uri)
    assert code == 0
    assert re.search(r"\rverify: +\d+%\|.*\| [\d.]+/442 \[", seen), seen  # 442 bytes to check


def test_download_draws_its_bars_on_a_terminal(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    out = str(tmp_path / "out")
    code, seen = on_a_terminal("download", "--archive", storage.uri, "--out", out)
    assert code == 0
    assert re.search(r"\rarticle files: +\d+%\|", seen), seen


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    done = subprocess.run(
        [str(BIN / "newsarchive"), "verify", "--archive", storage.uri],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_no_progress_turns_the_bar_off_on_a_terminal(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    code, seen = on_a_terminal("verify", "--archive", storage.uri, "--no-progress")
    assert (code, seen) == (0, "")
