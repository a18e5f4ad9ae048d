"""`make bench`: the whole crawl, end to end, on a scaled offline replay, against a
single-process trafilatura-only baseline on the same pages.

    python -m bench.run [--pages 2000] [--rounds 3] [--memory-pages 20000] [--write FILE]

Prints pages/s and articles/s of the crawl (to a local folder, and to SeaweedFS when
S3_TEST_ENDPOINT is set), CPU ms per page by stage, the peak RSS of the crawl's process
tree, the baseline's pages/s, and last the headline line
``bench: ratio R, pipeline X articles/s, trafilatura-only Y pages/s, peak RSS M MB,
trafilatura-set F1 F, zh-dev F1 Z``: the last two measured by the same code on the
extraction development sets (eval/), so a speed-up that costs quality shows in one line.
The ratio is the local crawl's articles/s over the baseline's pages/s. Each of
``--rounds`` rounds measures the two back to back, and the round of median ratio is
the one reported: on this shared machine one crawl of the same code measured 65.6 and,
minutes later, 80.3 articles/s, and a baseline measured a minute away from its crawl does
not see the same machine.
Speed and memory are measured here, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.replay.server import ca_file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STAGES = ("extract", "clean", "normalize", "warc", "store")


def tree_rss(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    members = {root_pid}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in members and pid not in members:
                members.add(pid)
                changed = True
    return sum(rss.get(pid, 0) for pid in members)


@dataclass
class CrawlResult:
    target: str
    pages: int
    articles: int
    seconds: float
    cpu_seconds: float
    peak_rss: int
    stage_us: dict[str, int]
    rss_samples: list[tuple[float, int]] = field(default_factory=list)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds

    def stage_ms(self) -> dict[str, float]:
        per_page = {k: self.stage_us.get(k, 0) / 1000 / max(self.pages, 1) for k in STAGES}
        accounted = sum(self.stage_us.get(k, 0) for k in STAGES) / 1e6
        per_page["fetch"] = (self.cpu_seconds - accounted) * 1000 / max(self.pages, 1)
        return {"fetch": per_page.pop("fetch"), **per_page}


def start_replay(pages: int, scratch: Path) -> tuple[subprocess.Popen, str]:
    port_file = scratch / "replay.port"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.replay.server",
            "--routes",
            str(ROOT / "bench/routes.yaml"),
            "--port-file",
            str(port_file),
            "--no-conditional",
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_PAGES": str(pages)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        if port_file.exists() and port_file.read_text():
            return proc, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the bench replay did not start")


def crawl(target: str, archive: str, pages: int, scratch: Path, extra_env: dict) -> CrawlResult:
    replay, proxy = start_replay(pages, scratch)
    env = {
        **os.environ,
        **extra_env,
        "http_proxy": proxy,
        "https_proxy": proxy,
        "no_proxy": "127.0.0.1,localhost",
        "SSL_CERT_FILE": str(ca_file(scratch / "replay.port")),
        "ARCHIVE_URI": archive,
        "NEWSARCHIVE_SPOOL": str(scratch / "spool"),
        "NEWSARCHIVE_STATE": str(scratch / "state"),
        "NEWSARCHIVE_DOWNLOAD_DELAY": "0",
        "NEWSARCHIVE_AUTOTHROTTLE": "0",
        "NEWSARCHIVE_LOG_LEVEL": "INFO",
    }
    env.pop("NO_PROXY", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            str(BIN / "scrapy"),
            "crawl",
            "chinaorgcn",
            "-s",
            f"LOG_FILE={scratch / 'crawl.log'}",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples: list[tuple[float, int]] = []

    def sample() -> None:
        while proc.poll() is None:
            samples.append((time.monotonic() - started, tree_rss(proc.pid)))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = proc.wait()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    replay.terminate()
    replay.wait()
    if status != 0:
        raise RuntimeError(f"bench crawl exited {status}; see {scratch / 'crawl.log'}")
    from newsarchive.storage import open_storage

    storage = open_storage(archive)
    (manifest_key,) = [o.key for o in storage.list("runs/")]
    manifest = json.loads(storage.get_bytes(manifest_key))
    stats = manifest["stats"]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return CrawlResult(
        target=target,
        pages=stats.get("downloader/response_count", 0),
        articles=manifest["counts"]["articles"],
        seconds=float(stats.get("elapsed_time_seconds") or (time.monotonic() - started)),
        cpu_seconds=cpu,
        peak_rss=max((rss for _, rss in samples), default=0),
        stage_us={k: int(stats.get(f"timing/{k}_us", 0)) for k in STAGES},
        rss_samples=samples,
    )


def s3_credentials() -> dict[str, str]:
    """The test S3 server's endpoint and credentials (`make bench` starts it), set in
    this process's environment too, as the AWS variables boto3 reads."""
    s3 = {
        "AWS_ENDPOINT_URL": os.environ["S3_TEST_ENDPOINT"],
        "AWS_ACCESS_KEY_ID": os.environ["S3_TEST_KEY"],
        "AWS_SECRET_ACCESS_KEY": os.environ["S3_TEST_SECRET"],
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    os.environ.update(s3)
    return s3


def baseline(pages: int) -> float:
    """Single-process trafilatura-only extraction of the same pages: pages/s."""
    import trafilatura

    from bench.pages import page, url
    from newsarchive.decode import decode_html
    from pipelines.extract import DATE_PARAMS

    bodies = [(url(n), *page(n)) for n in range(pages)]
    started = time.monotonic()
    for address, body, content_type in bodies:
        html, _, _ = decode_html(body, content_type)
        trafilatura.bare_extraction(
            html,
            url=address,
            with_metadata=True,
            include_tables=True,
            favor_precision=True,
            deduplicate=False,
            date_extraction_params=DATE_PARAMS,
        )
    return pages / (time.monotonic() - started)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def report(
    results: list[CrawlResult],
    memory: CrawlResult | None,
    base: float,
    quality: tuple[float, float],
    rounds: list[tuple[CrawlResult, float]] | None = None,
) -> list[str]:
    lines = [f"machine: {machine()}", ""]
    lines.append(
        f"{'crawl':28} {'pages':>6} {'articles':>8} {'seconds':>8} {'pages/s':>8} "
        f"{'articles/s':>10} {'peak RSS':>9}"
    )
    for r in [*results, *([memory] if memory else [])]:
        lines.append(
            f"{r.target:28} {r.pages:>6} {r.articles:>8} {r.seconds:>8.1f} "
            f"{r.pages_per_s:>8.1f} {r.articles_per_s:>10.1f} {r.peak_rss / 2**20:>7.0f} MB"
        )
    lines.append("")
    lines.append("CPU ms per page by stage (" + results[0].target + "):")
    for stage, ms in results[0].stage_ms().items():
        lines.append(f"  {stage:10} {ms:7.2f}")
    if memory is not None:
        end = max((t for t, _ in memory.rss_samples), default=1.0)
        quarters = []
        for q in range(4):
            inside = [r for t, r in memory.rss_samples if q * end / 4 <= t <= (q + 1) * end / 4]
            quarters.append(f"{max(inside, default=0) / 2**20:.0f}")
        lines.append("")
        lines.append(
            f"memory over {memory.pages:,} pages: peak RSS in each quarter of the run "
            f"{' / '.join(quarters)} MB (peak {memory.peak_rss / 2**20:.0f} MB)"
        )
    lines.append("")
    lines.append(f"trafilatura-only, single process, same pages: {base:.1f} pages/s")
    if rounds and len(rounds) > 1:
        each = ", ".join(
            f"{r.articles_per_s:.1f} / {b:.1f} = {r.articles_per_s / b:.2f}" for r, b in rounds
        )
        lines.append(
            f"rounds (local crawl articles/s / trafilatura-only pages/s, back to back): {each}; "
            "the median round is reported"
        )
    main = results[0]
    peak = max(r.peak_rss for r in [*results, *([memory] if memory else [])])
    lines.append(
        f"bench: ratio {main.articles_per_s / base:.2f}, pipeline {main.articles_per_s:.1f} "
        f"articles/s, trafilatura-only {base:.1f} pages/s, peak RSS {peak / 2**20:.0f} MB, "
        f"trafilatura-set F1 {quality[0]:.4f}, zh-dev F1 {quality[1]:.3f}"
    )
    return lines


def extraction_quality() -> tuple[float, float]:
    """This code's F1 on trafilatura's benchmark and on zh-dev (make eval has the full
    tables and the comparison with plain trafilatura)."""
    from tests.eval_sets import score_trafilatura_set, score_zh_dev

    ours = ("newsarchive",)
    workers = os.cpu_count() or 1
    traf = score_trafilatura_set(workers, ours)["newsarchive"].f1
    return traf, score_zh_dev(workers, ours)["newsarchive"].f1


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--memory-pages", type=int, default=20000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="local crawls, each followed by the trafilatura-only baseline; the round of "
        "median ratio is reported (runs of one round varied by a third on this machine)",
    )
    parser.add_argument(
        "--read-records",
        type=int,
        default=120_000,
        help="records of the generated archive the read side is measured on (0: skip)",
    )
    parser.add_argument(
        "--reprocess-pages",
        type=int,
        default=2000,
        help="pages crawled and then re-extracted by newsarchive reprocess (0: skip)",
    )
    parser.add_argument(
        "--story-articles",
        type=int,
        default=10_000,
        help="articles the story index clusters, in SQLite and Redis (bench/stories.py; 0: skip)",
    )
    parser.add_argument(
        "--no-big-sitemap",
        dest="big_sitemap",
        action="store_false",
        help="skip the memory of queueing a 300,000-URL sitemap (bench/big_sitemap.py)",
    )
    parser.add_argument("--write", metavar="FILE", help="also write the results to FILE")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        root = Path(scratch)
        rounds: list[tuple[CrawlResult, float]] = []
        for n in range(1, args.rounds + 1):
            print(
                f"bench: round {n} of {args.rounds}: crawling {args.pages:,} pages to a local "
                "folder, then trafilatura alone on the same pages…",
                file=sys.stderr,
            )
            here = root / f"local-{n}"
            here.mkdir()
            done = crawl("local folder", str(here / "archive"), args.pages, here, {})
            rounds.append((done, baseline(args.pages)))
        median = sorted(rounds, key=lambda r: r[0].articles_per_s / r[1])[len(rounds) // 2]
        results.append(median[0])
        if os.environ.get("S3_TEST_ENDPOINT"):
            print(f"bench: crawling {args.pages:,} pages to SeaweedFS…", file=sys.stderr)
            (root / "s3").mkdir()
            s3 = s3_credentials()
            archive = f"s3://{os.environ['S3_TEST_BUCKET']}/bench-{time.time_ns()}"
            results.append(crawl("SeaweedFS (S3)", archive, args.pages, root / "s3", s3))
        base = median[1]
        memory = None
        if args.memory_pages:
            print(f"bench: memory run, {args.memory_pages:,} pages…", file=sys.stderr)
            (root / "memory").mkdir()
            memory = crawl(
                f"local, {args.memory_pages:,} pages",
                str(root / "memory/archive"),
                args.memory_pages,
                root / "memory",
                {},
            )
    print("bench: extraction quality on the development sets…", file=sys.stderr)
    quality = extraction_quality()
    lines = report(results, memory, base, quality, rounds)
    if args.read_records:
        # Its own process: the download's peak RSS is then that of its only child.
        read = subprocess.run(
            [sys.executable, "-m", "bench.read_side", "--records", str(args.read_records)],
            capture_output=True,
            text=True,
            check=True,
        )
        lines += ["", read.stdout.strip()]
    if args.reprocess_pages:
        again = subprocess.run(
            [sys.executable, "-m", "bench.reprocess", "--pages", str(args.reprocess_pages)],
            capture_output=True,
            text=True,
        )
        lines += ["", again.stdout.strip() or f"bench.reprocess failed: {again.stderr[-500:]}"]
    if args.story_articles:
        told = subprocess.run(
            [sys.executable, "-m", "bench.stories", "--articles", str(args.story_articles)],
            capture_output=True,
            text=True,
        )
        lines += ["", told.stdout.strip() or f"bench.stories failed: {told.stderr[-500:]}"]
    if args.big_sitemap:
        big = subprocess.run(
            [sys.executable, "-m", "bench.big_sitemap"], capture_output=True, text=True
        )
        lines += ["", big.stdout.strip() or f"bench.big_sitemap failed: {big.stderr[-500:]}"]
    print("\n".join(lines))
    if args.write:
        write_doc(Path(args.write), lines)
    return 0


def write_doc(path: Path, lines: list[str]) -> None:
    """Replace the measured block of docs/PERFORMANCE.md, keeping its prose."""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = path.read_text() if path.exists() else f"# Performance\n\n{start}\n{end}\n"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{start}\nMeasured {when} with `make bench`:\n\n```\n" + "\n".join(lines) + f"\n```\n{end}"
    )
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(before + block + after)


if __name__ == "__main__":
    sys.exit(main())
