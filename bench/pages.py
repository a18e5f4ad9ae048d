"""The scaled replay for `make bench`: any number of distinct article pages, made from
the recorded pages of the outlets (English and Chinese, modern and legacy templates).

Each page is a fixture with its canonical link removed and a numbered paragraph added,
so every page is a different article to the crawler (new URL, new text, new hash) while
the work of extracting it stays that of a real page. Served by the replay through its
``generator`` routes (bench/routes.yaml); the trafilatura-only baseline reads the same
pages from here.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests/replay/fixtures"
TEMPLATES = [
    "reconstructed/chinaorgcn-002.html",
    "reconstructed/chinadaily-000.html",
    "reconstructed/ecns-004.html",
    "reconstructed/copysite-003.html",
    "captured/cgtn/cgtn-article-2019-01-21-china-cambodia-cooperation.html",
    "captured/chinadaily/chinadaily-cn-zh-article-2023-11-17-WS65571297.html",
    "captured/chinanews/chinanews-zh-article-2020-07-04-ll-9229287-rendered-dom.html",
    "captured/xinhua/newscn-zh-fortune-2023-11-17-c_1129981476.html",
    "captured/xinhua/xinhuanet-zh-world-2019-12-10-c_1125327450.html",
]
BASE = "http://www.china.org.cn/bench/2023-05/{day:02d}/content_{n}.htm"
_CANONICAL = re.compile(rb"<link[^>]+rel=[\"']?canonical[^>]*>|<meta[^>]+og:url[^>]*>", re.I)
_FIRST_P = re.compile(rb"<p[ >]", re.I)
_TEXT = (
    "cooperation development delegation ministry provincial growth exports forum "
    "infrastructure reform innovation agreement summit exchange investment"
)
WORDS = tuple(_TEXT.split(" "))


def count() -> int:
    return int(os.environ.get("BENCH_PAGES", "2000"))


def url(n: int) -> str:
    return BASE.format(day=n % 28 + 1, n=100000 + n)


@cache
def _template(i: int) -> tuple[bytes, int, str]:
    raw = _CANONICAL.sub(b"", (FIXTURES / TEMPLATES[i]).read_bytes())
    charset = "gbk" if b"charset=gb" in raw[:4096].lower() else "utf-8"
    match = _FIRST_P.search(raw)
    return raw, match.start() if match else len(raw) // 2, charset


def page(n: int) -> tuple[bytes, str]:
    """(body, content type) of bench article n."""
    raw, at, charset = _template(n % len(TEMPLATES))
    words = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(12))
    note = f"<p>Bench dispatch number {n}: {words}, reported on day {n % 28 + 1}.</p>"
    return raw[:at] + note.encode(charset) + raw[at:], f"text/html; charset={charset}"


def article(request_url: str, match: re.Match) -> tuple[bytes, str]:
    return page(int(match.group(2)) - 100000)


def home(request_url: str, match: re.Match | None) -> tuple[bytes, str]:
    """The home page, China.org.cn's entry point in its profile, linking every page."""
    links = "".join(f'<li><a href="{url(n)}">Dispatch {n}</a></li>' for n in range(count()))
    return f"<html><body><ul>{links}</ul></body></html>".encode(), "text/html; charset=utf-8"
