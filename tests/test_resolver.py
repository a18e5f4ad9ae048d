"""The resolver Twisted connects with makes the address guard's check on the answer it
connects to, so a name that rebinds after the guard's lookup is still refused. Real
lookups through the operating system, on a real reactor (in a child process: a reactor
runs once per process)."""

from __future__ import annotations

import subprocess
import sys

from crawler.resolver import proxy_hosts
from tests.conftest import ROOT

LOOKUP = """
import sys
from twisted.internet import reactor
from crawler.resolver import GuardedResolver

resolver = GuardedResolver(
    reactor, 100, 5.0, allow_private=sys.argv[2] == "allow", exempt=sys.argv[3:]
)
found = resolver.getHostByName(sys.argv[1])
found.addCallbacks(
    lambda address: print("connects to", address),
    lambda failure: print("refused:", failure.getErrorMessage()),
)
found.addBoth(lambda _: reactor.stop())
reactor.run()
"""


def lookup(name: str, *, allow: bool = False, exempt: tuple[str, ...] = ()) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LOOKUP, name, "allow" if allow else "check", *exempt],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_name_that_resolves_to_loopback_is_refused_at_connect_time():
    assert lookup("localhost") == (
        "refused: DNS lookup failed: localhost resolves to a loopback address."
    )


def test_allow_private_lets_the_connection_through():
    assert lookup("localhost", allow=True) == "connects to 127.0.0.1"


def test_the_configured_proxy_may_live_on_a_private_address():
    assert lookup("localhost", exempt=("localhost",)) == "connects to 127.0.0.1"


def test_proxy_hosts_are_read_from_proxy_urls():
    assert proxy_hosts(["http://proxy.internal:3128", "10.0.0.5:8080"]) == {
        "proxy.internal",
        "10.0.0.5",
    }
