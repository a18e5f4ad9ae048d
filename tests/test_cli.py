"""The newsarchive command, run as a researcher runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, SEEDS

NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")
ECNS_URL = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSARCHIVE, *args], input=stdin, capture_output=True)


def test_extract_text_prints_the_clean_paragraphs():
    result = run(
        "extract",
        str(FIXTURES / "reconstructed/ecns-004.html"),
        "--url",
        ECNS_URL,
        "--format",
        "text",
    )
    body = json.loads(next((SEEDS / "expected").glob("004_*.json")).read_text())["body"]
    assert result.returncode == 0
    assert result.stdout.decode().strip() == "\n\n".join(body)


def test_extract_reads_standard_input_and_prints_json():
    html = (FIXTURES / "reconstructed/ecns-004.html").read_bytes()
    record = json.loads(run("extract", "-", "--url", ECNS_URL, stdin=html).stdout)
    assert (record["source"], record["editor"], record["agency"]) == (
        "ecns",
        "Chen Tianhao",
        "CGTN",
    )


def test_extract_does_not_import_scrapy():
    code = (
        "import sys; from corpus.cli import main; "
        f"main(['extract', {str(FIXTURES / 'reconstructed/ecns-004.html')!r}, '--url', "
        f"{ECNS_URL!r}, '--format', 'text']); print('scrapy' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "False"


def test_extract_of_a_missing_file_is_a_clear_error():
    result = run("extract", "nope.html", "--url", ECNS_URL)
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "newsarchive: nope.html: no such file"


def test_runs_on_a_missing_archive_says_so(tmp_path):
    result = run("runs", "--archive", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "no archive at" in result.stderr.decode()


def test_runs_on_an_empty_archive(tmp_path):
    result = run("runs", "--archive", str(tmp_path))
    assert result.stdout.decode().strip() == f"no runs in {tmp_path}"


def test_version_is_the_one_version_of_the_distribution():
    from importlib.metadata import version

    from newsarchive import __version__

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.decode() == f"newsarchive {__version__}\n"
    assert version("newsarchive") == __version__
