"""The extraction worker pool: trafilatura and cleaning run off the reactor thread.

Processes, not threads: extraction is CPU-bound Python. Workers are started with
'spawn' because forking a process that runs a Twisted reactor and upload threads is
unsafe; each worker warms its imports once so no page pays for them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def _warm() -> None:
    import pipelines.article  # noqa: F401 - imports trafilatura, lxml, profiles


def worker_count(configured: int) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)


def make_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=worker_count(workers),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_warm,
    )
