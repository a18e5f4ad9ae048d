"""One rule for "the latest version of an article" (article_files.recency), and every
reader that needs it (the crawl state's rebuild, `show`, `download`) follows it."""

from __future__ import annotations

import json

from corpus import show
from corpus.download import download
from corpus.reader import ArchiveReader
from corpus.selection import Selection
from newsarchive.archive.article_files import latest_versions
from newsarchive.state import CrawlState, rebuild
from tests.test_manifest_reading import write_run

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


def test_rebuild_show_and_download_agree_on_the_latest_version(tmp_path):
    storage, _ = write_run(tmp_path, lost_upload=False, records=[V2_LATE, V2_EARLY, V1])
    state = CrawlState(tmp_path / "state.sqlite")
    rebuild(state, storage)
    reader = ArchiveReader(storage)
    assert state.get(URL).content_sha256 == V2_LATE["content_sha256"]
    assert show.find(reader, V1["id"])["content_sha256"] == V2_LATE["content_sha256"]
    download(reader, Selection(), tmp_path / "out", progress_bar=False, warn=lambda _: None)
    exported = (tmp_path / "out" / "articles.jsonl").read_text().splitlines()
    assert [json.loads(line)["content_sha256"] for line in exported] == [V2_LATE["content_sha256"]]
