"""Edit-alignment accuracy of the ledger (corpus.edits.compare), for `make eval`.

    python -m tests.edit_cases

Each real article in the repository (the seeds, the captured outlet pages, zh-dev's gold
paragraphs: English and Chinese) is edited in known ways, one edit a case, and the
alignment must find exactly that edit: the same changes (kind, old sentence, new
sentence, in order), the same title change and the right ``cosmetic`` flag. The edits
are what state-media editors do (corpus.edits' docstring): one sentence reworded, a
sentence added at the end, one removed, a sentence split in two, a punctuation or
spacing fix (cosmetic), a headline reworded, and another article served at the URL (a
replacement, which must be told from an edit). A case is right only when everything
matches; the accuracy is the share of right cases, per kind of edit.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable

from corpus.edits import Change, Edit, compare, sentences
from tests.story_pairs import Article, captured_articles, seed_articles, zh_dev_articles

Case = tuple[dict, dict, list[Change], bool, bool]  # old, new, changes, cosmetic, replaced


def _record(title: str, paragraphs: list[str]) -> dict:
    return {"title": title, "paragraphs": paragraphs, "version": 1}


def _case(
    title: str, body: list[str], edited: list[str], changes: list[Change], *, cosmetic: bool
) -> Case:
    """A body edited under the same headline, and the changes it must be found to hold."""
    return _record(title, body), _record(title, edited), changes, cosmetic, False


def _at(article: Article) -> tuple[list[str], int, int] | None:
    """The body and the (paragraph, sentence) of the middle sentence of a paragraph with
    several: where the edits are made."""
    body = list(article.paragraphs)
    for index, paragraph in enumerate(body):
        parts = sentences([paragraph])
        if len(parts) >= 3:
            return body, index, len(parts) // 2
    return None


def _middle_sentence_changed(
    a: Article, change: Callable[[str], str | None], *, cosmetic: bool
) -> Case | None:
    """The case of the middle sentence of a paragraph (:func:`_at`) turned into
    ``change(sentence)``; None where there is no such sentence or no such change."""
    found = _at(a)
    if not found:
        return None
    body, index, number = found
    old = sentences([body[index]])[number]
    new = change(old)
    if new is None or new == old:
        return None
    edited = [*body]
    edited[index] = body[index].replace(old, new, 1)
    return _case(a.title, body, edited, [Change("changed", old, new)], cosmetic=cosmetic)


def reworded(a: Article) -> Case | None:
    def officials_said(old: str) -> str:
        core = old.rstrip("。！？；.!?”’」』）)\"' ")
        return core + ("，官方称" if a.chinese else ", officials said") + old[len(core) :]

    return _middle_sentence_changed(a, officials_said, cosmetic=False)


def added(a: Article) -> Case:
    line = "该报道已更新。" if a.chinese else "This story has been updated."
    body = list(a.paragraphs)
    return _case(a.title, body, [*body, line], [Change("added", None, line)], cosmetic=False)


def removed(a: Article) -> Case | None:
    found = _at(a)
    if not found:
        return None
    body, index, number = found
    old = sentences([body[index]])[number]
    edited = [*body]
    edited[index] = " ".join(
        s for i, s in enumerate(sentences([body[index]])) if i != number
    ) if not a.chinese else "".join(
        s for i, s in enumerate(sentences([body[index]])) if i != number
    )  # fmt: skip
    if (
        sentences(edited) != [s for s in sentences(body) if s != old]
        or len([s for s in sentences(body) if s == old]) != 1
    ):
        return None
    return _case(a.title, body, edited, [Change("removed", old, None)], cosmetic=False)


def punctuated(a: Article) -> Case | None:
    def repunctuated(old: str) -> str | None:
        if a.chinese:
            comma = old.find("，")
            return old[:comma] + "、" + old[comma + 1 :] if comma >= 0 else None
        space = old.find(" ")
        if space < 0 or old[space - 1] == ",":
            return None
        return old[:space] + ", " + old[space + 1 :]

    return _middle_sentence_changed(a, repunctuated, cosmetic=True)


def retitled(a: Article) -> Case | None:
    if not a.title:
        return None
    title = ("（更新）" if a.chinese else "UPDATE: ") + a.title
    body = list(a.paragraphs)
    return _record(a.title, body), _record(title, body), [], False, False


def replaced(a: Article, other: Article) -> Case | None:
    if not a.title or not other.title or a.title == other.title:
        return None
    old, new = _record(a.title, list(a.paragraphs)), _record(other.title, list(other.paragraphs))
    return old, new, compare(old, new).changes, False, True


EDITS: dict[str, Callable[[Article], Case | None]] = {
    "reworded": reworded,
    "added": added,
    "removed": removed,
    "punctuation": punctuated,
    "retitled": retitled,
}


def right(case: Case) -> bool:
    old, new, changes, cosmetic, is_replacement = case
    edit: Edit = compare(old, new)
    if is_replacement:
        return edit.replacement
    title = (old["title"], new["title"]) if old["title"] != new["title"] else None
    return (
        edit.changes == changes
        and edit.title == title
        and edit.cosmetic == cosmetic
        and not edit.replacement
    )


def score() -> dict:
    articles = [*seed_articles(), *captured_articles(), *zh_dev_articles()]
    tried: Counter = Counter()
    good: Counter = Counter()
    wrong: list[str] = []
    for position, article in enumerate(articles):
        cases = {name: make(article) for name, make in EDITS.items()}
        cases["replaced"] = replaced(article, articles[(position + 7) % len(articles)])
        for name, case in cases.items():
            if case is None:
                continue
            tried[name] += 1
            if right(case):
                good[name] += 1
            elif len(wrong) < 5:
                wrong.append(f"{name}: {article.key}")
    total, correct = sum(tried.values()), sum(good.values())
    return {
        "articles": len(articles),
        "cases": total,
        "accuracy": correct / total if total else 0.0,
        "by_edit": {name: (good[name], tried[name]) for name in tried},
        "wrong": wrong,
    }


def table(result: dict) -> list[str]:
    lines = [f"{'edit':12} {'right':>6} {'cases':>6}"]
    for name, (good, tried) in result["by_edit"].items():
        lines.append(f"{name:12} {good:>6} {tried:>6}")
    return lines


def summary(result: dict) -> str:
    return (
        f"edits: alignment accuracy {result['accuracy']:.3f} on {result['cases']} constructed "
        f"edits of {result['articles']} real articles"
    )


def main() -> int:
    result = score()
    print("\n".join(table(result)))
    if result["wrong"]:
        print("wrong, e.g.:", "; ".join(result["wrong"]))
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
