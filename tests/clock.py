"""Time in the crawl state, for tests of what a later run revisits.

The replay's runs come seconds apart; the revisit schedule counts hours and days since
an article's first capture. A test makes "three hours later" by moving the state's
times back (what the archive would hold had the first run been three hours earlier),
so production code reads its own clock and its own state, unchanged."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path


def _earlier(value: str, delta: timedelta) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) - delta
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def backdate(state_dir: Path, delta: timedelta) -> int:
    """Move every first capture and last fetch in the crawl states under ``state_dir``
    back by ``delta``; returns the pages moved."""
    moved = 0
    for path in sorted(state_dir.rglob("crawl.sqlite")):
        db = sqlite3.connect(path)
        with db:
            rows = db.execute("SELECT url, first_seen, last_fetch FROM pages").fetchall()
            for url, first, last in rows:
                db.execute(
                    "UPDATE pages SET first_seen = ?, last_fetch = ? WHERE url = ?",
                    (_earlier(first, delta), _earlier(last, delta), url),
                )
        db.close()
        moved += len(rows)
    return moved
