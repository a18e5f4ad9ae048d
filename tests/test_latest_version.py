"""One rule for "the latest version of an article" (article_files.recency), and every
reader that needs it (the crawl state's rebuild, `show`, `download`) follows it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from corpus import show
from corpus.reader import ArchiveReader
from corpus.selection import latest_versions as selected_latest
from newsarchive.archive import layout
from newsarchive.archive.article_files import ArticleFileWriter, latest_versions
from newsarchive.archive.manifest import RunManifest
from newsarchive.state import CrawlState, rebuild
from newsarchive.storage import open_storage
from newsarchive.storage.spool import Spool

URL = "https://www.ecns.cn/news/politics/2024-01-02/detail-ihc1.shtml"


def version(n: int, fetched_at: str, sha: str) -> dict:
    return {
        "id": "0" * 19 + "1",
        "url": URL,
        "source": "ecns",
        "published": "2024-01-02T10:00:00+08:00",
        "fetched_at": fetched_at,
        "content_sha256": sha * 64,
        "version": n,
        "http": {},
        "warc": {},
    }


# Version 2 captured twice (two workers), and version 1 written after them.
V2_EARLY = version(2, "2024-01-03T00:00:00Z", "b")
V2_LATE = version(2, "2024-01-04T00:00:00Z", "c")
V1 = version(1, "2024-01-02T00:00:00Z", "a")


def test_the_highest_version_is_the_latest_whatever_the_order():
    assert latest_versions([V2_LATE, V1])[V1["id"]] is V2_LATE


def test_of_two_captures_of_one_version_the_later_is_the_latest():
    assert latest_versions([V2_LATE, V2_EARLY])[V1["id"]] is V2_LATE


def test_the_crawl_state_keys_the_latest_by_url():
    assert latest_versions([V2_EARLY, V1], key="url") == {URL: V2_EARLY}


def archive_of(root: Path, records: list[dict]):
    crawl_id = "20240104T000000Z-ecns-host-1"
    storage = open_storage(str(root / "archive"))
    manifest = RunManifest(crawl_id, "ecns", datetime(2024, 1, 4, tzinfo=UTC))
    spool = Spool(root / "spool", storage, on_uploaded=manifest.add_file, owner=crawl_id)
    writer = ArticleFileWriter(
        spool,
        source="ecns",
        crawl_id=crawl_id,
        crawl_date="2024-01-04",
        on_closed=manifest.count_records,
    )
    for record in records:
        writer.write(record)
    writer.close()
    spool.close()
    storage.put_bytes(
        manifest.render(status="finished", stats={}, errors=[]), layout.run_key(crawl_id)
    )
    return storage


def test_rebuild_show_and_download_agree_on_the_latest_version(tmp_path):
    storage = archive_of(tmp_path, [V2_LATE, V2_EARLY, V1])
    state = CrawlState(tmp_path / "state.sqlite")
    rebuild(state, storage)
    reader = ArchiveReader(storage)
    everything = [r for item in reader.select("articles") for r in reader.records(item)]
    assert state.get(URL).content_sha256 == V2_LATE["content_sha256"]
    assert show.find(reader, V1["id"])["content_sha256"] == V2_LATE["content_sha256"]
    assert [r["content_sha256"] for r in selected_latest(everything)] == [V2_LATE["content_sha256"]]
