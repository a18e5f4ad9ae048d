"""Sitemaps as they are served: gzip files (.xml.gz, no Content-Encoding) are read,
within the protocol's 50 MB; a gzip bomb stops at that bound and is counted."""

from __future__ import annotations

import gzip
import json

import pytest

from crawler.spiders.discovery import SITEMAP_MAX_BYTES, SitemapTooLarge, sitemap_body
from tests.conftest import ROOT, crawl_overlay

XML = (ROOT / "tests/replay/fixtures/constructed/cgtn-sitemap-latestnews.xml").read_bytes()


def test_a_gzip_file_is_inflated():
    assert sitemap_body(gzip.compress(XML)) == XML


def test_plain_xml_is_read_as_it_is():
    assert sitemap_body(XML) == XML


def test_a_gzip_bomb_stops_at_the_protocol_bound():
    bomb = gzip.compress(b"<" * (SITEMAP_MAX_BYTES + 1024), compresslevel=9)
    with pytest.raises(SitemapTooLarge, match="over 54,525,952 bytes when inflated"):
        sitemap_body(bomb)


@pytest.mark.e2e
def test_a_crawl_finds_the_articles_of_a_gzipped_sitemap(local_run, tmp_path):
    result = crawl_overlay(tmp_path, "routes-gzsitemap.yaml", source="cgtn")
    assert result.returncode == 0, result.stderr[-2000:]
    (manifest,) = [json.loads(p.read_text()) for p in (tmp_path / "archive/runs").glob("*")]
    storage, _, _ = local_run
    (plain,) = [
        json.loads(storage.get_bytes(o.key)) for o in storage.list("runs/") if "-cgtn-" in o.key
    ]
    found = manifest["stats"].get("discovery/articles_from_sitemap")
    assert found == plain["stats"]["discovery/articles_from_sitemap"]
    assert "discovery/bad_sitemap" not in manifest["stats"]


@pytest.mark.e2e
def test_requests_past_the_memory_bound_wait_on_disk_and_are_all_fetched(tmp_path):
    result = crawl_overlay(
        tmp_path, "routes-bigsitemap.yaml", source="cgtn", NEWSARCHIVE_MEMORY_QUEUE="50"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (manifest,) = [json.loads(p.read_text()) for p in (tmp_path / "archive/runs").glob("*")]
    stats = manifest["stats"]
    assert stats["discovery/articles_from_sitemap"] == 300
    assert stats["scheduler/enqueued/disk"] > 0
    assert (
        stats["scheduler/enqueued/disk"] + stats["scheduler/enqueued/memory"]
        == (stats["scheduler/enqueued"])
    )
    assert stats["scheduler/dequeued"] == stats["scheduler/enqueued"]
    assert list((tmp_path / "state/frontier").iterdir()) == []
