"""The extraction workers (pipelines.pool) load what extraction needs, not the crawl's
main script: Scrapy's console script there would import Scrapy and Twisted into each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A main script like Scrapy's console script: it imports Scrapy, then starts the
# crawl's pool and asks a worker what it has loaded.
MAIN = """
import sys
sys.path.insert(0, {root!r})
import scrapy.cmdline
from pipelines.pool import make_pool

if __name__ == "__main__":
    pool = make_pool(1)
    loaded = pool.submit(
        eval, "sorted(m for m in __import__('sys').modules if m in ('scrapy', 'twisted'))"
    ).result()
    print(loaded, sys.modules["__main__"].__file__ == __file__)
    pool.shutdown()
"""


def test_a_worker_does_not_import_the_crawls_main_script(tmp_path):
    script = tmp_path / "crawl_main.py"
    script.write_text(MAIN.format(root=str(ROOT)))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # nothing of Scrapy in the worker; the main script's own __file__ back in place
    assert done.stdout.split() == ["[]", "True"]
