"""Reading an archive back the way a researcher would, for the end-to-end tests."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchive.storage import Storage

# Every article page the replay serves and the profiles' entry points reach: the
# reconstructed seed pages, the captured pages and the pages constructed in the outlets'
# 2025-2026 templates (tests/replay/fixtures/*/README.md).
EXPECTED_ARTICLES = {
    "chinadaily": {
        "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c.html",
        "https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html",
    },
    "cgtn": {
        "https://news.cgtn.com/news/2024-05-29/9th-meeting-of-China-Russia-law-enforcement-"
        "security-cooperation-mechanism-held-1u1qFGVx1mM/index.html",
        "https://news.cgtn.com/news/3d3d514d3259544d32457a6333566d54/index.html",
        "https://www.cgtn.com/news/3d3d514e7a51444d32457a6333566d54/share_p.html",
        "https://news.cgtn.com/news/2026-09-25/China-launches-new-satellite-for-ocean-"
        "monitoring-1Gq3XkTz2Lm/p.html",
        "https://newsus.cgtn.com/news/2026-09-24/U-S-China-trade-talks-resume-in-Geneva-"
        "1Gp9WvRt7Ks/p.html",
    },
    "chinaorgcn": {
        "http://www.china.org.cn/world/2023-05/25/content_85311924.htm",
        "http://www.china.org.cn/2026-08/14/content_118647000.shtml",
    },
    "ecns": {
        "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml",
        "https://www.ecns.cn/china/politics/2026-10-03/detail-ihfkteqw7941628.shtml",
        "http://www.chinanews.com/ll/2020/07-04/9229287.shtml",
        "https://www.chinanews.com.cn/gj/2024/05-01/10210211.shtml",
    },
    "xinhua": {
        "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm",
        "http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm",
        "http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm",
        "http://www.he.xinhuanet.com/news/2012-06/04/content_25340717.htm",
        "https://english.news.cn/20260509/3f2a9c7e5b1d4e8fa6c0b2d4e6f8a1c3/c.html",
        "https://www.news.cn/milpro/20260915/5f6458f153d94e58a2e0d22264e5252e/c.html",
    },
    "copysite": {
        "https://www.worldnewsera.example/zhao-leji-meets-with-russian-delegation-to-"
        "strengthen-sino-russian-relations/"
    },
}


def keys(storage: Storage, prefix: str) -> list[str]:
    return sorted(o.key for o in storage.list(prefix))


def read_articles(storage: Storage) -> list[dict]:
    records = []
    for key in keys(storage, "articles/"):
        with gzip.open(io.BytesIO(storage.get_bytes(key)), "rt", encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh)
    return records


def read_manifests(storage: Storage) -> list[dict]:
    return [json.loads(storage.get_bytes(k)) for k in keys(storage, "runs/")]


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    """`warcio check -v`: verifies every record's block and payload digests."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(path)],
        capture_output=True,
        text=True,
    )


def record_at(storage: Storage, pointer: dict, *, raw: bool = False):
    """The WARC record a pointer names, fetched with a range read as `show --raw` will.
    Returns the record and its payload: decoded, or with raw=True as the server sent it."""
    data = storage.get_range(pointer["filename"], pointer["offset"], pointer["length"])
    record = next(iter(ArchiveIterator(io.BytesIO(data))))
    return record, (record.raw_stream.read() if raw else record.content_stream().read())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
