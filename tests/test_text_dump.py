"""The cleaner on the seed text dumps themselves: each gives exactly its expected body."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.text import clean_lines
from tests.conftest import SEEDS

DUMPS = sorted(SEEDS.glob("*.txt"))


def expected(dump: Path) -> dict:
    return json.loads((SEEDS / "expected" / f"{dump.stem}.json").read_text())


@pytest.mark.parametrize("dump", DUMPS, ids=lambda p: p.stem[:3])
def test_text_dump_gives_exactly_the_expected_body(dump):
    result = clean_lines(dump.read_text(encoding="utf-8").splitlines())
    assert result["paragraphs"] == expected(dump)["body"]


@pytest.mark.parametrize("dump", DUMPS, ids=lambda p: p.stem[:3])
def test_text_dump_captions_leave_the_body_with_credit(dump):
    result = clean_lines(dump.read_text(encoding="utf-8").splitlines())
    assert result["captions"] == expected(dump)["captions"]


def test_text_dump_metadata_lines_become_facts():
    ecns = clean_lines((SEEDS / "004_7a75cd15b2bc87c6.txt").read_text().splitlines())
    assert (ecns["published"], ecns["agency"], ecns["editor"]) == (
        "2023-02-04T15:13:19+08:00",
        "CGTN",
        "Chen Tianhao",
    )
    daily = clean_lines((SEEDS / "000_402265123e2b644f.txt").read_text().splitlines())
    assert (daily["updated"], daily["agency"], daily["dateline"]) == (
        "2023-07-14T09:55:00+08:00",
        "Xinhua",
        "BEIJING",
    )


def test_extract_command_takes_a_text_dump():
    dump = SEEDS / "002_9b172b9e3c9ab060.txt"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "newsarchive"),
            "extract",
            str(dump),
            "--url",
            "http://www.china.org.cn/world/2023-05/25/content_85311924.htm",
            "--format",
            "text",
        ],
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "\n\n".join(expected(dump)["body"])
