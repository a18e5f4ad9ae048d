"""Which URLs the crawler refuses to fetch, whatever page or redirect points there."""

from __future__ import annotations

import pytest

from crawler.downloadermiddlewares.address_guard import refusal


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link_local"),
        ("http://127.0.0.1:8333/newsarchive/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://api.localhost/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one decimal number
        ("http://0x7f.1/", "loopback"),
        ("http://10.0.0.5/admin", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://[fd00::1]/", "private"),
        ("http://0.0.0.0/", "reserved"),
        ("file:///etc/passwd", "scheme"),
        ("ftp://www.ecns.cn/x", "scheme"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "scheme"),
        ("http:///nohost", "no_host"),
    ],
)
def test_refused(url, reason):
    assert refusal(url) == reason


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ecns.cn/news/politics/",
        "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm",
        "http://8.8.8.8/",
    ],
)
def test_public_addresses_and_names_pass(url):
    assert refusal(url) is None


def test_the_allow_setting_lifts_the_address_check_but_not_the_scheme_check():
    assert refusal("http://127.0.0.1:8080/", allow_private=True) is None
    assert refusal("file:///etc/passwd", allow_private=True) == "scheme"
