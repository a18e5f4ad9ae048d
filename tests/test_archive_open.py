"""A crawl that cannot open its archive fetches nothing, says why in one line and exits
3; a crawl state that is damaged or of another schema is set aside and rebuilt, never a
reason to stop (it is a cache of what the archive holds)."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.session import spool_root
from newsarchive.storage.local import LocalStorage
from tests.archive_checks import EXPECTED_ARTICLES, read_articles
from tests.conftest import crawl

pytestmark = pytest.mark.e2e


def test_a_spool_that_cannot_be_written_stops_the_crawl_before_any_fetch(replay, tmp_path):
    spool = tmp_path / "spool"
    spool.write_text("a file where the spool folder should be")
    result = crawl(replay, "ecns", str(tmp_path / "archive"), spool)
    assert result.returncode == 3
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("newsarchive: ")]
    assert line.startswith("newsarchive: ecns: cannot open the archive: ")
    assert "Traceback" not in result.stderr
    assert "'downloader/response_count'" not in result.stderr  # not one page fetched
    assert not (tmp_path / "archive" / "runs").exists()


def state_db(tmp_path, archive: str):
    return spool_root(tmp_path / "state", str(LocalStorage(tmp_path / "archive").root)) / (
        "crawl.sqlite"
    )


@pytest.mark.parametrize("damage", ["not a database", "another schema"])
def test_an_unusable_crawl_state_is_set_aside_and_rebuilt(replay, tmp_path, damage):
    archive = str(tmp_path / "archive")
    first = crawl(replay, "ecns", archive, tmp_path / "spool")
    assert first.returncode == 0, first.stderr[-2000:]
    db = state_db(tmp_path, archive)
    if damage == "not a database":
        db.write_bytes(b"garbage " * 1000)
        for suffix in ("-wal", "-shm"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
    else:
        with sqlite3.connect(db) as old:
            old.execute("DROP TABLE pages")
            old.execute("CREATE TABLE pages (url TEXT PRIMARY KEY, seen TEXT)")
    again = crawl(replay, "ecns", archive, tmp_path / "spool")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "is unusable" in again.stderr and "rebuilt from the archive" in again.stderr
    assert len(list(db.parent.glob("crawl.sqlite.unusable-*"))) == 1
    # Rebuilt from the archive, the state makes the second run revisit, not re-archive.
    records = read_articles(LocalStorage(tmp_path / "archive"))
    assert sorted(r["url"] for r in records) == sorted(EXPECTED_ARTICLES["ecns"])
