"""`newsarchive report`: one HTML page with plots, from the run manifests, that people
look at; checked by what they see: the page opened in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from corpus import report
from corpus.cli import main
from corpus.reader import ArchiveReader
from newsarchive.archive import layout
from newsarchive.archive.manifest import RunManifest
from newsarchive.storage import open_storage

DAY = datetime(2026, 11, 2, 6, tzinfo=UTC)


def write_run(archive: Path, source: str, started: datetime, status: str = "finished", **stats):
    """A run manifest as the crawl writes it (RunManifest.render), with its stats."""
    crawl_id = layout.crawl_id(source, started, "host", 1)
    manifest = RunManifest(crawl_id, source, started)
    open_storage(str(archive)).put_bytes(
        manifest.render(
            status=status,
            stats=stats,
            errors=[],
            why="all 3 entry points failed (http_403 3)" if status == "failed" else "",
        ),
        layout.run_key(crawl_id),
    )
    return crawl_id


@pytest.fixture
def three_days(tmp_path) -> Path:
    """xinhua runs on days 1 and 3 (none on day 2); ecns fails on day 1 and runs on
    days 2 and 3."""
    archive = tmp_path / "archive"
    for n in (0, 2):
        write_run(
            archive,
            "xinhua",
            DAY + timedelta(days=n),
            **{"discovery/articles_from_listing": 40, "clean/removed/share_bar": 3},
        )
    write_run(archive, "ecns", DAY, status="failed")
    for n in (1, 2):
        write_run(
            archive,
            "ecns",
            DAY + timedelta(days=n),
            **{
                "discovery/articles_from_feed": 20,
                "article/pages_fetched": 18,
                "fetch/failed": 2,
                "fetch/failed/http_503": 2,
                "discovery/stale_feeds": [{"url": "https://www.ecns.cn/rss/rss.xml"}],
            },
        )
    return archive


def test_a_day_without_a_run_that_archived_is_a_gap(three_days):
    built = report.build(ArchiveReader(open_storage(str(three_days))))
    assert built.days == [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)]
    assert built.gaps("xinhua") == [date(2026, 11, 3)]
    assert built.gaps("ecns") == [date(2026, 11, 2)]  # its only run that day failed


def test_failure_share_counts_trouble_not_dead_links(three_days):
    built = report.build(ArchiveReader(open_storage(str(three_days))))
    ecns = [r for r in built.runs if r.source == "ecns" and r.status == "finished"]
    assert [r.failure_share for r in ecns] == [0.1, 0.1]  # 2 of 20 tried, both 503
    assert [r.links for r in ecns] == [20, 20]


def test_the_page_names_failed_runs_gaps_and_stale_feeds(three_days, tmp_path):
    _, page = report.write(ArchiveReader(open_storage(str(three_days))), tmp_path / "out")
    text = page.read_text()
    assert "<td>failed</td><td>all 3 entry points failed (http_403 3)</td>" in text
    assert "<tr><td>ecns</td><td>1</td><td>2026-11-02</td></tr>" in text
    assert "<tr><td>xinhua</td><td>1</td><td>2026-11-03</td></tr>" in text
    assert "https://www.ecns.cn/rss/rss.xml" in text
    assert sorted(p.name for p in page.parent.glob("*.png")) == sorted(
        f"{name}.png" for name in report.PLOTS
    )
    assert len(re.findall(r"src='data:image/png;base64,", text)) == len(report.PLOTS)


def test_text_from_the_archive_is_escaped_in_the_page(tmp_path):
    archive = tmp_path / "archive"
    write_run(
        archive,
        "ecns",
        DAY,
        **{"discovery/stale_feeds": [{"url": "https://x/<script>alert(1)</script>"}]},
    )
    _, page = report.write(ArchiveReader(open_storage(str(archive))), tmp_path / "out")
    text = page.read_text()
    assert "<script>" not in text
    assert "https://x/&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_a_manifest_of_wrong_types_is_reported_not_a_traceback(tmp_path, capsys):
    archive = tmp_path / "archive"
    write_run(archive, "ecns", DAY, **{"discovery/articles_from_feed": 5})
    (archive / "runs" / "broken.json").write_text(
        '{"crawl_id": "broken", "started_at": 7, "counts": [], "stats": "x"}'
    )
    code = main(["report", "--archive", str(archive), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == (
        "newsarchive report: not counted: runs/broken.json: malformed run manifest: no 'source'\n"
    )
    assert out == (
        f"wrote {tmp_path / 'out' / 'report.html'} (5 plots, also as PNG files in "
        f"{tmp_path / 'out'}); runs: 1, sources: 1\n"
    )


def test_an_archive_without_runs_gives_a_page_without_plots(tmp_path, capsys):
    (tmp_path / "archive").mkdir()
    code = main(["report", "--archive", str(tmp_path / "archive"), "--out", str(tmp_path / "o")])
    assert code == 0
    assert "(0 plots" in capsys.readouterr().out
    assert "runs: 0, sources: 0" in (tmp_path / "o" / "report.html").read_text()


# -- what people see ------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def screenshot(page: Path, out: Path, tmp_path: Path) -> list[tuple[int, int, int]]:
    """The page as Debian's Chromium draws it, as RGB pixels."""
    from PIL import Image

    chromium = shutil.which("chromium")
    assert chromium, "headless Chromium is missing: `make test` installs Debian's chromium"
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--window-size=1100,3400",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with Image.open(out) as image:
        return list(image.convert("RGB").get_flattened_data())


def plot_pixels(pixels: list[tuple[int, int, int]], colour: str) -> int:
    """Pixels of one of matplotlib's colours (a plotted line, bar or marker)."""
    from matplotlib.colors import to_rgb

    want = [round(255 * c) for c in to_rgb(colour)]
    return sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, want, strict=True)))


@pytest.mark.e2e
def test_chromium_shows_the_plots_of_a_real_crawl(local_run, three_days, tmp_path):
    """Every source crawled through the replay, plus three days of history: the page
    opened in Chromium shows each source's colour in its plots; the same page with
    its images taken out shows none of them (so the check can fail)."""
    storage, _, _ = local_run
    shutil.copytree(storage.root / "runs", three_days / "runs", dirs_exist_ok=True)
    built, page = report.write(ArchiveReader(open_storage(str(three_days))), tmp_path / "out")
    pixels = screenshot(page, tmp_path / "report.png", tmp_path)
    blank = tmp_path / "no-plots.html"
    blank.write_text(re.sub(r"<img [^>]*>", "", page.read_text()))
    no_plots = screenshot(blank, tmp_path / "no-plots.png", tmp_path)
    for n, source in enumerate(built.sources):
        assert plot_pixels(pixels, f"C{n}") > 300, source
        assert plot_pixels(no_plots, f"C{n}") == 0, source
