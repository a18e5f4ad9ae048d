"""The WARCs replay in pywb, Webrecorder's replay server: each archived article page comes
back byte for byte, and no metadata record shadows a page's response record."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.archive_checks import keys, read_articles
from tests.replay.server import DEFAULT_ROUTES, load_routes

pytestmark = pytest.mark.e2e
ROUTES = load_routes([DEFAULT_ROUTES])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pywb(local_run, tmp_path_factory):
    bin_dir = os.environ.get("PYWB_BIN")
    if not bin_dir:
        pytest.skip("needs pywb in its own venv: run through `make test` (sets PYWB_BIN)")
    storage, _, _ = local_run
    home = tmp_path_factory.mktemp("pywb")
    subprocess.run(
        [Path(bin_dir, "wb-manager"), "init", "archive"], cwd=home, check=True, capture_output=True
    )
    warcs = [str(storage.root / k) for k in keys(storage, "warc/")]
    subprocess.run(
        [Path(bin_dir, "wb-manager"), "add", "archive", *warcs],
        cwd=home,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [Path(bin_dir, "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/archive"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(100):
        try:
            opener.open(f"{base}/cdx?url=x", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, opener, read_articles(storage)
    server.kill()
    server.wait()


def test_every_article_page_replays_byte_for_byte(pywb):
    base, opener, articles = pywb
    for article in articles:
        stamp = article["fetched_at"].replace("-", "").replace(":", "").replace("T", "")[:14]
        with opener.open(f"{base}/{stamp}id_/{article['url']}") as reply:
            assert reply.status == 200
            assert reply.read() == ROUTES[article["url"]].body, article["url"]


def test_the_index_holds_only_the_response_under_each_page_url(pywb):
    base, opener, articles = pywb
    for article in articles:
        with opener.open(f"{base}/cdx?output=json&url={quote(article['url'], safe='')}") as reply:
            entries = [json.loads(line) for line in reply.read().decode().splitlines()]
        assert [(e["status"], e["mime"]) for e in entries] == [("200", "text/html")]
