"""A labelled evaluation of republication clusters (newsarchive.stories), for `make eval`.

    python -m tests.story_pairs [--pages 250]

Articles: real texts in the repository: the five seed articles (tests/seeds/expected: five
different China–Russia meetings, the hard negatives), the captured outlet pages
(tests/expected_captured), the 49 Chinese pages of eval/zh-dev (their gold paragraphs),
and the first ``--pages`` usable pages of eval/trafilatura in URL order (text by
trafilatura ``fast=True``, about 55 pages/s; mostly European languages). An article is
its headline, then its paragraphs, one per line (what a store pipeline would pass).

Positives: each article's republications, made by deterministic transformations
(:data:`TRANSFORMS`, each documented): page furniture around the verbatim text, the first
half of the paragraphs, a new headline without the agency attribution and dateline, a
sentence edited, paragraphs merged and re-wrapped, punctuation and width changed, and a
copy site doing several at once. An article and its copies form one family; every pair
inside a family is a positive, every pair across families a negative. Hard negatives are
the cross-family pairs from one group: the seeds, the pages of one site (zh-dev's 163,
sina, toutiao…, the trafilatura set's hosts, the captured outlets).

Every text goes through the real incremental index (SQLite) in one seeded shuffled order,
so copies often arrive before their original. Scores: pairwise precision and recall of
"same story" over all pairs, how many hard negatives merged, and per transformation the
share of copies that got their original's story.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newsarchive.stories import han_majority, open_index

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
EVAL = ROOT / "eval"


@dataclass(frozen=True)
class Article:
    key: str
    group: str  # articles of one group are same-topic or same-site: hard negatives
    title: str
    paragraphs: tuple[str, ...]

    @property
    def chinese(self) -> bool:
        return han_majority(" ".join(self.paragraphs))


def text_of(title: str, paragraphs: list[str] | tuple[str, ...]) -> str:
    return "\n".join([title, *paragraphs]) if title else "\n".join(paragraphs)


def seed_articles() -> list[Article]:
    found = []
    for path in sorted((TESTS / "seeds" / "expected").glob("*.json")):
        want = json.loads(path.read_text("utf-8"))
        found.append(
            Article(f"seed/{path.stem}", "seeds", want["title"] or "", tuple(want["body"]))
        )
    return found


def captured_articles() -> list[Article]:
    found = []
    for path in sorted((TESTS / "expected_captured").glob("*.json")):
        want = json.loads(path.read_text("utf-8"))
        body = want.get("body") or want.get("paragraphs") or []
        if body:
            outlet = "captured/" + path.stem.split("-")[0]
            found.append(Article(f"captured/{path.stem}", outlet, want["title"] or "", tuple(body)))
    return found


def zh_dev_articles() -> list[Article]:
    found = []
    for path in sorted((EVAL / "zh-dev").glob("*.expected.json")):
        want = json.loads(path.read_text("utf-8"))
        name = path.name.removesuffix(".expected.json")
        site = re.sub(r"-\d+$", "", name)
        found.append(
            Article(
                f"zh-dev/{name}", f"zh-dev/{site}", want["title"] or "", tuple(want["paragraphs"])
            )
        )
    return found


def trafilatura_articles(pages: int) -> list[Article]:
    """The first ``pages`` pages (URL order) whose extracted text has at least three
    paragraphs and 500 characters: an article, not a list page or a stub."""
    import trafilatura

    index = json.loads((EVAL / "trafilatura" / "evaldata.json").read_text("utf-8"))
    found: list[Article] = []
    for url, entry in sorted(index.items()):
        if len(found) >= pages:
            break
        path = EVAL / "trafilatura" / "pages" / f"{entry['file']}.gz"
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        found_json = trafilatura.extract(
            html, fast=True, include_comments=False, output_format="json", with_metadata=True
        )
        extracted = json.loads(found_json) if found_json else {}
        text = extracted.get("text") or ""
        paragraphs = tuple(p.strip() for p in text.splitlines() if p.strip())
        if len(paragraphs) < 3 or len(text) < 500:
            continue
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host == "web.archive.org":  # the archived page's own host
            host = urlsplit(re.sub(r"^/web/\d+\w*/", "", parts.path)).hostname or host
        title = extracted.get("title") or ""
        found.append(Article(f"trafilatura/{entry['file']}", f"host/{host}", title, paragraphs))
    return found


# -- the transformations: each a republication a real copy site makes -------------------

_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'-]+,\s+\w+\.? \d{1,2}\s*\((?:Xinhua|Reuters|AP|AFP)\)\s*[-—–]+\s*"
    r"|[A-Z][A-Z .'-]+\s+[-—–]{1,2}\s+"
    r"|新华社[^（(。，]{0,20}电\s*(?:[（(][^）)]{0,30}[）)])?"
    r"|中新[网社][^（(。，]{0,20}电\s*(?:[（(][^）)]{0,30}[）)])?)"
)
_ATTRIBUTION = re.compile(
    r"^(?:Xinhua\b.*|Source:.*|来源[:：].*|\(?Enditem\)?|[（(]完[）)]|【责任编辑.*|责任编辑[:：].*)$",
    re.IGNORECASE,
)


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", paragraph) if s]


def furniture(a: Article) -> tuple[str, list[str]]:
    """The verbatim text inside another site's page furniture that extraction kept: a
    breadcrumb line before, an editor and a copyright line after."""
    if a.chinese:
        head, tail = (
            ["首页 > 国际 > 正文"],
            ["责任编辑：李明", "版权所有 © 2024 示例网 未经授权禁止转载"],
        )
    else:
        head, tail = (
            ["Home | World | News"],
            ["Editor: Li Ming", "Copyright © 2024 example.com. All rights reserved."],
        )
    return a.title, [*head, *a.paragraphs, *tail]


def trimmed(a: Article) -> tuple[str, list[str]]:
    """The first half of the paragraphs (rounded up): the copy kept the top of the story."""
    return a.title, list(a.paragraphs[: (len(a.paragraphs) + 1) // 2])


def reheadlined(a: Article) -> tuple[str, list[str]]:
    """A new headline (the first words of the body, as copy sites make them), the
    dateline with its agency removed, attribution lines ("Xinhua | Updated…", 来源:…,
    Enditem, 责任编辑) dropped."""
    body = [_DATELINE.sub("", p).strip() for p in a.paragraphs if not _ATTRIBUTION.match(p.strip())]
    body = [p for p in body if p]
    first = body[0] if body else a.title
    title = first[:18] if a.chinese else " ".join(first.split()[:9])
    return title, body


def edited(a: Article) -> tuple[str, list[str]]:
    """One sentence replaced: in the longest paragraph, its middle sentence."""
    body = list(a.paragraphs)
    at = max(range(len(body)), key=lambda i: len(body[i]))
    parts = _sentences(body[at])
    new = "相关数据已于周二更新。" if a.chinese else "The figures were revised on Tuesday."
    parts[len(parts) // 2] = new
    body[at] = ("" if a.chinese else " ").join(parts)
    return a.title, body


def rewrapped(a: Article) -> tuple[str, list[str]]:
    """Paragraphs merged in twos, then hard-wrapped as a plain-text copy would (Chinese
    every 30 characters, other text at the last space before 70)."""
    joiner = "" if a.chinese else " "
    merged = [joiner.join(a.paragraphs[i : i + 2]) for i in range(0, len(a.paragraphs), 2)]
    lines: list[str] = []
    for paragraph in merged:
        if a.chinese:
            lines += [paragraph[i : i + 30] for i in range(0, len(paragraph), 30)]
        else:
            line = ""
            for word in paragraph.split():
                if line and len(line) + 1 + len(word) > 70:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            lines.append(line)
    return a.title, lines


_TO_HALF = str.maketrans(
    {"，": ",", "。": ".", "：": ":", "；": ";", "（": "(", "）": ")", "“": '"', "”": '"'}
)
_TO_FANCY = str.maketrans({'"': "”", "'": "’", "-": "–"})


def repunctuated(a: Article) -> tuple[str, list[str]]:
    """Punctuation and widths changed: Chinese full-width punctuation to ASCII and digits
    to full-width; elsewhere straight quotes curly, hyphens en dashes, doubled spaces."""
    if a.chinese:
        wide = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})
        body = [p.translate(_TO_HALF).translate(wide) for p in a.paragraphs]
    else:
        body = [p.translate(_TO_FANCY).replace(" ", "  ").replace(",", " ,") for p in a.paragraphs]
    return a.title, body


def copy_site(a: Article) -> tuple[str, list[str]]:
    """A copy site doing several at once: re-headlined without attribution, the first two
    thirds of the paragraphs, its own furniture around them."""
    title, body = reheadlined(a)
    body = body[: max(1, (2 * len(body) + 2) // 3)]
    return furniture(Article(a.key, a.group, title, tuple(body)))


TRANSFORMS = {
    "furniture": furniture,
    "trim-half": trimmed,
    "reheadline": reheadlined,
    "edit": edited,
    "rewrap": rewrapped,
    "punctuation": repunctuated,
    "copy-site": copy_site,
}


def articles(pages: int) -> list[Article]:
    """The originals, without exact duplicates of text (a page saved twice would be a
    positive labelled as a negative)."""
    seen: set[str] = set()
    found = []
    for a in [
        *seed_articles(),
        *captured_articles(),
        *zh_dev_articles(),
        *trafilatura_articles(pages),
    ]:
        text = text_of("", a.paragraphs)
        if text not in seen:
            seen.add(text)
            found.append(a)
    return found


def score(pages: int = 250, seed: int = 0) -> dict:
    """Build the set, run it through a fresh SQLite index, and count."""
    started = time.monotonic()
    originals = articles(pages)
    loaded = time.monotonic() - started
    items: list[tuple[str, int, str, str]] = []  # (item id, family, transform, text)
    for family, a in enumerate(originals):
        items.append((f"{family}/original", family, "original", text_of(a.title, a.paragraphs)))
        for name, transform in TRANSFORMS.items():
            if name == "trim-half" and len(a.paragraphs) < 2:
                continue
            title, body = transform(a)
            items.append((f"{family}/{name}", family, name, text_of(title, body)))
    order = list(items)
    random.Random(seed).shuffle(order)
    story: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="story-pairs-") as scratch:
        index = open_index(Path(scratch) / "stories.sqlite")
        clock = time.monotonic()
        for item_id, _, _, text in order:
            story[item_id] = index.assign(item_id, text)
        assigning = time.monotonic() - clock
        index.close()

    members: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    for item in items:
        members[story[item[0]]].append(item)
    family_sizes = Counter(item[1] for item in items)
    positives = sum(k * (k - 1) // 2 for k in family_sizes.values())
    n = len(items)
    negatives = n * (n - 1) // 2 - positives
    true_pos = predicted = 0
    hard_merged: list[tuple[str, str]] = []
    for group in members.values():
        predicted += len(group) * (len(group) - 1) // 2
        true_pos += sum(k * (k - 1) // 2 for k in Counter(item[1] for item in group).values())
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                if x[1] != y[1] and originals[x[1]].group == originals[y[1]].group:
                    hard_merged.append((x[0], y[0]))
    group_sizes = Counter(originals[item[1]].group for item in items)
    hard = sum(k * (k - 1) // 2 for k in group_sizes.values()) - sum(
        family_sizes[f] * (family_sizes[f] - 1) // 2 for f in family_sizes
    )
    by_transform: dict[str, list[bool]] = defaultdict(list)
    originals_story = {item[1]: story[item[0]] for item in items if item[2] == "original"}
    for item_id, family, name, _ in items:
        if name != "original":
            by_transform[name].append(story[item_id] == originals_story[family])
    false_pos = predicted - true_pos
    return {
        "articles": len(originals),
        "chinese": sum(a.chinese for a in originals),
        "texts": n,
        "stories": len(members),
        "positive_pairs": positives,
        "negative_pairs": negatives,
        "hard_negative_pairs": hard,
        "true_positives": true_pos,
        "false_positives": false_pos,
        "hard_negatives_merged": len(hard_merged),
        "hard_merged_examples": hard_merged[:5],
        "precision": true_pos / predicted if predicted else 1.0,
        "recall": true_pos / positives if positives else 1.0,
        "joined_original": {k: sum(v) / len(v) for k, v in by_transform.items()},
        "copies": {k: len(v) for k, v in by_transform.items()},
        "seconds_load": loaded,
        "seconds_assign": assigning,
    }


def summary(result: dict) -> str:
    return (
        f"stories: precision {result['precision']:.4f} recall {result['recall']:.4f} on "
        f"{result['positive_pairs']:,} positive / {result['negative_pairs']:,} negative pairs "
        f"({result['hard_negatives_merged']} of {result['hard_negative_pairs']:,} hard negatives "
        f"merged; {result['articles']} articles, {result['chinese']} Chinese, "
        f"{result['texts']:,} texts)"
    )


def table(result: dict) -> list[str]:
    lines = [f"{'copy':14} {'texts':>6} {'joined its original':>20}"]
    for name, share in result["joined_original"].items():
        lines.append(f"{name:14} {result['copies'][name]:>6} {share:>20.3f}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.story_pairs", description=__doc__)
    parser.add_argument("--pages", type=int, default=250, help="pages of eval/trafilatura")
    args = parser.parse_args()
    result = score(args.pages)
    print("\n".join(table(result)))
    if result["hard_merged_examples"]:
        print("hard negatives merged, e.g.:", result["hard_merged_examples"])
    print(
        f"(load {result['seconds_load']:.1f} s, assign {result['seconds_assign']:.1f} s "
        f"for {result['texts']:,} texts)"
    )
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
