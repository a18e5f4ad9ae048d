"""The extraction worker pool: trafilatura and cleaning run off the reactor thread.

Processes, not threads: extraction is CPU-bound Python. Workers are started with
'spawn' because forking a process that runs a Twisted reactor and upload threads is
unsafe; each worker warms its imports once so no page pays for them.

Workers do not run the crawl's main script. multiprocessing's spawn runs the parent's
``__main__`` again in each child (as ``__mp_main__``, so that functions defined there
can be unpickled), and the crawl's main script is Scrapy's console script: every worker
imported Scrapy and Twisted, 25 MB of memory each, to run functions of
``pipelines.article``. The pool's processes are started with ``__main__``'s path out of
sight (:class:`_WorkerProcess`); nothing sent to a worker is defined in a main script.

Workers die with the crawl. A spawned worker holds a write end of its own task queue,
so it never sees end-of-file when the crawl process is killed (``kill -9``, the OOM
killer) and would wait for work forever, keeping the multiprocessing resource tracker
alive with it. Each worker therefore watches its parent and exits once it has been
re-parented.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

# How often a worker checks that the crawl process is still its parent: an orphan lives
# at most this long (a getppid() a second costs nothing measurable).
PARENT_CHECK_SECONDS = 1.0


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)  # the crawl is gone: nobody will read this worker's results


def _start_worker(parent: int) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()
    import pipelines.article  # noqa: F401 - warm: imports trafilatura, lxml, profiles


def worker_count(configured: int) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    """A spawned process that does not import the parent's main script. Spawn has the
    child run ``__main__`` again by its path when it was started from a file (a console
    script such as ``scrapy``), which it reads from ``__main__.__file__`` while the
    process starts: the attribute is put aside for that moment, in the thread that
    submits the work. (A ``python -m package`` main is not re-run by spawn anyway.)"""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        main = sys.modules["__main__"]
        path = main.__dict__.pop("__file__", None)
        try:
            return multiprocessing.context.SpawnProcess._Popen(process_obj)
        finally:
            if path is not None:
                main.__file__ = path


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkerProcess


def make_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=worker_count(workers),
        mp_context=_WorkerContext(),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )


def _ready() -> int:
    time.sleep(0.1)  # held a moment, so that each warm-up task lands on its own worker
    return os.getpid()


def warm_up(pool: ProcessPoolExecutor, workers: int) -> list[Future]:
    """Start every worker of a pool (spawn, imports) before pages are timed on it: a
    page's extraction budget is for extracting, not for importing trafilatura."""
    return [pool.submit(_ready) for _ in range(worker_count(workers))]


def kill_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now, busy workers included: the way to take back a worker stuck on one
    page. (The executor has no public handle on its processes; ``_processes`` has been
    there since Python 3.2.) Its other tasks fail with BrokenProcessPool."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
