"""`newsarchive probe` against the replay: the outlets as recorded pass, the outlets after
a redesign (tests/replay/routes-drifted.yaml) fail, with each break named."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import BIN, ROOT, start_replay

pytestmark = pytest.mark.e2e

BASE = ROOT / "tests/replay/routes.yaml"
DRIFTED = ROOT / "tests/replay/routes-drifted.yaml"


def probe(replay, tmp_path, *args: str) -> subprocess.CompletedProcess:
    """As an operator runs it, with the production settings, through the replay proxy,
    from a scratch folder where an archive, spool or state would show up."""
    return subprocess.run(
        [str(BIN / "newsarchive"), "probe", *args],
        cwd=tmp_path,
        env=replay.env(
            ARCHIVE_URI=str(tmp_path / "archive"),
            NEWSARCHIVE_SPOOL=str(tmp_path / "spool"),
            NEWSARCHIVE_STATE=str(tmp_path / "state"),
            SCRAPY_SETTINGS_MODULE="settings",
            PYTHONPATH=str(ROOT),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def normal(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probe")
    proc, replay = start_replay(tmp, [BASE])
    try:
        yield probe(replay, tmp, "--json"), tmp
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probe-drifted")
    proc, replay = start_replay(tmp, [BASE, DRIFTED])
    try:
        yield probe(replay, tmp)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def reports(result) -> dict[str, dict]:
    return {r["source"]: r for r in map(json.loads, result.stdout.splitlines())}


def test_the_recorded_outlets_pass_the_probe(normal):
    result, _ = normal
    assert result.returncode == 0, result.stdout + result.stderr
    found = reports(result)
    assert sorted(found) == ["cgtn", "chinadaily", "chinaorgcn", "copysite", "ecns", "xinhua"]
    assert all(r["ok"] for r in found.values())


def test_every_outlet_yields_articles_and_extracted_samples(normal):
    for source, report in reports(normal[0]).items():
        assert report["articles_matched"] > 0, source
        assert report["extracted"] > 0, source


def test_each_entry_point_is_reported_with_status_kind_items_and_newest_date(normal):
    cgtn = {e["url"]: e for e in reports(normal[0])["cgtn"]["entries"]}
    latest = cgtn["https://www.cgtn.com/sitemap_latestnews.xml"]
    assert (latest["kind"], latest["status"], latest["items"]) == ("sitemap", 200, 6)
    assert latest["newest"] == "2026-09-25"
    robots = cgtn["https://www.cgtn.com/robots.txt"]
    assert (robots["kind"], robots["status"]) == ("robots", 200)


def test_a_feed_frozen_in_2017_is_flagged_stale(normal):
    chinadaily = reports(normal[0])["chinadaily"]
    feed = next(e for e in chinadaily["entries"] if e["kind"] == "feed")
    assert (feed["newest"], feed["stale"]) == ("2017-12-12", True)
    assert any("is stale: newest item 2017-12-12" in p for p in chinadaily["problems"])


def test_the_metadata_selectors_fill_the_samples_of_each_edition(normal):
    ecns = reports(normal[0])["ecns"]
    assert set(ecns["fields"]) == {"en", "zh"}
    for fields in ecns["fields"].values():
        assert fields["title"] > 0 and fields["published"] > 0


def test_the_probe_writes_nothing(normal):
    _, tmp = normal
    assert not (tmp / "archive").exists()
    assert not (tmp / "spool").exists()
    assert not (tmp / "state").exists()


def test_the_drifted_outlets_fail_the_probe(drifted):
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert drifted.stdout.splitlines()[-1] == "probe: 6 sources, 2 broken (cgtn, chinaorgcn)"


def test_a_renamed_date_class_is_named(drifted):
    assert (
        "field published: the profile's selectors matched nothing on any of the 3 en "
        "samples (a template change?)" in drifted.stdout
    )


def test_new_url_shapes_are_named_with_examples(drifted):
    assert "no article link found: the source yields no article" in drifted.stdout
    assert "links look like articles but match no pattern (a new URL shape?)" in drifted.stdout
    assert "unmatched: http://www.china.org.cn/2026-08/14/article_118647000.html" in drifted.stdout
    assert "/p.html" not in drifted.stdout.split("unmatched:")[1].split("\n")[0]


def test_a_dead_feed_is_named(drifted):
    assert "entry point https://www.ecns.cn/rss/rss.xml (feed) failed: HTTP 404" in drifted.stdout


def test_an_unknown_source_is_refused_with_the_valid_ones(tmp_path):
    result = subprocess.run(
        [str(BIN / "newsarchive"), "probe", "bbc"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "unknown source bbc; valid: cgtn, chinadaily" in result.stderr
