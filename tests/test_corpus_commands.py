"""`newsarchive stats | verify | show | download` on the archive the replay crawl produces,
run as a researcher runs them (the installed command, in a child process)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from corpus.export import schema
from newsarchive.archive.article_files import read_records
from tests.conftest import BIN, ROOT

pytestmark = pytest.mark.e2e

ECNS_EDITED = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"
CHINADAILY_2023 = [
    "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c.html",
    "https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html",
]


@pytest.fixture(scope="module")
def archive(versioned_archive) -> Path:
    return versioned_archive


@pytest.fixture
def scratch_archive(archive, tmp_path) -> Path:
    """A copy the test may damage."""
    return Path(shutil.copytree(archive, tmp_path / "archive"))


def newsarchive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "newsarchive"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def download(archive: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return newsarchive("download", "--archive", str(archive), "--out", str(out), *args)


def urls(out: Path) -> list[str]:
    return [json.loads(line)["url"] for line in (out / "articles.jsonl").open()]


# stats -------------------------------------------------------------------------------


def test_stats_prints_articles_per_source_and_month(archive):
    result = newsarchive("stats", "--archive", str(archive))
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert lines[1:7] == [
        "runs       7",
        "articles   22 in 23 records (a record per version)",
        "dates      2005-08-16 .. 2026-10-03",
        "languages  en 15, zh 8",
        "versions   first versions 22, later versions 1, deleted 1",
        f"WARC       7 files, {sum(p.stat().st_size for p in archive.rglob('*.warc.gz')):,} bytes",
    ]
    assert lines[8:] == [
        "article records by published_date month (captured, if no evidence):",
        "month        cgtn  chinadaily  chinaorgcn  copysite     ecns   xinhua    total",
        "2005-08          0           0           0         0        0        1        1",
        "2012-06          0           0           0         0        0        1        1",
        "2019-01          2           0           0         0        0        0        2",
        "2019-12          0           0           0         0        0        1        1",
        "2020-07          0           0           0         0        1        0        1",
        "2023-02          0           0           0         0        4        0        4",
        "2023-05          0           0           1         0        0        0        1",
        "2023-07          0           1           0         1        0        0        2",
        "2023-11          0           1           0         0        0        1        2",
        "2024-05          1           0           0         0        1        0        2",
        "2026-05          0           0           0         0        0        1        1",
        "2026-08          0           0           1         0        0        0        1",
        "2026-09          2           0           0         0        0        1        3",
        "2026-10          0           0           0         0        1        0        1",
    ]


def test_stats_json_is_for_scripts(archive):
    stats = json.loads(newsarchive("stats", "--archive", str(archive), "--json").stdout)
    assert stats["articles"] == 22
    assert stats["article_records"] == 23
    assert stats["articles_by_source_month"]["ecns"] == {
        "2020-07": 1,
        "2023-02": 4,
        "2024-05": 1,
        "2026-10": 1,
    }
    assert stats["languages"] == {"en": 15, "zh": 8}


# verify ------------------------------------------------------------------------------


def test_verify_passes_an_intact_archive(archive):
    result = newsarchive("verify", "--archive", str(archive))
    assert result.returncode == 0, result.stdout
    assert result.stdout == (
        "verify: 35 files checked against 7 run manifests, 0 problems, 0 warnings\n"
    )


def test_verify_catches_a_byte_flipped_in_a_warc_file(scratch_archive):
    warc = sorted(scratch_archive.rglob("*ecns*.warc.gz"))[0]
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0xFF
    warc.write_bytes(bytes(data))
    result = newsarchive("verify", "--archive", str(scratch_archive))
    key = warc.relative_to(scratch_archive).as_posix()
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        f"PROBLEM  {key}: content differs from the manifest of run "
    )
    assert result.stdout.splitlines()[-1].endswith("1 problems, 0 warnings")


def test_verify_catches_a_truncated_and_a_missing_file(scratch_archive):
    files = sorted(scratch_archive.glob("articles/source=xinhua/*/*.jsonl.gz"))
    files[0].write_bytes(files[0].read_bytes()[:20])
    files[1].unlink()
    result = newsarchive("verify", "--archive", str(scratch_archive))
    problems = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM")]
    assert result.returncode == 1
    assert [p.split(":")[0] for p in problems] == [
        f"PROBLEM  {files[0].relative_to(scratch_archive).as_posix()}",
        f"PROBLEM  {files[1].relative_to(scratch_archive).as_posix()}",
    ]
    assert "(20 bytes, manifest says" in problems[0]
    assert problems[1].endswith(": missing (listed by run " + problems[1].split("run ")[-1])


def test_verify_warns_of_files_no_manifest_lists(scratch_archive):
    stray = scratch_archive / "warc/source=ecns/date=2026-01-01/stray.warc.gz"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"")
    result = newsarchive("verify", "--archive", str(scratch_archive))
    assert result.returncode == 0
    assert (
        "warning  warc/source=ecns/date=2026-01-01/stray.warc.gz: in the archive but in no run"
        in (result.stdout)
    )


# show --------------------------------------------------------------------------------


def test_show_prints_the_latest_version_of_an_article(archive):
    result = newsarchive("show", ECNS_EDITED, "--archive", str(archive))
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert lines[0] == "China, Russia to strengthen cooperation in international affairs"
    assert lines[2] == f"url        {ECNS_EDITED}"
    assert "version 2" in result.stdout


def test_show_raw_prints_the_captured_response(archive):
    result = subprocess.run(
        [str(BIN / "newsarchive"), "show", CHINADAILY_2023[0], "--raw", "--archive", str(archive)],
        capture_output=True,
        timeout=60,
    )
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    assert result.returncode == 0
    assert head.splitlines()[0] == b"HTTP/1.1 200 OK"
    assert b"Senior CPC official meets Russian Prosecutor General" in body


def test_show_finds_an_article_by_another_spelling_of_its_url(archive):
    other = ECNS_EDITED.replace("https://", "http://").replace("www.ecns.cn", "WWW.ECNS.CN")
    result = newsarchive("show", other + "?utm_source=feed", "--archive", str(archive))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2] == f"url        {ECNS_EDITED}"


def test_show_finds_an_article_by_the_start_of_its_id(archive):
    full = json.loads(newsarchive("show", ECNS_EDITED, "--archive", str(archive), "--json").stdout)
    result = newsarchive("show", full["id"][:8], "--archive", str(archive), "--json")
    assert json.loads(result.stdout)["id"] == full["id"]


def test_show_refuses_an_id_prefix_of_several_articles(archive):
    result = newsarchive("show", "", "--archive", str(archive))  # the start of every id
    assert result.returncode == 1
    assert result.stderr.startswith("newsarchive show: '' starts 22 article ids (")
    assert result.stderr.endswith(", …): give more of it\n")


CHINANEAST = "http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm"


def test_show_html_prints_a_gbk_page_decoded(archive):
    result = newsarchive("show", CHINANEAST, "--html", "--archive", str(archive))
    assert result.returncode == 0, result.stderr
    assert "李金泽" in result.stdout


def test_show_body_prints_the_page_as_served(archive):
    result = subprocess.run(
        [str(BIN / "newsarchive"), "show", CHINANEAST, "--body", "--archive", str(archive)],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "李金泽".encode("gb18030") in result.stdout
    assert "李金泽".encode() not in result.stdout


def test_show_of_an_unknown_article_says_so(archive):
    result = newsarchive("show", "no-such-id", "--archive", str(archive))
    assert result.returncode == 1
    assert result.stderr == f"newsarchive: no article 'no-such-id' in {archive}\n"


# download: selection -----------------------------------------------------------------


def test_download_one_outlet_one_year(archive, tmp_path):
    result = download(
        archive, tmp_path, "--source", "chinadaily", "--since", "2023", "--until", "2023"
    )
    size = sum(p.stat().st_size for p in archive.glob("articles/source=chinadaily/*/*"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "selected 2 article files (chinadaily; 2023-01-01 .. 2023-12-31)",
        f"fetched 2 ({size:,} bytes), 0 already in {tmp_path}, 0 skipped",
        f"wrote 2 articles (latest versions) to {tmp_path / 'articles.jsonl'}",
    ]
    assert urls(tmp_path) == CHINADAILY_2023


def test_download_by_language(archive, tmp_path):
    download(archive, tmp_path, "--lang", "zh")
    assert urls(tmp_path) == [
        "https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html",
        "http://www.chinanews.com/ll/2020/07-04/9229287.shtml",
        "https://www.chinanews.com.cn/gj/2024/05-01/10210211.shtml",
        "http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm",
        "http://www.he.xinhuanet.com/news/2012-06/04/content_25340717.htm",
        "http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm",
        "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm",
        "https://www.news.cn/milpro/20260915/5f6458f153d94e58a2e0d22264e5252e/c.html",
    ]


def test_a_filtered_download_puts_only_the_selection_where_a_query_looks(archive, tmp_path):
    download(archive, tmp_path, "--contains", "RUSSIA", "--format", "parquet")
    selected = duckdb.sql(f"select count(*) from '{tmp_path}/articles.parquet'").fetchall()
    copied = sum(
        1
        for p in tmp_path.glob("archive-files/articles/**/*.jsonl.gz")
        for _ in read_records(p.read_bytes())
    )
    assert not (tmp_path / "articles").exists()
    assert selected[0][0] < copied  # the whole files stay apart, under archive-files/


def test_a_second_export_into_the_same_folder_adds_to_download_json(archive, tmp_path):
    download(archive, tmp_path, "--source", "ecns")
    download(archive, tmp_path, "--source", "ecns", "--format", "parquet")
    record = json.loads((tmp_path / "download.json").read_text())
    assert record["format"] == "parquet" and "articles.parquet" in record["files"]
    assert [e["format"] for e in record["earlier"]] == ["jsonl"]
    assert "articles.jsonl" in record["earlier"][0]["files"]


def test_download_by_phrase_ignores_case(archive, tmp_path):
    download(archive, tmp_path, "--contains", "RUSSIA")
    assert urls(tmp_path) == [
        "https://news.cgtn.com/news/2024-05-29/9th-meeting-of-China-Russia-law-enforcement-"
        "security-cooperation-mechanism-held-1u1qFGVx1mM/index.html",
        "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c.html",
        "http://www.china.org.cn/world/2023-05/25/content_85311924.htm",
        "https://www.worldnewsera.example/zhao-leji-meets-with-russian-delegation-to-"
        "strengthen-sino-russian-relations/",
        ECNS_EDITED,
    ]


def test_download_gives_the_latest_version_of_each_article(archive, tmp_path):
    download(archive, tmp_path, "--source", "ecns")
    records = [json.loads(line) for line in (tmp_path / "articles.jsonl").open()]
    assert len(records) == 6
    assert [r["version"] for r in records if r["url"] == ECNS_EDITED] == [2]


def test_download_all_versions_keeps_every_version(archive, tmp_path):
    download(archive, tmp_path, "--source", "ecns", "--all-versions")
    records = [json.loads(line) for line in (tmp_path / "articles.jsonl").open()]
    edited = [r for r in records if r["url"] == ECNS_EDITED]
    assert len(records) == 7
    assert [r["version"] for r in edited] == [1, 2]
    assert edited[1]["previous_sha256"] == edited[0]["content_sha256"]


def test_download_writes_its_provenance(archive, tmp_path):
    download(archive, tmp_path, "--source", "xinhua", "--format", "csv")
    provenance = json.loads((tmp_path / "download.json").read_text())
    assert provenance["archive"] == str(archive)
    assert provenance["selection"]["sources"] == ["xinhua"]
    assert provenance["articles"] == 6
    assert len(provenance["article_files"]) == 6
    assert list(provenance["files"]) == ["articles.csv"]


# download: resume and corruption -----------------------------------------------------


def test_rerun_after_an_interruption_fetches_only_what_is_missing(archive, tmp_path):
    first = download(archive, tmp_path, "--source", "xinhua")
    copies = sorted(tmp_path.glob("archive-files/articles/**/*.jsonl.gz"))
    # The state a kill leaves: one file never fetched, one caught half-written.
    copies[0].unlink()
    copies[1].rename(copies[1].with_name(copies[1].name + ".part"))
    (tmp_path / "articles.jsonl").unlink()
    second = download(archive, tmp_path, "--source", "xinhua")
    assert first.returncode == second.returncode == 0
    missing = copies[0].stat().st_size + copies[1].stat().st_size
    assert second.stdout.splitlines()[1] == (
        f"fetched 2 ({missing:,} bytes), 4 already in {tmp_path}, 0 skipped"
    )
    assert len(urls(tmp_path)) == 6


def test_rerun_replaces_a_local_copy_that_was_damaged(archive, tmp_path):
    download(archive, tmp_path, "--source", "cgtn")
    copy = sorted(tmp_path.glob("archive-files/articles/**/*.jsonl.gz"))[0]
    copy.write_bytes(b"garbage")
    result = download(archive, tmp_path, "--source", "cgtn")
    assert result.stdout.splitlines()[1].startswith("fetched 1 (")
    assert len(urls(tmp_path)) == 5


def test_download_skips_a_corrupted_archive_file_with_a_warning(scratch_archive, tmp_path):
    bad = sorted(scratch_archive.glob("articles/source=xinhua/*/*.jsonl.gz"))[0]
    bad.write_bytes(bad.read_bytes()[:-7])
    result = download(scratch_archive, tmp_path / "out", "--source", "xinhua")
    key = bad.relative_to(scratch_archive).as_posix()
    assert result.returncode == 1
    assert result.stderr.startswith(f"warning: {key}: skipped: does not match the manifest of run ")
    assert "Traceback" not in result.stderr
    assert (
        result.stdout.splitlines()[-1] == "download incomplete: 1 skipped, see the warnings above"
    )
    assert len(urls(tmp_path / "out")) == 5
    assert not (tmp_path / "out" / key).exists()


# download: formats -------------------------------------------------------------------


def test_parquet_reads_back_with_the_documented_schema(archive, tmp_path):
    download(archive, tmp_path, "--format", "parquet")
    table = pq.read_table(tmp_path / "articles.parquet")
    assert table.schema.equals(schema(), check_metadata=True)
    assert table.num_rows == 22
    row = next(r for r in table.to_pylist() if r["url"] == ECNS_EDITED)
    assert row["published"] == "2023-02-04T15:13:19+08:00"
    assert row["published_utc"] == datetime(2023, 2, 4, 7, 13, 19, tzinfo=UTC)
    assert (row["published_estimate"], row["published_source"], row["published_date"]) == (
        "2023-02-04T15:13:19+08:00",
        "page",
        date(2023, 2, 4),
    )
    assert row["version"] == 2


def test_parquet_schema_is_the_one_the_datasheet_documents():
    text = (ROOT / "docs/DATASHEET.md").read_text()
    table = text.split("<!-- parquet-schema -->")[1]
    documented = re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", table, flags=re.M)
    assert documented == [(f.name, str(f.type)) for f in schema()]


def test_parquet_is_readable_by_duckdb_pandas_and_datasets(archive, tmp_path):
    import datasets
    import pandas

    download(archive, tmp_path, "--format", "parquet", "--source", "ecns")
    path = str(tmp_path / "articles.parquet")
    assert duckdb.sql(f"select count(*) from '{path}' where language = 'en'").fetchall() == [(4,)]
    assert len(pandas.read_parquet(path)) == 6
    ds = datasets.Dataset.from_parquet(path, cache_dir=str(tmp_path / "hf"))
    assert sorted(ds["url"]) == sorted(urls_of(tmp_path / "articles.parquet"))


def urls_of(parquet: Path) -> list[str]:
    return pq.read_table(parquet, columns=["url"]).column("url").to_pylist()


def test_csv_has_one_row_per_article_and_lists_as_json(archive, tmp_path):
    import csv

    download(archive, tmp_path, "--format", "csv", "--source", "chinadaily")
    rows = list(csv.DictReader((tmp_path / "articles.csv").open(encoding="utf-8")))
    assert [r["url"] for r in rows] == CHINADAILY_2023
    assert list(rows[0]) == schema().names
    assert json.loads(rows[0]["paragraphs"])[0].startswith("BEIJING -- Chen Wenqing, a member")


def test_with_warc_brings_the_articles_records_and_a_valid_wacz(archive, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    result = download(archive, tmp_path, "--source", "ecns", "--wacz")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in (tmp_path / "articles.jsonl").open()]
    warcs = sorted((tmp_path / "warc").rglob("*.warc.gz"))
    ids = []
    for path in warcs:
        with path.open("rb") as fh:
            ids += [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(fh)]
    assert sorted(ids) == sorted(r["warc"]["record_id"] for r in records)
    check = subprocess.run([str(BIN / "warcio"), "check", *map(str, warcs)], capture_output=True)
    assert check.returncode == 0, check.stdout
    valid = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(tmp_path / "articles.wacz")],
        capture_output=True,
        text=True,
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "Validation succeeded" in valid.stdout


# bad input ---------------------------------------------------------------------------


def test_an_unknown_source_lists_the_valid_ones(archive, tmp_path):
    result = download(archive, tmp_path, "--source", "bbc")
    assert result.returncode == 2
    assert result.stderr == (
        f"newsarchive download: unknown source 'bbc'; {archive} has: "
        "cgtn, chinadaily, chinaorgcn, copysite, ecns, xinhua\n"
    )


def test_a_malformed_date_names_the_argument_and_the_form(archive, tmp_path):
    result = download(archive, tmp_path, "--since", "2023-13-01")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "newsarchive download: error: argument --since: '2023-13-01' is not a date: "
        "expected YYYY-MM-DD (or YYYY-MM, or YYYY)"
    )


def test_a_missing_archive_says_so(tmp_path):
    result = download(tmp_path / "nowhere", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr == (
        f"newsarchive download: no archive at {tmp_path / 'nowhere'}: the folder does not exist\n"
    )


# the README's DuckDB query over the archive itself ------------------------------------


def test_the_readme_duckdb_query_runs_on_the_archive(archive):
    readme = (ROOT / "README.md").read_text()
    query = re.search(r"```sql\n(.*?)```", readme, flags=re.S).group(1)
    rows = duckdb.sql(query.replace("'archive/", f"'{archive}/")).fetchall()
    assert [row[0] for row in rows] == sorted(CHINADAILY_2023)
