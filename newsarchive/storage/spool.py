"""The local spool: every archive file is written here first and leaves only once the
storage has confirmed it, so an outage or a kill never loses a closed file.

Files still being written live under ``.open/<owner>/`` (the owner is the crawl writing
them, which holds ``.open/<owner>.lock`` while alive); closed files waiting for upload sit
at their final key. A later run repairs the files of owners that died, and uploads
whatever earlier runs left (``drain``).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from newsarchive.storage import Storage, StorageError, sha256_file

logger = logging.getLogger(__name__)

OPEN_DIR = ".open"


@dataclass(frozen=True)
class Uploaded:
    key: str
    size: int
    sha256: str
    sent: bool
    ok: bool = True


class Spool:
    def __init__(
        self,
        root: Path,
        storage: Storage,
        *,
        on_uploaded: Callable[[Uploaded], None] | None = None,
        attempts: int = 5,
        backoff: float = 1.0,
        deadline: float = 180.0,
        workers: int = 2,
        owner: str = "writer",
    ) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.owner = owner
        self._owner_lock = self._lock_owner(owner)
        self.storage = storage
        self.on_uploaded = on_uploaded
        self.attempts = attempts
        self.backoff = backoff
        self.deadline = deadline
        # Set once a file has used up its attempts: the storage is down, and later files
        # are not attempted (they wait in the spool, and the next run uploads them
        # first), so that a hung endpoint delays the end of a run by one file's
        # deadline, not by one S3 call (3 tries of 30 s) per file.
        self.storage_down = False
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="upload")
        self._futures: list[Future] = []

    def path_for(self, key: str) -> Path:
        return self.root / key

    def open_path_for(self, key: str) -> Path:
        """Where the file for key is written until it is closed."""
        return self.root / OPEN_DIR / self.owner / key

    def _lock_owner(self, owner: str):
        import fcntl

        lock_dir = self.root / OPEN_DIR
        lock_dir.mkdir(parents=True, exist_ok=True)
        handle = (lock_dir / f"{owner}.lock").open("w")
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def abandoned(self) -> list[tuple[str, Path]]:
        """(key, path) of files being written by crawls that are no longer running."""
        import fcntl

        found = []
        base = self.root / OPEN_DIR
        for lock_path in sorted(base.glob("*.lock")):
            owner = lock_path.stem
            if owner == self.owner:
                continue
            with lock_path.open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # that crawl is alive
                folder = base / owner
                if folder.is_dir():
                    found += [
                        (p.relative_to(folder).as_posix(), p)
                        for p in sorted(folder.rglob("*"))
                        if p.is_file()
                    ]
                else:
                    lock_path.unlink(missing_ok=True)
        return found

    def finish(self, key: str) -> None:
        """A file this crawl wrote is complete: move it out of .open and upload it."""
        self.adopt(key, self.open_path_for(key))
        self.submit(key)

    def adopt(self, key: str, path: Path) -> None:
        """Move a repaired file of a dead crawl to its final place in the spool."""
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)

    def submit(self, key: str) -> Future:
        """Upload the closed file spooled under key, in the background."""
        future = self._pool.submit(self._upload, key)
        with self._lock:
            self._futures.append(future)
        return future

    def _upload(self, key: str) -> Uploaded | None:
        path = self.path_for(key)
        sha256 = sha256_file(path)
        size = path.stat().st_size
        if self.storage_down:
            why = f"{key} not attempted: the storage failed earlier in this run"
            self._give_up(key, size, sha256, f"{why} (kept at {path})")
            return None
        delay = self.backoff
        started = time.monotonic()
        for attempt in range(1, self.attempts + 1):
            try:
                sent = self.storage.put_file(path, key, sha256)
                break
            except StorageError as exc:
                out_of_time = time.monotonic() - started + delay > self.deadline
                if attempt == self.attempts or out_of_time or self.storage_down:
                    self.storage_down = True
                    tries = f"{attempt} attempt" + ("s" if attempt > 1 else "")
                    self._give_up(key, size, sha256, f"{exc} (after {tries}; kept at {path})")
                    return None
                logger.warning("upload of %s failed (attempt %d): %s", key, attempt, exc)
                time.sleep(delay)
                delay *= 2
        uploaded = Uploaded(key, size, sha256, sent)
        if self.on_uploaded:
            self.on_uploaded(uploaded)
        path.unlink()  # only now: the storage has confirmed the object
        return uploaded

    def _give_up(self, key: str, size: int, sha256: str, message: str) -> None:
        """The file stays in the spool for the next run; the run reports it."""
        logger.error("storage error: %s", message)
        with self._lock:
            self.errors.append(message)
        if self.on_uploaded:
            self.on_uploaded(Uploaded(key, size, sha256, sent=False, ok=False))

    def pending(self) -> list[str]:
        """Closed files a previous run left behind (never half-written ``.open`` ones)."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file()
            and p.relative_to(self.root).parts[0] != OPEN_DIR
            and not p.name.endswith(".part")
        )

    def drain(self) -> list[Uploaded]:
        futures = [self.submit(key) for key in self.pending()]
        return [r for f in futures if (r := f.result()) is not None]

    def wait(self) -> list[str]:
        """Block until every submitted upload has finished; returns the errors."""
        while True:
            with self._lock:
                futures = [f for f in self._futures if not f.done()]
            if not futures:
                break
            for future in futures:
                future.result()
        return list(self.errors)

    def close(self) -> list[str]:
        errors = self.wait()
        self._pool.shutdown(wait=True)
        folder = self.root / OPEN_DIR / self.owner
        if folder.is_dir() and not any(p.is_file() for p in folder.rglob("*")):
            shutil.rmtree(folder, ignore_errors=True)
        (self.root / OPEN_DIR / f"{self.owner}.lock").unlink(missing_ok=True)
        self._owner_lock.close()
        return errors
