"""End to end: republication clusters and propagation, from crawls of the story replay.

Six sources are crawled as ``routes-stories.yaml`` finds them (a Xinhua story and four
republications, another railway story at CGTN), then again as
``routes-stories-later.yaml`` finds them (Xinhua's edit, taken by two copies; a
cosmetic edit at CGTN), and a week later as ``routes-stories-gone.yaml`` finds them
(Xinhua's story and the copy site's deleted)."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest

from newsarchive.storage.local import LocalStorage
from tests.archive_checks import read_articles
from tests.clock import backdate
from tests.conftest import BIN, ROOT, crawl, start_replay

pytestmark = pytest.mark.e2e
BASE = ROOT / "tests/replay/routes.yaml"
STORIES = ROOT / "tests/replay/routes-stories.yaml"
LATER = ROOT / "tests/replay/routes-stories-later.yaml"
GONE = ROOT / "tests/replay/routes-stories-gone.yaml"
SOURCES = ("xinhua", "chinadaily", "ecns", "chinaorgcn", "copysite", "cgtn")
ORIGINAL = "https://english.news.cn/20260509/3f2a9c7e5b1d4e8fa6c0b2d4e6f8a1c3/c.html"
COPIES = {
    "chinadaily": "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c.html",
    "ecns": "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml",
    "chinaorgcn": "http://www.china.org.cn/world/2023-05/25/content_85311924.htm",
    "copysite": "https://www.worldnewsera.example/zhao-leji-meets-with-russian-delegation-"
    "to-strengthen-sino-russian-relations/",
}
OTHER = (
    "https://news.cgtn.com/news/2024-05-29/9th-meeting-of-China-Russia-law-enforcement-"
    "security-cooperation-mechanism-held-1u1qFGVx1mM/index.html"
)
SEED_URLS = {
    "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c.html",
    OTHER,
    "http://www.china.org.cn/world/2023-05/25/content_85311924.htm",
    COPIES["copysite"],
    COPIES["ecns"],
}


def newsarchive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "newsarchive"), *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stories")
    for step, routes in enumerate(
        ([BASE, STORIES], [BASE, STORIES, LATER], [BASE, STORIES, LATER, GONE])
    ):
        if step == 2:
            # Eight days on: the replay schedule's 7d point (tests/conftest.py) has come.
            backdate(tmp / "state", timedelta(days=8))
        proc, replay = start_replay(tmp, routes)
        try:
            for source in SOURCES:
                done = crawl(replay, source, str(tmp / "archive"), tmp / "spool")
                assert done.returncode == 0, done.stderr[-2000:]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return LocalStorage(tmp / "archive")


@pytest.fixture(scope="module")
def story(archive):
    done = newsarchive("stories", "--archive", str(archive.root), "--json")
    assert done.returncode == 0, done.stderr
    found = [json.loads(line) for line in done.stdout.splitlines()]
    (wire,) = [s for s in found if ORIGINAL in {m["url"] for m in s["members"]}]
    return wire, found


def ids(archive) -> dict[str, str]:
    """Article id by URL."""
    return {r["url"]: r["id"] for r in read_articles(archive)}


def test_the_wire_story_and_its_four_republications_are_one_story(story):
    wire, _ = story
    assert sorted(m["url"] for m in wire["members"]) == sorted([ORIGINAL, *COPIES.values()])
    assert {m["source"] for m in wire["members"]} == {"xinhua", *COPIES}


def test_another_story_on_the_same_topic_the_same_day_is_not_in_it(story, archive):
    wire, found = story
    assert OTHER not in {m["url"] for m in wire["members"]}
    assert [s for s in found if OTHER in {m["url"] for m in s["members"]}] == []


def test_every_member_lists_what_a_researcher_cites(story):
    wire, _ = story
    (original,) = [m for m in wire["members"] if m["url"] == ORIGINAL]
    assert {k: original[k] for k in ("source", "published", "agency")} == {
        "source": "xinhua",
        "published": "2026-05-09T10:15:32+08:00",
        "agency": "Xinhua",
    }
    assert all(m["first_captured"].endswith("Z") for m in wire["members"])


def test_the_earliest_is_the_original_by_stated_publication(story, archive):
    wire, _ = story
    by_url = ids(archive)
    assert wire["earliest"] == by_url[ORIGINAL]
    # China Daily 12:40, ECNS 11:30 (+08:00) and China.org.cn (a day only) after
    # Xinhua's 10:15; the copy site states no time and comes last.
    assert wire["by_published"][0] == by_url[ORIGINAL]
    assert wire["by_published"][-1] == by_url[COPIES["copysite"]]


def test_who_keeps_and_who_drops_the_agency_attribution(story, archive):
    wire, _ = story
    by_url = ids(archive)
    assert wire["agency"] == "Xinhua"
    assert sorted(wire["keep_attribution"]) == sorted(
        by_url[u] for u in (ORIGINAL, COPIES["chinadaily"], COPIES["chinaorgcn"])
    )
    assert sorted(wire["drop_attribution"]) == sorted(
        by_url[u] for u in (COPIES["ecns"], COPIES["copysite"])
    )


def test_the_headline_variants_are_listed_with_who_ran_them(story, archive):
    wire, _ = story
    by_url = ids(archive)
    assert wire["titles"] == {
        "China's railways log record passenger trips during May Day holiday": sorted(
            (
                by_url[u]
                for u in (ORIGINAL, COPIES["chinadaily"], COPIES["ecns"], COPIES["copysite"])
            ),
            key=[m["id"] for m in wire["members"]].index,
        ),
        "Rail trips hit a record over the May Day break": [by_url[COPIES["chinaorgcn"]]],
    }


def test_the_originals_edit_reached_two_copies_and_not_the_others(story, archive):
    wire, _ = story
    by_url = ids(archive)
    (edit, _) = wire["propagation"]
    assert (edit["kind"], edit["what"]) == ("edit", "v1->v2: 1 changed")
    reached = {c["copy"]: c["status"] for c in edit["copies"]}
    assert reached == {
        by_url[COPIES["chinadaily"]]: "took",
        by_url[COPIES["copysite"]]: "took",
        by_url[COPIES["ecns"]]: "not_seen",
        by_url[COPIES["chinaorgcn"]]: "not_seen",
    }
    assert all(c["at"] >= edit["at"] for c in edit["copies"] if c["status"] == "took")


def test_changes_tells_the_real_edit_from_the_cosmetic_one(archive):
    done = newsarchive("changes", "--archive", str(archive.root), "--json")
    assert done.returncode == 0, done.stderr
    edits = {c["url"]: c for c in map(json.loads, done.stdout.splitlines()) if c["kind"] == "edit"}
    assert {u: (e["cosmetic"], e["sentences"]["changed"]) for u, e in edits.items()} == {
        ORIGINAL: (False, 1),
        COPIES["chinadaily"]: (False, 1),
        COPIES["copysite"]: (False, 1),
        OTHER: (True, 1),
    }


def test_the_story_command_shows_one_story_by_an_articles_url(story, archive):
    wire, _ = story
    done = newsarchive("story", COPIES["ecns"], "--archive", str(archive.root))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"story {wire['story']}: 5 articles"
    assert lines[1].startswith(f"earliest: xinhua {wire['earliest']} ")
    assert "edit of the earliest at " in done.stdout


def test_every_record_and_export_row_carries_its_story(story, archive, tmp_path):
    import pyarrow.parquet as pq

    wire, _ = story
    assert all(r.get("story") for r in read_articles(archive))
    done = newsarchive(
        "download", "--archive", str(archive.root), "--out", str(tmp_path), "--format", "parquet"
    )
    assert done.returncode == 0, done.stderr
    rows = pq.read_table(tmp_path / "articles.parquet").to_pylist()
    assert {r["url"] for r in rows if r["story"] == wire["story"]} == {ORIGINAL, *COPIES.values()}


def test_the_five_seed_articles_are_five_different_stories(local_run):
    storage, _, _ = local_run
    stories = {r["url"]: r["story"] for r in read_articles(storage) if r["url"] in SEED_URLS}
    assert len(stories) == 5
    assert len(set(stories.values())) == 5


def test_the_originals_deletion_reached_the_copy_site_only(story, archive):
    wire, _ = story
    by_url = ids(archive)
    (_, gone) = wire["propagation"]
    assert (gone["kind"], gone["what"]) == ("deletion", "http_404")
    assert {c["copy"]: c["status"] for c in gone["copies"]} == {
        by_url[COPIES["copysite"]]: "deleted",
        by_url[COPIES["chinadaily"]]: "still_up",
        by_url[COPIES["ecns"]]: "still_up",
        by_url[COPIES["chinaorgcn"]]: "still_up",
    }


@pytest.mark.s3
def test_stories_changes_and_the_ledger_export_read_the_same_from_s3(archive, s3_env, tmp_path):
    import os

    from newsarchive.storage.s3 import S3Storage
    from tests import corpus_archive

    env = {**os.environ, **{k: v for k, v in s3_env.items() if k != "bucket"}}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        remote = S3Storage(s3_env["bucket"], f"stories-{os.getpid()}")
        corpus_archive.copy_to(archive, remote)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def both(*args: str) -> tuple[str, str]:
        outputs = []
        for uri in (str(archive.root), remote.uri):
            done = subprocess.run(
                [str(BIN / "newsarchive"), *args, "--archive", uri],
                env=env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
        return outputs[0], outputs[1]

    for command in (("stories", "--json"), ("changes", "--json")):
        local, s3 = both(*command)
        assert local == s3 and local
    changes = local.count("\n")
    local, s3 = both("download", "--changes", "--format", "jsonl", "--out", str(tmp_path))
    wrote = f"wrote {changes} changes (4 edits, 2 deletions, 0 reappearances)"
    assert local == s3 == f"{wrote} to {tmp_path / 'changes.jsonl'}\n"


def test_a_lost_story_index_is_rebuilt_from_the_archive_with_the_same_stories(archive, tmp_path):
    from newsarchive.session import ArchiveSession

    session = ArchiveSession(
        archive_uri=str(archive.root),
        spool_dir=tmp_path / "spool",
        state_dir=tmp_path / "state",  # a new machine: no state, no story index
        source="ecns",
        warc_max_bytes=10**9,
        warcinfo={},
    )
    try:
        latest = {r["id"]: r for r in read_articles(archive) if r["version"] >= 1}
        assert session.stories_rebuilt == len(latest)
        assert {i: session.stories.story_of(i) for i in latest} == {
            i: max((r for r in read_articles(archive) if r["id"] == i), key=lambda r: r["version"])[
                "story"
            ]
            for i in latest
        }
        # A new copy of the wire story joins the story the archive already named.
        wire = next(r for r in latest.values() if r["url"] == ORIGINAL)
        assert session.stories.assign("new-copy", "\n".join(wire["paragraphs"])) == wire["story"]
    finally:
        session.close(reason="finished", stats={})


def test_the_ledger_export_holds_the_changed_sentence_of_the_originals_edit(archive, tmp_path):
    done = newsarchive(
        "download", "--changes", "--archive", str(archive.root), "--out", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text().splitlines()]
    (edit,) = [r for r in rows if r["kind"] == "edit" and r["url"] == ORIGINAL]
    lead = "China's railway network handled a record {} during the five-day May Day holiday"
    assert [(s["kind"], s["cosmetic"]) for s in edit["sentences"]] == [("changed", False)]
    (change,) = edit["sentences"]
    assert lead.format("number of passenger trips") in change["old"]
    assert lead.format("98.6 million passenger trips") in change["new"]
    assert (edit["from_version"], edit["to_version"], edit["cosmetic"]) == (1, 2, False)
