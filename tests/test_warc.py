"""The WARC writer, read back with warcio."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive.warc import RotatingWarcWriter
from newsarchive.storage.local import LocalStorage
from newsarchive.storage.spool import Spool

WHEN = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def make_writer(tmp_path: Path, max_bytes: int = 10**9) -> tuple[RotatingWarcWriter, Spool]:
    spool = Spool(tmp_path / "spool", LocalStorage(tmp_path / "archive"))
    writer = RotatingWarcWriter(
        spool,
        source="ecns",
        crawl_id="20261123T093000Z-ecns-host-1",
        crawl_date="2026-11-23",
        max_bytes=max_bytes,
        info={"operator": "https://example.org/contact"},
    )
    return writer, spool


def exchange(writer: RotatingWarcWriter, url: str = "https://www.ecns.cn/a.shtml", **kw):
    args = dict(
        url=url,
        date=WHEN,
        method="GET",
        request_target="/a.shtml",
        request_headers=[
            ("Host", "www.ecns.cn"),
            ("Authorization", "Basic c2VjcmV0"),
            ("User-Agent", "newsarchive/0.1"),
        ],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        body=b"<html><p>hello</p></html>",
        ip_address="203.0.113.7",
    )
    args.update(kw)
    return writer.write_exchange(**args)


def records(path: Path) -> list:
    with path.open("rb") as fh:
        return [
            (r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(fh)
        ]


def test_exchange_is_warcinfo_response_request_linked_by_concurrent_to(tmp_path):
    writer, spool = make_writer(tmp_path)
    pointer = exchange(writer)
    writer.close()
    spool.close()
    path = tmp_path / "archive" / pointer.filename
    (info, _, _, info_body), (resp, rh, _http, body), (req, qh, _, _) = records(path)
    assert (info, resp, req) == ("warcinfo", "response", "request")
    assert b"operator: https://example.org/contact" in info_body
    assert rh.get_header("WARC-Target-URI") == "https://www.ecns.cn/a.shtml"
    assert rh.get_header("WARC-IP-Address") == "203.0.113.7"
    assert rh.get_header("WARC-Date") == "2026-11-23T09:30:00.000000Z"
    assert qh.get_header("WARC-Concurrent-To") == rh.get_header("WARC-Record-ID")
    assert body == b"<html><p>hello</p></html>"


def test_pointer_locates_the_response_record_alone(tmp_path):
    writer, spool = make_writer(tmp_path)
    exchange(writer, url="https://www.ecns.cn/first.shtml")
    pointer = exchange(writer, url="https://www.ecns.cn/second.shtml")
    writer.close()
    spool.close()
    data = (tmp_path / "archive" / pointer.filename).read_bytes()
    chunk = data[pointer.offset : pointer.offset + pointer.length]
    record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
    assert record.rec_headers.get_header("WARC-Target-URI") == "https://www.ecns.cn/second.shtml"
    assert record.rec_headers.get_header("WARC-Record-ID") == pointer.record_id


def test_request_record_never_keeps_credentials(tmp_path):
    writer, spool = make_writer(tmp_path)
    pointer = exchange(writer)
    writer.close()
    spool.close()
    request = records(tmp_path / "archive" / pointer.filename)[2]
    assert request[2].get_header("Authorization") is None
    assert b"c2VjcmV0" not in (tmp_path / "archive" / pointer.filename).read_bytes()


def test_chunked_framing_header_is_renamed_since_the_body_is_stored_dechunked(tmp_path):
    writer, spool = make_writer(tmp_path)
    pointer = exchange(writer)
    writer.close()
    spool.close()
    http = records(tmp_path / "archive" / pointer.filename)[1][2]
    assert http.get_header("Transfer-Encoding") is None
    assert http.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"


def test_files_rotate_at_the_size_limit_and_each_starts_with_warcinfo(tmp_path):
    writer, spool = make_writer(tmp_path, max_bytes=1)  # full after every exchange
    pointers = [exchange(writer, url=f"https://www.ecns.cn/{n}.shtml") for n in range(4)]
    writer.close()
    spool.close()
    files = sorted({p.filename for p in pointers})
    assert len(files) == 4
    for name in files:
        assert records(tmp_path / "archive" / name)[0][0] == "warcinfo"
        assert name.startswith("warc/source=ecns/date=2026-11-23/newsarchive-ecns-")


def test_metadata_record_targets_a_urn_and_refers_to_the_response(tmp_path):
    writer, spool = make_writer(tmp_path)
    response = exchange(writer)
    meta = writer.write_metadata(
        article_id="abc", refers_to=response.record_id, date=WHEN, payload=b'{"id": "abc"}'
    )
    writer.close()
    spool.close()
    rec_type, headers, _, body = records(tmp_path / "archive" / meta.filename)[-1]
    assert rec_type == "metadata"
    assert headers.get_header("WARC-Target-URI") == "urn:newsarchive:article:abc"
    assert headers.get_header("WARC-Refers-To") == response.record_id
    assert body == b'{"id": "abc"}'


def test_written_files_pass_warcio_check(tmp_path):
    writer, spool = make_writer(tmp_path)
    pointer = exchange(writer)
    writer.write_metadata(article_id="a", refers_to=pointer.record_id, date=WHEN, payload=b"{}")
    writer.close()
    spool.close()
    warcio = Path(sys.executable).parent / "warcio"
    result = subprocess.run(
        [warcio, "check", "-v", tmp_path / "archive" / pointer.filename],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("digest pass") >= 2


def test_an_open_file_is_marked_open_in_the_spool_until_closed(tmp_path):
    writer, spool = make_writer(tmp_path)
    pointer = exchange(writer)
    assert spool.open_path_for(pointer.filename).exists()
    assert spool.pending() == []
    writer.close()
    spool.close()
    assert (tmp_path / "archive" / pointer.filename).exists()
