"""The archive the corpus tests read: every source crawled once through the replay, then
ECNS crawled again as the later replay finds it (two new articles, one edited, one
removed), so the archive holds versions and a deletion."""

from __future__ import annotations

import shutil
from pathlib import Path

from newsarchive.storage.local import LocalStorage
from tests.conftest import ROOT, crawl, start_replay

BASE = ROOT / "tests/replay/routes.yaml"
LATER = ROOT / "tests/replay/routes-later.yaml"


def build(first_run: Path, tmp: Path) -> LocalStorage:
    archive = tmp / "archive"
    shutil.copytree(first_run, archive)
    proc, replay = start_replay(tmp, [BASE, LATER])
    try:
        result = crawl(replay, "ecns", str(archive), tmp / "spool")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-2000:]
    return LocalStorage(archive)


def copy_to(source: LocalStorage, target) -> None:
    """Byte for byte, manifests included, as `aws s3 sync` would."""
    for obj in source.list(""):
        path = source.root / obj.key
        if obj.key.startswith("runs/"):
            target.put_bytes(path.read_bytes(), obj.key)
        else:
            from newsarchive.storage import sha256_file

            target.put_file(path, obj.key, sha256_file(path))
