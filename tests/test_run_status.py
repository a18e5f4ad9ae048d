"""A run's status says whether it worked: an outage or a ban is "failed", a crawl that
lost most of its pages to errors is "degraded", and neither exits 0."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from newsarchive.archive.manifest import judge_run
from tests.conftest import BIN, run_scrapy

SHARE = 0.5


def test_every_entry_point_failing_is_a_failed_run():
    stats = {
        "discovery/entries": 17,
        "discovery/entries_failed": 17,
        "discovery/entries_failed/connection": 15,
        "discovery/entries_failed/dns": 2,
        "downloader/response_count": 0,
    }
    assert judge_run("finished", stats, [], max_failure_share=SHARE) == (
        "failed",
        "all 17 entry points failed (connection 15, dns 2)",
    )


def test_a_run_that_fetched_nothing_failed():
    assert judge_run("finished", {"discovery/entries": 3}, [], max_failure_share=SHARE) == (
        "failed",
        "nothing was fetched",
    )


def test_a_distributed_worker_that_found_the_frontier_empty_is_idle_not_failed():
    assert judge_run("finished", {}, [], max_failure_share=SHARE) == ("finished", "")


def test_dead_links_do_not_degrade_a_run():
    stats = {
        "discovery/entries": 3,
        "downloader/response_count": 150,
        "article/pages_fetched": 6,
        "fetch/failed": 134,
        "fetch/failed/http_404": 134,
    }
    assert judge_run("finished", stats, [], max_failure_share=SHARE) == ("finished", "")


def test_most_pages_lost_to_errors_is_a_degraded_run():
    stats = {
        "discovery/entries": 3,
        "downloader/response_count": 40,
        "article/pages_fetched": 10,
        "fetch/failed": 30,
        "fetch/failed/http_403": 25,
        "fetch/failed/timeout": 5,
    }
    assert judge_run("finished", stats, [], max_failure_share=SHARE) == (
        "degraded",
        "30 of 40 article pages could not be fetched (http_403 25, timeout 5)",
    )


def test_storage_errors_and_early_stops_keep_their_own_status():
    assert judge_run("finished", {}, ["x"], max_failure_share=SHARE)[0] == "failed"
    assert judge_run("shutdown", {"downloader/response_count": 5}, [], max_failure_share=SHARE) == (
        "shutdown",
        "the crawl stopped early (shutdown)",
    )


def test_a_distributed_worker_whose_share_of_entry_points_failed_is_not_failed():
    stats = {
        "discovery/entries": 8,
        "discovery/entries_failed": 8,
        "discovery/entries_failed/http_404": 8,
        "downloader/response_count": 44,
        "article/pages_fetched": 30,
    }
    assert judge_run("finished", stats, [], max_failure_share=SHARE, shares_frontier=True) == (
        "finished",
        "",
    )
    assert judge_run("finished", stats, [], max_failure_share=SHARE)[0] == "failed"


def test_a_crawl_stopped_by_its_time_limit_says_so():
    stats = {"downloader/response_count": 5}
    assert judge_run("closespider_timeout", stats, [], max_failure_share=SHARE) == (
        "closespider_timeout",
        "the crawl reached its time limit (NEWSARCHIVE_TIME_LIMIT)",
    )


@pytest.mark.e2e
def test_a_crawl_with_the_network_cut_exits_5_and_says_why(tmp_path):
    # Every request goes to a proxy port nothing listens on: the network is gone.
    env = {
        **{k: v for k, v in os.environ.items() if k.lower() != "no_proxy"},
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "ARCHIVE_URI": str(tmp_path / "archive"),
        "NEWSARCHIVE_SPOOL": str(tmp_path / "spool"),
        "NEWSARCHIVE_DOWNLOAD_DELAY": "0",
        "NEWSARCHIVE_AUTOTHROTTLE": "0",
    }
    done = run_scrapy(env, "crawl", "ecns", timeout=180)
    assert done.returncode == 5
    assert done.stderr.splitlines()[-1] == (
        "newsarchive: ecns crawl failed: all 17 entry points failed (connection 17)"
    )
    (manifest,) = (tmp_path / "archive" / "runs").glob("*.json")
    run = json.loads(manifest.read_text())
    assert (run["status"], run["status_reason"]) == (
        "failed",
        "all 17 entry points failed (connection 17)",
    )
    runs = subprocess.run(
        [str(BIN / "newsarchive"), "runs", "--archive", str(tmp_path / "archive")],
        capture_output=True,
        text=True,
    )
    assert runs.stdout.splitlines()[-1] == (
        f"{run['crawl_id']}: failed: all 17 entry points failed (connection 17)"
    )


USUAL = [120, 100, 140, 110, 95]


def links(n: int) -> dict:
    return {
        "discovery/entries": 10,
        "downloader/response_count": 30,
        "discovery/articles_from_feed": n,
    }


def test_a_yield_collapse_against_the_source_s_recent_runs_is_degraded():
    assert judge_run("finished", links(4), [], max_failure_share=SHARE, recent=USUAL) == (
        "degraded",
        "found 4 article links against a median of 110 in its last 5 runs (a changed "
        "template or URL pattern? see discovery/unmatched_article_like and `newsarchive probe`)",
    )


def test_a_quieter_run_is_not_a_collapse():
    assert judge_run("finished", links(40), [], max_failure_share=SHARE, recent=USUAL)[0] == (
        "finished"
    )


def test_without_enough_history_the_yield_is_not_judged():
    assert judge_run("finished", links(0), [], max_failure_share=SHARE, recent=[120, 100]) == (
        "finished",
        "",
    )


def test_a_windowed_backfill_is_not_judged_on_its_yield():
    stats = {**links(2), "discovery/out_of_window": 300}
    assert judge_run("finished", stats, [], max_failure_share=SHARE, recent=USUAL)[0] == "finished"


def test_the_recent_yields_are_the_source_s_finished_runs_newest_first(tmp_path):
    from datetime import UTC, datetime, timedelta

    from newsarchive.archive import layout
    from newsarchive.archive.manifest import RunManifest, recent_yields
    from newsarchive.storage import open_storage

    storage = open_storage(str(tmp_path / "archive"))
    started = datetime(2026, 11, 1, tzinfo=UTC)
    runs = [("ecns", "finished", 10), ("xinhua", "finished", 99), ("ecns", "failed", 0)]
    runs += [("ecns", "degraded", 30), ("ecns", "finished", 20)]
    for hour, (source, status, n) in enumerate(runs):
        crawl_id = layout.crawl_id(source, started + timedelta(hours=hour), "host", 1)
        manifest = RunManifest(crawl_id, source, started + timedelta(hours=hour))
        stats = {"discovery/articles_from_feed": n}
        storage.put_bytes(
            manifest.render(status=status, stats=stats, errors=[]), layout.run_key(crawl_id)
        )
    storage.put_bytes(b"{not json", "runs/20261102T000000Z-ecns-host-2.json")
    assert recent_yields(storage, "ecns") == [20, 30, 10]
