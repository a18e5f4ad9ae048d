"""The two extraction development sets (eval/README.md) and their scoring rules.

* ``eval/trafilatura``: 989 pages of trafilatura's own benchmark, scored as its
  ``tests/eval_common.py`` does: whitespace folded, a ``with`` snippet found in the output
  is a true positive (else a false negative), a ``without`` snippet found is a false
  positive (else a true negative); precision, recall and F1 over all snippets.
* ``eval/zh-dev``: 49 Chinese pages with gold readings, scored by paragraphs: a produced
  paragraph is right when it equals an expected one after NFC and whitespace folding
  (each expected paragraph counts once), optional lines are ignored, anything else is a
  false positive and a junk line when it contains a junk string; plus titles, dates
  (same minute, or same day when only a day is expected), agency and editor.

Each page is run through three extractors in a worker process: this pipeline (as
``newsarchive extract`` runs it, without a source profile, since these sites are not
crawled), and plain trafilatura with ``fast=True`` and ``fast=False``.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"
EXTRACTORS = ("newsarchive", "trafilatura fast", "trafilatura full")


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


# -- extractors ------------------------------------------------------------------------


def run_ours(body: bytes, url: str) -> dict:
    from newsarchive.items import ArticlePage
    from pipelines.article import build_article
    from pipelines.extract import ExtractionFailed

    try:
        return dict(build_article(ArticlePage.single("", url, body)))
    except ExtractionFailed as exc:
        return {"failed": exc.reason, "paragraphs": [], "text": ""}


def run_plain(body: bytes, url: str, fast: bool) -> dict:
    import trafilatura

    from newsarchive.decode import decode_html

    html, _, _ = decode_html(body, None)
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        fast=fast,
    )
    text = (doc.text if doc else "") or ""
    return {
        "failed": None if text.strip() else "empty",
        "paragraphs": [p.strip() for p in text.split("\n") if p.strip()],
        "text": text,
        "title": doc.title if doc else None,
        "published": doc.date if doc else None,
        "agency": None,
        "editor": None,
    }


def run_selected(names: tuple[str, ...], args: tuple[bytes, str]) -> dict[str, dict]:
    body, url = args
    runners = {
        "newsarchive": lambda: run_ours(body, url),
        "trafilatura fast": lambda: run_plain(body, url, True),
        "trafilatura full": lambda: run_plain(body, url, False),
    }
    return {name: runners[name]() for name in names}


def run_pages(
    pages: list[tuple[bytes, str]], workers: int, names: tuple[str, ...] = EXTRACTORS
) -> Iterator[dict[str, dict]]:
    run = partial(run_selected, names)
    if workers <= 1:
        yield from map(run, pages)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(run, pages, chunksize=4)


# -- trafilatura's benchmark -----------------------------------------------------------


@dataclass
class SnippetScore:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, text: str, case: dict, name: str) -> None:
        folded = fold(text)
        for snippet in case.get("with") or []:
            if fold(snippet) in folded:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in case.get("without") or []:
            if fold(snippet) in folded:
                self.fp += 1
            else:
                self.tn += 1
        if not folded:
            self.failed.append(name)

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(1e-9, p + r)


def trafilatura_set() -> list[tuple[str, dict, bytes]]:
    data = json.loads((EVAL / "trafilatura" / "evaldata.json").read_text())
    pages = []
    for url, case in data.items():
        path = EVAL / "trafilatura" / "pages" / f"{case['file']}.gz"
        if not path.exists():
            path = EVAL / "trafilatura" / "pages" / case["file"]
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        pages.append((url, case, body))
    return pages


def score_trafilatura_set(
    workers: int = 2, names: tuple[str, ...] = EXTRACTORS
) -> dict[str, SnippetScore]:
    cases = trafilatura_set()
    scores = {name: SnippetScore() for name in names}
    results = run_pages([(body, url) for url, _, body in cases], workers, names)
    for (url, case, _), outputs in zip(cases, results, strict=True):
        for name, output in outputs.items():
            scores[name].add(output.get("text") or "", case, url)
    return scores


# -- zh-dev ----------------------------------------------------------------------------


@dataclass
class ZhScore:
    right: int = 0
    produced: int = 0
    expected: int = 0
    junk: int = 0
    titles: int = 0
    dates: int = 0
    agency: int = 0
    editor: int = 0
    pages: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / max(1, self.produced)

    @property
    def recall(self) -> float:
        return self.right / max(1, self.expected)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(1e-9, p + r)


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def date_right(produced: str | None, want: dict) -> bool:
    """Same minute (compared in UTC when both carry a zone, else as wall-clock times), or
    the same day when only a day is expected; ``published_alt`` values count too."""
    if not want.get("published"):
        return not produced
    got = _parse(produced) if produced else None
    if got is None:
        return False
    for expected in [want["published"], *(want.get("published_alt") or [])]:
        wanted = _parse(expected) if expected else None
        if wanted is None:
            continue
        if len(expected.strip()) <= 10:
            if got.date() == wanted.date():
                return True
            continue
        if len(produced.strip()) <= 10:
            continue
        if got.tzinfo and wanted.tzinfo:
            same = got.astimezone(UTC).replace(second=0) == wanted.astimezone(UTC).replace(second=0)
        else:
            same = got.replace(tzinfo=None, second=0) == wanted.replace(tzinfo=None, second=0)
        if same:
            return True
    return False


def zh_dev() -> list[tuple[str, dict, bytes]]:
    cases = []
    for path in sorted((EVAL / "zh-dev").glob("*.expected.json")):
        want = json.loads(path.read_text())
        body = (EVAL / "zh-dev" / want["file"]).read_bytes()
        cases.append((want["file"], want, body))
    return cases


def _same(a: str | None, b: str | None) -> bool:
    return fold(a or "") == fold(b or "")


def score_zh_page(score: ZhScore, output: dict, want: dict, name: str) -> None:
    expected = [fold(p) for p in want["paragraphs"]]
    optional = {fold(p) for p in want.get("optional") or []}
    junk = [fold(j) for j in want.get("junk") or [] if fold(j)]
    remaining = list(expected)
    score.pages += 1
    score.expected += len(expected)
    for paragraph in output.get("paragraphs") or []:
        line = fold(paragraph)
        if not line or line in optional:
            continue
        score.produced += 1
        if line in remaining:
            remaining.remove(line)
            score.right += 1
        elif any(j in line for j in junk):
            score.junk += 1
    if output.get("failed"):
        score.failed.append(name)
    score.titles += _same(output.get("title"), want.get("title"))
    score.dates += date_right(output.get("published"), want)
    score.agency += _same(output.get("agency"), want.get("agency"))
    score.editor += _same(output.get("editor"), want.get("editor"))


def score_zh_dev(workers: int = 2, names: tuple[str, ...] = EXTRACTORS) -> dict[str, ZhScore]:
    cases = zh_dev()
    scores = {name: ZhScore() for name in names}
    pages = [
        (body, want.get("url") or f"https://zh-dev.example/{name}") for name, want, body in cases
    ]
    for (name, want, _), outputs in zip(cases, run_pages(pages, workers, names), strict=True):
        for extractor, output in outputs.items():
            score_zh_page(scores[extractor], output, want, name)
    return scores
