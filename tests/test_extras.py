"""What is optional says so: without newsarchive[parquet], [wacz], [distributed] or
[report], the commands that need them say which extra to install, in one line, and
everything else works. (A package is made missing the way Python itself reports one: a None entry in
sys.modules makes every import of it fail.)"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT
from tests.test_manifest_reading import write_run

CLI = "import sys; from corpus.cli import main; sys.exit(main(sys.argv[1:]))"


def without(modules: list[str], code: str, *args: str, env: dict | None = None):
    blocked = f"import sys\nfor m in {modules!r}: sys.modules[m] = None\n"
    return subprocess.run(
        [sys.executable, "-c", blocked + code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_a_parquet_download_without_pyarrow_names_the_extra(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    out = str(tmp_path / "out")
    args = ("download", "--archive", storage.uri, "--out", out, "--format", "parquet")
    done = without(["pyarrow"], CLI, *args)
    assert done.returncode == 2
    assert done.stderr == (
        "newsarchive download: Parquet needs pyarrow: pip install 'newsarchive[parquet]'\n"
    )


def test_a_jsonl_or_csv_download_needs_no_pyarrow(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    for fmt in ("jsonl", "csv"):
        out = str(tmp_path / fmt)
        args = ("download", "--archive", storage.uri, "--out", out, "--format", fmt)
        done = without(["pyarrow"], CLI, *args, "--no-progress")
        assert done.returncode == 0, done.stderr
        assert (tmp_path / fmt / f"articles.{fmt}").is_file()


def test_a_wacz_without_py_wacz_names_the_extra(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    out = str(tmp_path / "out")
    done = without(["wacz"], CLI, "download", "--archive", storage.uri, "--out", out, "--wacz")
    assert done.returncode == 2
    assert done.stderr == (
        "newsarchive download: --wacz needs py-wacz: pip install 'newsarchive[wacz]'\n"
    )


def test_a_distributed_crawl_without_scrapy_redis_names_the_extra(tmp_path):
    import os

    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "settings.distributed"}
    scrapy = "import sys; from scrapy.cmdline import execute; execute(['scrapy', *sys.argv[1:]])"
    done = without(["scrapy_redis", "redis"], scrapy, "crawl", "ecns", env=env)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "newsarchive: distributed crawling needs scrapy-redis and redis: "
        "pip install 'newsarchive[distributed]'"
    )


def test_a_single_process_crawl_lists_its_commands_without_scrapy_redis():
    scrapy = "import sys; from scrapy.cmdline import execute; execute(['scrapy', *sys.argv[1:]])"
    done = without(["scrapy_redis", "redis"], scrapy, "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["cgtn", "chinadaily", "chinaorgcn", "copysite", "ecns", "xinhua"]


def test_a_report_without_matplotlib_names_the_extra(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False)
    out = str(tmp_path / "out")
    done = without(["matplotlib"], CLI, "report", "--archive", storage.uri, "--out", out)
    assert done.returncode == 2
    assert done.stderr == (
        "newsarchive report: the plots need matplotlib: pip install 'newsarchive[report]'\n"
    )
