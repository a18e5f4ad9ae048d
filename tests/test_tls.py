"""Captures are only as trustworthy as the connection: the crawler verifies
certificates. Through a replay whose CA it was not told to trust (a man in the middle),
it fetches nothing, names the reason, and the run fails; its WARCs say certificates
were verified."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.archive_checks import keys
from tests.conftest import crawl, start_replay

pytestmark = pytest.mark.e2e


def test_a_server_whose_certificate_cannot_be_verified_gives_nothing(replay, tmp_path):
    _proc, stranger = start_replay(tmp_path / "stranger")  # another CA than the replay's
    try:
        result = crawl(
            replay,
            "ecns",
            str(tmp_path / "archive"),
            tmp_path / "spool",
            SSL_CERT_FILE=str(stranger.ca),
        )
    finally:
        _proc.terminate()
        _proc.wait(timeout=10)
    assert result.returncode == 5
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("newsarchive: ")]
    assert line.startswith("newsarchive: ecns crawl failed: all ")
    assert "entry points failed (tls_unverified " in line
    (manifest,) = [json.loads(p.read_text()) for p in (tmp_path / "archive/runs").glob("*")]
    assert manifest["counts"]["pages_fetched"] == 0


def test_the_warcinfo_says_certificates_were_verified(local_run):
    storage, _, _ = local_run
    (first,) = keys(storage, "warc/source=ecns/")[:1]
    info = gzip.decompress(storage.get_bytes(first)).split(b"\r\n\r\n", 2)[1]
    assert b"tls-certificates: verified\r\n" in info
