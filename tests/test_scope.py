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
        ("http://100.100.100.200/latest/meta-data/", "shared"),  # carrier-grade NAT
        ("http://100.64.0.1/", "shared"),
        ("http://192.0.2.10/", "private"),  # a documentation range
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


def test_a_name_that_does_not_resolve_is_refused_when_the_crawler_connects_itself():
    assert refusal("http://no-such-host.invalid/", resolve=True) == "unresolved"


def test_dns_answers_are_kept_for_a_bounded_time(monkeypatch):
    """A name first public, then pointed at a private address (DNS rebinding): the
    guard sees the new answer once the cached one is older than DNS_TTL_SECONDS."""
    from crawler.downloadermiddlewares import address_guard

    answers = iter([[(0, 0, 0, "", ("93.184.216.34", 0))], [(0, 0, 0, "", ("10.0.0.7", 0))]])
    monkeypatch.setattr(address_guard.socket, "getaddrinfo", lambda *a: next(answers))
    clock = iter([1000.0, 1000.0 + address_guard.DNS_TTL_SECONDS + 1])
    monkeypatch.setattr(address_guard.time, "monotonic", lambda: next(clock))
    address_guard._answers.clear()
    assert refusal("http://rebind.example/", resolve=True) is None
    assert refusal("http://rebind.example/", resolve=True) == "private"
