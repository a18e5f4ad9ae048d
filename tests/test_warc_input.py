"""`newsarchive extract --warc`: the crawler's pipeline over WARC files another tool
wrote. The WARC here is built with warcio, in an order our crawler never writes
(warcinfo last, responses before their requests) and with record types it does not write
(resource, conversion), around real pages of the outlets."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.items import ArticlePage
from pipelines.article import build_article
from pipelines.warc_input import extract_file, extract_files
from tests.conftest import BIN, ROOT

CAPTURED = ROOT / "tests/replay/fixtures/captured"
ARTICLES = [
    (
        "https://news.cgtn.com/news/3d3d514d3259544d32457a6333566d54/index.html",
        CAPTURED / "cgtn/cgtn-article-2019-01-21-china-cambodia-cooperation.html",
    ),
    (
        "https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html",
        CAPTURED / "chinadaily/chinadaily-cn-zh-article-2023-11-17-WS65571297.html",
    ),
    (
        "https://www.chinanews.com.cn/gj/2024/05-01/10210211.shtml",
        CAPTURED / "chinanews/chinanews-zh-article-2024-05-01-gj-10210211.html",
    ),
]
HOMEPAGE = ("https://www.cgtn.com/", CAPTURED / "cgtn/cgtn-homepage-2021-09.html")


def _response(writer: WARCWriter, url: str, body: bytes, status: str = "200 OK", ctype="text/html"):
    http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)


def _request(writer: WARCWriter, url: str):
    http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
    return writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=http)


def foreign_warc(path: Path, pages: list[tuple[str, Path]], extras: bool = True) -> Path:
    """A WARC as another tool might write it."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        if extras:
            writer.write_record(
                writer.create_warc_record(
                    "urn:test:shot.png",
                    "resource",
                    payload=io.BytesIO(b"\x89PNG"),
                    warc_content_type="image/png",
                )
            )
            writer.write_record(_response(writer, HOMEPAGE[0], HOMEPAGE[1].read_bytes()))
            writer.write_record(
                _response(
                    writer,
                    "https://www.ecns.cn/news/2023-01-01/detail-gone.shtml",
                    b"<html>gone</html>",
                    "404 Not Found",
                )
            )
        for url, page in pages:
            response = _response(writer, url, page.read_bytes())
            writer.write_record(response)
            writer.write_record(_request(writer, url))  # after its response
            if extras:
                writer.write_record(
                    writer.create_revisit_record(
                        url,
                        digest=response.rec_headers.get_header("WARC-Payload-Digest"),
                        refers_to_uri=url,
                        refers_to_date=response.rec_headers.get_header("WARC-Date"),
                    )
                )
                writer.write_record(
                    writer.create_warc_record(
                        url,
                        "conversion",
                        payload=io.BytesIO(b"plain text"),
                        warc_content_type="text/plain",
                    )
                )
        if extras:
            writer.write_record(writer.create_warcinfo_record("foreign.warc.gz", {"software": "x"}))
    return path


@pytest.fixture
def warc(tmp_path) -> Path:
    return foreign_warc(tmp_path / "foreign.warc.gz", ARTICLES)


def test_the_articles_of_a_foreign_warc_are_found_in_file_order(warc):
    result = extract_file(str(warc))
    assert [r["url"] for r in result.records] == [url for url, _ in ARTICLES]
    assert result.problems == []


def test_each_article_is_what_the_crawler_extracts_from_the_same_page(warc):
    result = extract_file(str(warc))
    for record, (url, page) in zip(result.records, ARTICLES, strict=True):
        source = record["source"]
        alone = build_article(ArticlePage.single(source, url, page.read_bytes(), "text/html"))
        assert (record["title"], record["paragraphs"]) == (alone["title"], alone["paragraphs"])
        assert (record["published"], record["agency"]) == (alone["published"], alone["agency"])


def test_each_article_points_at_its_response_record(warc):
    for record in extract_file(str(warc)).records:
        pointer = record["warc"]
        with warc.open("rb") as fh:
            fh.seek(pointer["offset"])
            chunk = io.BytesIO(fh.read(pointer["length"]))
        (found,) = list(ArchiveIterator(chunk))
        assert found.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
        assert found.rec_headers.get_header("WARC-Target-URI") == record["url"]


def test_what_is_not_an_article_response_is_passed_over_and_counted(warc):
    counts = extract_file(str(warc)).counts
    assert {k: v for k, v in counts.items() if k.startswith("passed_over/")} == {
        "passed_over/resource": 1,
        "passed_over/request": 3,
        "passed_over/revisit": 3,
        "passed_over/conversion": 3,
        "passed_over/warcinfo": 1,
        "passed_over/not_200": 1,
        "passed_over/not_an_article_url": 1,
    }
    assert (counts["html_responses"], counts["articles"]) == (4, 3)


def test_all_pages_takes_html_pages_that_are_not_article_urls_too(warc):
    result = extract_file(str(warc), all_pages=True)
    taken = result.counts["articles"] + sum(
        v for k, v in result.counts.items() if k.startswith("extraction_failed/")
    )
    assert taken == 4
    assert "passed_over/not_an_article_url" not in result.counts


def test_a_record_cut_short_is_not_extracted_and_those_before_it_are(tmp_path):
    whole = foreign_warc(tmp_path / "whole.warc.gz", ARTICLES, extras=False)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    result = extract_file(str(cut))
    assert [r["url"] for r in result.records] == [url for url, _ in ARTICLES[:2]]
    assert result.counts["damaged_records"] == 1


def test_a_response_altered_after_its_digest_was_written_is_not_extracted(tmp_path):
    whole = foreign_warc(tmp_path / "whole.warc", ARTICLES[:1], extras=False)
    whole.write_bytes(whole.read_bytes().replace(b"Cambodia", b"Kambodia", 1))
    result = extract_file(str(whole))
    assert (result.records, result.counts["damaged_records"]) == ([], 1)


def test_two_workers_give_what_one_gives(tmp_path):
    paths = [
        foreign_warc(tmp_path / f"part-{n}.warc.gz", [page], extras=False)
        for n, page in enumerate(ARTICLES)
    ]
    one = [r.records for r in extract_files(paths, workers=1)]
    two = [r.records for r in extract_files(paths, workers=2)]
    assert one == two
    assert [[r["url"] for r in records] for records in two] == [[u] for u, _ in ARTICLES]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "newsarchive"), "extract", *args], capture_output=True, text=True, timeout=300
    )


def test_the_command_writes_parquet_with_a_summary(warc, tmp_path):
    out = tmp_path / "articles.parquet"
    done = run_cli("--warc", str(warc.parent), "--out", str(out), "--workers", "1")
    assert done.returncode == 0, done.stderr
    table = pq.read_table(out)
    assert table.column("url").to_pylist() == [url for url, _ in ARTICLES]
    assert done.stderr.splitlines()[-1].startswith(
        f"3 articles from 1 WARC files (4 HTML responses) written to {out}; passed over"
    )


def test_an_unreadable_file_is_reported_and_the_others_are_still_written(warc, tmp_path):
    (tmp_path / "broken.warc.gz").write_bytes(b"not a warc at all")
    out = tmp_path / "articles.jsonl"
    done = run_cli("--warc", str(tmp_path), "--out", str(out), "--workers", "1", "--quiet")
    assert done.returncode == 1
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()] == [
        url for url, _ in ARTICLES
    ]
    assert f"{tmp_path / 'broken.warc.gz'}: not readable as WARC" in done.stderr


def test_an_output_of_another_kind_is_a_usage_error(warc, tmp_path):
    done = run_cli("--warc", str(warc), "--out", str(tmp_path / "out.csv"))
    assert done.returncode == 2
    assert "the output must end in .jsonl, .jsonl.gz or .parquet" in done.stderr
