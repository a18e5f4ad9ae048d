"""End to end: every source crawled through the offline replay by the real Scrapy engine
(`scrapy crawl <source>`, production settings) into a local folder and into SeaweedFS,
then read back as a researcher would."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.archive_checks import (
    EXPECTED_ARTICLES,
    keys,
    read_articles,
    read_manifests,
    record_at,
    sha256,
    warcio_check,
)
from tests.conftest import ALL_SOURCES, crawl
from tests.pages import SEED_PAGES, seed_expected
from tests.replay.server import DEFAULT_ROUTES, load_routes

REPLAY_ROUTES = load_routes([DEFAULT_ROUTES])

pytestmark = pytest.mark.e2e


def test_every_crawl_exits_zero(local_run):
    _, results, _ = local_run
    failures = {s: r.stderr[-2000:] for s, r in results.items() if r.returncode != 0}
    assert failures == {}


def test_every_source_has_a_warc_file(local_run):
    storage, _, _ = local_run
    sources = {k.split("/")[1] for k in keys(storage, "warc/") if k.endswith(".warc.gz")}
    assert sources == {f"source={s}" for s in ALL_SOURCES}


def test_every_warc_passes_warcio_check(local_run):
    storage, _, _ = local_run
    for key in keys(storage, "warc/"):
        result = warcio_check(storage.root / key)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_article_page_is_archived_once(local_run):
    storage, _, _ = local_run
    records = read_articles(storage)
    urls = sorted(r["url"] for r in records)
    expected = sorted(u for urls in EXPECTED_ARTICLES.values() for u in urls)
    assert urls == expected


def test_each_article_points_at_the_response_record_of_its_url(local_run):
    storage, _, _ = local_run
    for article in read_articles(storage):
        record, body = record_at(storage, article["warc"])
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == article["url"]
        assert record.rec_headers.get_header("WARC-Record-ID") == article["warc"]["record_id"]
        assert record.http_headers.get_statuscode() == "200"
        assert body  # the page as served


def test_response_records_keep_the_body_as_sent_before_content_decoding(local_run):
    storage, _, _ = local_run
    article = next(a for a in read_articles(storage) if a["source"] == "ecns")
    record, raw = record_at(storage, article["warc"], raw=True)
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert gzip.decompress(raw) == REPLAY_ROUTES[article["url"]].body


def test_manifest_counts_and_hashes_match_the_stored_files(local_run):
    storage, _, _ = local_run
    manifests = read_manifests(storage)
    assert sorted(m["source"] for m in manifests) == sorted(ALL_SOURCES)
    listed = set()
    for manifest in manifests:
        assert manifest["status"] == "finished"
        for entry in manifest["files"]:
            data = storage.get_bytes(entry["key"])
            assert (len(data), sha256(data)) == (entry["size"], entry["sha256"])
            listed.add(entry["key"])
        stored = read_articles_for(storage, manifest["source"])
        assert manifest["counts"]["articles"] == len(stored)
        assert manifest["counts"]["warc_files"] == sum(
            1 for f in manifest["files"] if f["kind"] == "warc"
        )
    assert listed == set(keys(storage, "warc/")) | set(keys(storage, "articles/")) | set(
        keys(storage, "index/")
    )


def read_articles_for(storage, source):
    return [r for r in read_articles(storage) if r["source"] == source]


def test_spool_is_empty_after_a_successful_run(local_run):
    _, _, spool = local_run
    assert [p for p in spool.rglob("*") if p.is_file()] == []


def test_metadata_records_never_claim_the_page_url(local_run):
    storage, _, _ = local_run
    from warcio.archiveiterator import ArchiveIterator

    for key in keys(storage, "warc/"):
        with (storage.root / key).open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "metadata":
                    target = record.rec_headers.get_header("WARC-Target-URI")
                    assert target.startswith("urn:newsarchive:article:")
                    assert record.rec_headers.get_header("WARC-Refers-To")


@pytest.mark.parametrize("seed", sorted(SEED_PAGES))
def test_archived_seed_article_has_the_expected_clean_body(local_run, seed):
    storage, _, _ = local_run
    expected = seed_expected(seed)
    record = next(r for r in read_articles(storage) if r["url"] == SEED_PAGES[seed][1])
    assert record["paragraphs"] == expected["body"]
    assert record["title"] == expected["title"]


@pytest.mark.s3
def test_crawl_into_s3_reads_back_complete(replay, s3_storage, s3_env, tmp_path):
    uri = f"s3://{s3_storage.bucket}/{s3_storage.prefix}"
    env = {k: v for k, v in s3_env.items() if k != "bucket"}
    for source in ("ecns", "cgtn"):
        result = crawl(replay, source, uri, tmp_path / "spool", **env)
        assert result.returncode == 0, result.stderr[-2000:]
    warcs = keys(s3_storage, "warc/")
    assert {k.split("/")[1] for k in warcs} == {"source=ecns", "source=cgtn"}
    for key in warcs:
        path = tmp_path / key.replace("/", "_")
        path.write_bytes(s3_storage.get_bytes(key))
        assert warcio_check(path).returncode == 0
    articles = read_articles(s3_storage)
    assert sorted(a["url"] for a in articles) == sorted(
        EXPECTED_ARTICLES["ecns"] | EXPECTED_ARTICLES["cgtn"]
    )
    for article in articles:
        record, _ = record_at(s3_storage, article["warc"])
        assert record.rec_headers.get_header("WARC-Target-URI") == article["url"]
    manifests = read_manifests(s3_storage)
    assert sum(m["counts"]["articles"] for m in manifests) == len(articles)
    for manifest in manifests:
        for entry in manifest["files"]:
            assert sha256(s3_storage.get_bytes(entry["key"])) == entry["sha256"]


@pytest.mark.s3
def test_wrong_secret_is_refused_with_exit_3_and_nothing_written(
    replay, s3_storage, s3_env, tmp_path
):
    uri = f"s3://{s3_storage.bucket}/{s3_storage.prefix}"
    env = {k: v for k, v in s3_env.items() if k != "bucket"}
    env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
    result = crawl(replay, "ecns", uri, tmp_path / "spool", **env)
    assert result.returncode == 3
    assert "access to bucket" in result.stderr and "denied" in result.stderr
    assert "not-the-secret" not in result.stderr + result.stdout
    assert keys(s3_storage, "") == []


def test_every_record_validates_against_the_documented_schema(local_run):
    import jsonschema

    from tests.conftest import ROOT

    schema = json.loads((ROOT / "docs" / "article.schema.json").read_text())
    storage, _, _ = local_run
    for record in read_articles(storage):
        jsonschema.validate(record, schema)


def test_newsarchive_runs_lists_every_run_of_the_archive(local_run):
    import subprocess
    import sys
    from pathlib import Path

    storage, _, _ = local_run
    newsarchive = Path(sys.executable).parent / "newsarchive"
    result = subprocess.run(
        [newsarchive, "runs", "--archive", str(storage.root)], capture_output=True, text=True
    )
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2 + len(ALL_SOURCES) + 1
    assert lines[-1].split()[:1] == ["total"]
    total = str(sum(len(urls) for urls in EXPECTED_ARTICLES.values()))
    assert lines[-1].split()[2:4] == [total, total]  # articles, of which new


# The outlets' 2025-2026 templates: what each page shows reaches the record.
CURRENT_TEMPLATE_PAGES = {
    "https://news.cgtn.com/news/2026-09-25/China-launches-new-satellite-for-ocean-monitoring-"
    "1Gq3XkTz2Lm/p.html": (
        "China launches new satellite for ocean monitoring",
        "2026-09-25T14:32:00+08:00",
        None,
        "China",
    ),
    "https://newsus.cgtn.com/news/2026-09-24/U-S-China-trade-talks-resume-in-Geneva-"
    "1Gp9WvRt7Ks/p.html": (
        "U.S.-China trade talks resume in Geneva",
        "2026-09-24T21:05:00+08:00",
        "CGTN",
        "World",
    ),
    "https://www.ecns.cn/china/politics/2026-10-03/detail-ihfkteqw7941628.shtml": (
        "Xi and other Party and state leaders attend ceremony to present flower baskets to "
        "national heroes on Martyrs' Day in Beijing",
        "2026-10-03T09:34:32+08:00",
        "Xinhua",
        "Politics",
    ),
    "https://www.chinanews.com.cn/gj/2024/05-01/10210211.shtml": (
        "南非知名旅游胜地爆发山火 沿线徒步线路全部关闭",
        "2024-05-01T23:35:56+08:00",
        "China News Service",
        "国际新闻",
    ),
    "https://english.news.cn/20260509/3f2a9c7e5b1d4e8fa6c0b2d4e6f8a1c3/c.html": (
        "China's railways log record passenger trips during May Day holiday",
        "2026-05-09T10:15:32+08:00",
        "Xinhua",
        None,
    ),
    "https://www.news.cn/milpro/20260915/5f6458f153d94e58a2e0d22264e5252e/c.html": (
        "伊朗称在霍尔木兹海峡以西击毁一架MQ-1无人机",
        "2026-09-15T14:28:56+08:00",
        "Xinhua",
        None,
    ),
    "http://www.china.org.cn/2026-08/14/content_118647000.shtml": (
        "China's inland waterway cargo volume rises in first seven months",
        "2026-08-14",
        "Xinhua",
        None,
    ),
}


@pytest.mark.parametrize("url", sorted(CURRENT_TEMPLATE_PAGES))
def test_current_template_pages_give_title_date_agency_and_section(local_run, url):
    storage, _, _ = local_run
    record = next(r for r in read_articles(storage) if r["url"] == url)
    found = (record["title"], record["published"], record["agency"], record["section"])
    assert found == CURRENT_TEMPLATE_PAGES[url]
    assert record["selector_missed"] == [] or url.startswith("http://www.china.org.cn")


def test_the_run_manifest_reports_stale_feeds_and_unmatched_article_links(local_run):
    storage, _, _ = local_run
    manifests = {m["source"]: m for m in read_manifests(storage)}
    stale = manifests["chinadaily"]["discovery"]["stale_feeds"]
    assert stale == [
        {"url": "http://www.chinadaily.com.cn/rss/china_rss.xml", "newest": "2017-12-12"}
    ]
    org = manifests["chinaorgcn"]["discovery"]
    assert org["unmatched_article_like"] == 6
    assert "http://www.china.org.cn/2026-08/15/article_118650001.html" in org["unmatched_examples"]
