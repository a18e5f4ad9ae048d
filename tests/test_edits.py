"""Edits between versions, sentence by sentence: the ECNS article the later replay edits
(one sentence extended), and edits made on real article text."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from corpus.edits import Change, compare, sentences
from newsarchive.items import ArticlePage
from pipelines.article import build_article
from tests.conftest import BIN, FIXTURES

URL = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"
OLD_SENTENCE = (
    "He noted that China is willing to work with Russia to earnestly implement the important "
    "consensus reached by the two heads of state and push for new progress in bilateral "
    "relations in the new year."
)
NEW_SENTENCE = (
    "He noted that China is willing to work with Russia to earnestly implement the important "
    "consensus reached by the two heads of state, push for new progress in bilateral "
    "relations in the new year, and expand people-to-people exchanges."
)


def record(path: Path, version: int) -> dict:
    page = ArticlePage.single("ecns", URL, path.read_bytes(), "text/html")
    return {**build_article(page), "version": version}


@pytest.fixture(scope="module")
def versions() -> tuple[dict, dict]:
    return (
        record(FIXTURES / "reconstructed/ecns-004.html", 1),
        record(FIXTURES / "constructed/ecns-004-edited.html", 2),
    )


def test_a_sentence_extended_is_one_changed_sentence(versions):
    edit = compare(*versions)
    assert edit.changes == [Change("changed", OLD_SENTENCE, NEW_SENTENCE)]
    assert (edit.title, edit.published, edit.cosmetic) == (None, None, False)


def test_a_punctuation_fix_is_cosmetic(versions):
    old, _ = versions
    fixed = {**old, "version": 2, "paragraphs": [p.replace(",", "，") for p in old["paragraphs"]]}
    edit = compare(old, fixed)
    assert edit.changes and all(change.kind == "changed" for change in edit.changes)
    assert edit.cosmetic


def test_a_sentence_added_at_the_end_is_added(versions):
    old, _ = versions
    longer = {**old, "version": 2, "paragraphs": [*old["paragraphs"], "A new closing line."]}
    assert compare(old, longer).changes == [Change("added", None, "A new closing line.")]


def test_a_retitled_article_says_so_and_is_not_cosmetic(versions):
    old, _ = versions
    retitled = {**old, "version": 2, "title": "Another headline"}
    edit = compare(old, retitled)
    assert (edit.title, edit.changes, edit.cosmetic) == (
        (old["title"], "Another headline"),
        [],
        False,
    )


def test_chinese_text_splits_at_its_sentence_ends():
    assert sentences(["中方愿同俄方一道落实共识。双方同意加强合作！明年再见？", "第二段"]) == [
        "中方愿同俄方一道落实共识。",
        "双方同意加强合作！",
        "明年再见？",
        "第二段",
    ]


@pytest.fixture(scope="module")
def archive(versioned_archive) -> Path:
    return versioned_archive


def newsarchive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "newsarchive"), *args], capture_output=True, text=True)


def test_the_diff_command_shows_the_edit_the_later_crawl_archived(archive):
    done = newsarchive("diff", URL, "--archive", str(archive))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("version 1 (captured ")
    assert lines[1].endswith(": 1 changed")
    assert lines[2:] == [f"~ - {OLD_SENTENCE}", f"~ + {NEW_SENTENCE}"]


def test_the_html_diff_marks_the_changed_sentences(archive):
    done = newsarchive("diff", URL, "--archive", str(archive), "--html")
    assert f"<del>{OLD_SENTENCE}</del>" in done.stdout
    assert f"<ins>{NEW_SENTENCE}</ins>" in done.stdout


def test_an_article_with_one_version_has_nothing_to_compare(archive):
    done = newsarchive(
        "diff",
        "https://www.ecns.cn/news/2024-05-24/detail-ihcvafmp5536128.shtml",
        "--archive",
        str(archive),
    )
    assert done.returncode == 1


def test_changes_lists_the_edit_and_the_deletion_of_the_later_crawl(archive):
    done = newsarchive("changes", "--archive", str(archive), "--json")
    assert done.returncode == 0, done.stderr
    found = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted((c["kind"], c["url"]) for c in found) == [
        ("deletion", "http://www.chinanews.com/ll/2020/07-04/9229287.shtml"),
        ("edit", URL),
    ]
    assert [c["at"] for c in found] == sorted(c["at"] for c in found)
    (edit,) = [c for c in found if c["kind"] == "edit"]
    assert (edit["from"], edit["to"], edit["cosmetic"]) == (1, 2, False)
    assert edit["sentences"] == {"added": 0, "removed": 0, "changed": 1}
