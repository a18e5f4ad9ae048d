"""The article pages with written-down expected results: the five reconstructed seed
pages (tests/seeds/expected) and the captured pages (tests/expected_captured)."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "seeds"
CAPTURED_EXPECTED = HERE / "expected_captured"

# seed number -> (source, URL the replay serves it at, fixture path)
SEED_PAGES = {
    "000": (
        "chinadaily",
        "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c.html",
        "reconstructed/chinadaily-000.html",
    ),
    "001": (
        "cgtn",
        "https://news.cgtn.com/news/2024-05-29/9th-meeting-of-China-Russia-law-"
        "enforcement-security-cooperation-mechanism-held-1u1qFGVx1mM/index.html",
        "reconstructed/cgtn-001.html",
    ),
    "002": (
        "chinaorgcn",
        "http://www.china.org.cn/world/2023-05/25/content_85311924.htm",
        "reconstructed/chinaorgcn-002.html",
    ),
    "003": (
        "copysite",
        "https://www.worldnewsera.example/zhao-leji-meets-with-russian-"
        "delegation-to-strengthen-sino-russian-relations/",
        "reconstructed/copysite-003.html",
    ),
    "004": (
        "ecns",
        "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml",
        "reconstructed/ecns-004.html",
    ),
}


def seed_expected(seed: str) -> dict:
    return json.loads(next((SEEDS / "expected").glob(f"{seed}_*.json")).read_text())


def captured_expected() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(CAPTURED_EXPECTED.glob("*.json"))]
