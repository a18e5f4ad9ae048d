"""`scrapy crawl` checks its source and -a arguments before anything starts: a mistake is
one line on stderr and exit 1, never a traceback, never a crawl run with the argument
silently dropped."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from crawler.spiders.discovery import DiscoverySpider
from tests.conftest import BIN, ROOT


def crawl(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {"ARCHIVE_URI": str(tmp_path / "archive"), "PATH": str(BIN)}
    return subprocess.run(
        [str(BIN / "scrapy"), "crawl", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["ecns", "-a", "sinse=2023-01-01"],
            "newsarchive: unknown spider argument -a sinse; a crawl takes -a since, -a until, "
            "-a limit, -a capture_unmatched, -a revisit_only",
        ),
        (
            ["ecns", "-a", "revisit_only=maybe"],
            "newsarchive: -a revisit_only='maybe': expected 1 or 0",
        ),
        (
            ["ecns", "-a", "since=2023-13-01"],
            "newsarchive: -a since='2023-13-01' is not a date: expected YYYY-MM-DD "
            "(or YYYY-MM, or YYYY)",
        ),
        (
            ["nosuch"],
            "newsarchive: unknown source 'nosuch'; sources: cgtn, chinadaily, chinaorgcn, "
            "copysite, ecns, xinhua",
        ),
    ],
)
def test_a_mistake_is_one_line_and_exit_1(tmp_path, args, line):
    done = crawl(tmp_path, *args)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == line
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "archive").exists()


def test_dates_take_the_forms_download_takes():
    # -a since=2023 was refused though `newsarchive download --since 2023` accepts it.
    assert DiscoverySpider.check_arguments({"since": "2023", "until": "2023-05"}) == (
        date(2023, 1, 1),
        date(2023, 5, 31),
        None,
        False,
    )


def test_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match=r"^-a since=2024 is after -a until=2023$"):
        DiscoverySpider.check_arguments({"since": "2024", "until": "2023"})


def test_a_revisit_schedule_that_is_not_durations_stops_the_crawl_before_it_starts(tmp_path):
    env = {"ARCHIVE_URI": str(tmp_path / "archive"), "PATH": str(BIN)}
    done = subprocess.run(
        [str(BIN / "scrapy"), "crawl", "ecns"],
        cwd=ROOT,
        env={**env, "NEWSARCHIVE_REVISIT_SCHEDULE": "1h,3 hours"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "newsarchive: NEWSARCHIVE_REVISIT_SCHEDULE: revisit schedule '1h,3 hours': "
        "'3 hours' is not a duration such as 30m, 3h or 7d"
    )
    assert not (tmp_path / "archive").exists()
