"""The memory a crawl needs to queue one sitemap of 300,000 article URLs (issue 17.6):
`scrapy crawl cgtn` through the replay, with CGTN's latest-news sitemap replaced by one of
300,000 URLs, stopped by its time limit once everything is queued; the crawl's peak RSS
(Scrapy's memusage/max) and where the scheduler kept the requests.

    python -m bench.big_sitemap [--seconds 90]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.replay.server import ca_file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUTES = (ROOT / "tests/replay/routes.yaml", ROOT / "bench/routes-big-sitemap.yaml")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.big_sitemap", description=__doc__)
    parser.add_argument("--seconds", type=float, default=90, help="the crawl's time limit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sitemap-") as scratch:
        root = Path(scratch)
        port_file = root / "replay.port"
        command = [sys.executable, "-m", "tests.replay.server", "--port-file", str(port_file)]
        for routes in ROUTES:
            command += ["--routes", str(routes)]
        replay = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
        try:
            for _ in range(200):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.05)
            proxy = f"http://127.0.0.1:{port_file.read_text()}"
            env = {
                **os.environ,
                "http_proxy": proxy,
                "https_proxy": proxy,
                "no_proxy": "127.0.0.1,localhost",
                "SSL_CERT_FILE": str(ca_file(port_file)),
                "ARCHIVE_URI": str(root / "archive"),
                "NEWSARCHIVE_SPOOL": str(root / "spool"),
                "NEWSARCHIVE_STATE": str(root / "state"),
                "NEWSARCHIVE_DOWNLOAD_DELAY": "0",
                "NEWSARCHIVE_AUTOTHROTTLE": "0",
                "NEWSARCHIVE_TIME_LIMIT": str(args.seconds),
            }
            env.pop("NO_PROXY", None)
            crawl = subprocess.run(
                [str(BIN / "scrapy"), "crawl", "cgtn", "-s", "LOG_LEVEL=ERROR"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
        finally:
            replay.terminate()
            replay.wait()
        (manifest,) = [json.loads(p.read_text()) for p in (root / "archive/runs").glob("*")]
    stats = manifest["stats"]
    queued = stats.get("discovery/articles_from_sitemap", 0)
    on_disk = stats.get("scheduler/enqueued/disk", 0)
    print(
        f"sitemap of 300,000 URLs: {queued:,} queued ({on_disk:,} of "
        f"{stats.get('scheduler/enqueued', 0):,} requests on disk), "
        f"{stats.get('downloader/request_count', 0):,} fetched in {args.seconds:g} s, "
        f"peak RSS {stats.get('memusage/max', 0) / 2**20:.0f} MB (exit {crawl.returncode})"
    )
    return 0 if queued == 300_000 else 1


if __name__ == "__main__":
    sys.exit(main())
