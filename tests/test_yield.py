"""A run whose discovery finds far fewer article links than the source's recent runs
(a changed template, a dead URL pattern, while every entry point still answers 200)
ends degraded, exit 6, and says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newsarchive.archive import layout
from newsarchive.archive.manifest import RunManifest
from newsarchive.storage import open_storage
from tests.conftest import crawl

pytestmark = pytest.mark.e2e


def test_a_crawl_finding_a_fraction_of_its_usual_links_is_degraded(replay, tmp_path):
    archive = tmp_path / "archive"
    storage = open_storage(str(archive))
    started = datetime(2026, 11, 1, tzinfo=UTC)
    for hour in range(3):  # three earlier runs that each recognised 500 article links
        crawl_id = layout.crawl_id("ecns", started + timedelta(hours=hour), "host", 1)
        history = RunManifest(crawl_id, "ecns", started + timedelta(hours=hour))
        storage.put_bytes(
            history.render(
                status="finished", stats={"discovery/articles_from_feed": 500}, errors=[]
            ),
            layout.run_key(crawl_id),
        )
    result = crawl(replay, "ecns", str(archive), tmp_path / "spool")
    assert result.returncode == 6, result.stderr[-2000:]
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("newsarchive: ")]
    assert line.startswith("newsarchive: ecns crawl degraded: found ")
    assert line.endswith(
        " article links against a median of 500 in its last 3 runs (a changed "
        "template or URL pattern? see discovery/unmatched_article_like and "
        "`newsarchive probe`)"
    )
    newest = max(archive.glob("runs/*.json"))
    assert json.loads(newest.read_text())["status"] == "degraded"
