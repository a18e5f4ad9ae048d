"""Each run writes an index of the articles it stored (id, URL → file and line), so that
`newsarchive show` reads the article files that hold an article and no others; an
archive without indexes, or with a damaged one, is still searched whole."""

from __future__ import annotations

import gzip
import json

from corpus import show
from corpus.reader import ArchiveReader
from corpus.verify import verify
from newsarchive.archive import layout
from tests.test_manifest_reading import CRAWL_ID, record, write_run

INDEX = layout.index_key("ecns", "2024-01-02", CRAWL_ID)


def dated(n: int, day: str) -> dict:
    """Record n, published on ``day`` (so it goes to that day's article file)."""
    return {**record(n), "published": f"{day}T10:00:00+08:00"}


def three_files(tmp_path):
    return write_run(
        tmp_path,
        lost_upload=False,
        records=[dated(1, "2024-01-01"), dated(2, "2024-01-02"), dated(3, "2024-01-02")],
    )


def test_a_run_lists_its_index_with_a_line_per_stored_record(tmp_path):
    storage, run = three_files(tmp_path)
    manifest = json.loads(storage.get_bytes(run))
    (listed,) = [f for f in manifest["files"] if f["kind"] == "index"]
    assert (listed["key"], listed["records"]) == (INDEX, 3)
    rows = [json.loads(line) for line in gzip.decompress(storage.get_bytes(INDEX)).splitlines()]
    day2 = layout.article_key("ecns", "2024-01-02", CRAWL_ID, 2)
    assert rows[1:] == [
        {
            "id": record(2)["id"],
            "url": "//www.ecns.cn/news/politics/2024-01-02/detail-ihc2.shtml",
            "canonical": None,
            "key": day2,
            "line": 0,
        },
        {
            "id": record(3)["id"],
            "url": "//www.ecns.cn/news/politics/2024-01-02/detail-ihc3.shtml",
            "canonical": None,
            "key": day2,
            "line": 1,
        },
    ]


def test_verify_checks_the_index_like_any_listed_file(tmp_path):
    storage, _ = three_files(tmp_path)
    assert verify(ArchiveReader(storage)).problems == []
    (tmp_path / "archive" / INDEX).write_bytes(gzip.compress(b"{}\n"))
    (problem,) = verify(ArchiveReader(storage)).problems
    assert problem.startswith(f"{INDEX}: content differs from the manifest of run {CRAWL_ID}")


def test_show_reads_only_the_article_file_the_index_points_to(tmp_path):
    storage, _ = three_files(tmp_path)
    (tmp_path / "archive" / layout.article_key("ecns", "2024-01-01", CRAWL_ID, 1)).unlink()
    found = show.find(
        ArchiveReader(storage),
        "http://WWW.ecns.cn/news/politics/2024-01-02/detail-ihc3.shtml?utm_source=x",
    )
    assert found == dated(3, "2024-01-02")


def test_show_finds_by_id_prefix_through_the_index(tmp_path):
    storage, _ = three_files(tmp_path)
    (tmp_path / "archive" / layout.article_key("ecns", "2024-01-01", CRAWL_ID, 1)).unlink()
    assert show.find(ArchiveReader(storage), record(2)["id"][-6:].rjust(20, "0")) == dated(
        2, "2024-01-02"
    )


def test_without_an_index_show_scans_the_article_files(tmp_path):
    storage, run = three_files(tmp_path)
    manifest = json.loads(storage.get_bytes(run))
    manifest["files"] = [f for f in manifest["files"] if f["kind"] != "index"]
    storage.put_bytes(json.dumps(manifest).encode(), run)
    (tmp_path / "archive" / INDEX).unlink()
    url = "https://www.ecns.cn/news/politics/2024-01-02/detail-ihc{}.shtml"
    assert show.find(ArchiveReader(storage), url.format(1)) == dated(1, "2024-01-01")
    assert show.find(ArchiveReader(storage), url.format(3)) == dated(3, "2024-01-02")


def test_a_damaged_index_is_reported_and_its_files_are_scanned(tmp_path):
    storage, _ = three_files(tmp_path)
    rows = gzip.decompress(storage.get_bytes(INDEX)).splitlines()
    rows[2] = b'{"id": 3, "key": "../../etc/passwd", "line": -1}'
    storage.put_bytes(gzip.compress(b"\n".join(rows) + b"\n"), INDEX)
    reader = ArchiveReader(storage)
    url = "https://www.ecns.cn/news/politics/2024-01-02/detail-ihc3.shtml"
    assert show.find(reader, url) == dated(3, "2024-01-02")
    assert reader.problems == [
        f"{INDEX}: index line 3: '../../etc/passwd' does not follow the archive layout "
        "(kind/source=…/date=…/file)"
    ]
