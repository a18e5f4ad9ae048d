"""The distribution as a user installs it: a wheel built from the checkout, installed
into a fresh virtual environment, run from a folder outside the checkout."""

from __future__ import annotations

import json
import site
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT, SEEDS

ECNS_URL = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A venv holding only the built wheel; the dependencies come from the test venv's
    site-packages through a .pth line (so nothing is downloaded, and the checkout's
    editable install, a .pth *file* there, is not seen)."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp.glob("newsarchive-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (packages,) = (venv / "lib").glob("python3*/site-packages")
    (packages / "dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv, tmp


def test_the_installed_command_extracts_a_seed_page_with_its_profile(installed):
    venv, elsewhere = installed
    page = (FIXTURES / "reconstructed/ecns-004.html").read_bytes()
    done = subprocess.run(
        [str(venv / "bin" / "newsarchive"), "extract", "-", "--url", ECNS_URL],
        input=page,
        cwd=elsewhere,
        capture_output=True,
        check=True,
    )
    record = json.loads(done.stdout)
    want = json.loads(next((SEEDS / "expected").glob("004_*.json")).read_text())
    assert (record["source"], record["title"]) == ("ecns", want["title"])


def test_the_installed_package_is_not_the_checkout(installed):
    venv, elsewhere = installed
    done = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import newsarchive.profiles as p; print(p.SEEDS_DIR)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(venv / "share" / "newsarchive" / "seeds")
