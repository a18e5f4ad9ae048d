"""Build the republication pages of the story replay (fixtures/stories/), from the
outlets' templates already in the replay: a Xinhua story (constructed/xinhua-en-2026.html)
as China Daily, ECNS, China.org.cn and the copy site would run it, a different story on
the same topic at CGTN, and the later versions. Run once; the output is committed, so
tests read files, not this script. ``python -m tests.replay.make_story_pages``.

Each copy is its outlet's page with the body paragraphs (those of the seed's expected
body), the headline and the date swapped; nothing else of the template changes."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
OUT = FIXTURES / "stories"
SEEDS = HERE.parent / "seeds" / "expected"

TITLE = "China's railways log record passenger trips during May Day holiday"
LEAD = (
    "China's railway network handled a record number of passenger trips during the "
    "five-day May Day holiday, the China State Railway Group Co., Ltd. said on Saturday."
)
LEAD_EDITED = (
    "China's railway network handled a record 98.6 million passenger trips during the "
    "five-day May Day holiday, the China State Railway Group Co., Ltd. said on Saturday."
)
REST = [
    "Rail operators added extra overnight and high-speed services on busy routes linking "
    "the Beijing-Tianjin-Hebei region, the Yangtze River Delta and the Guangdong-Hong "
    "Kong-Macao Greater Bay Area, the company said.",
    "Short-distance trips to scenic spots and cultural venues accounted for a large share "
    "of the traffic, while online ticket sales again made up the bulk of bookings.",
    "Railway stations in several cities extended service hours and opened additional "
    "security lanes to keep waiting times short during the travel peak.",
    "The company said it would continue to adjust train schedules according to passenger "
    "demand as the summer travel season approaches.",
]
OTHER_TITLE = "China's railways to add more trains for summer travel season"
OTHER = [
    "China's railway operator will add more than 1,000 passenger trains on busy lines "
    "from July 1 to meet demand during the summer travel season, it said on Monday.",
    "Most of the new services will run on high-speed lines serving tourist destinations "
    "in the northwest and southwest, and on routes to coastal resorts.",
    "Sleeper trains will return on several overnight routes popular with students and "
    "families, and some stations will open earlier in the morning.",
    "Passengers are advised to buy tickets through the official app and to allow extra "
    "time for security checks at large stations.",
]


def _text(html: str) -> str:
    return " ".join(html.split())


def swap(
    template: str,
    seed: str,
    paragraphs: list[str],
    title: str,
    replace: dict[str, str] | None = None,
) -> str:
    """The template page with the seed's body paragraphs replaced by ``paragraphs`` (in
    the first one's element, the others removed), its headline by ``title`` and each
    key of ``replace`` by its value."""
    expected = json.loads(next(SEEDS.glob(f"{seed}_*.json")).read_text(encoding="utf-8"))
    body = {_text(p) for p in expected["body"]}
    root = lxml.html.fromstring((FIXTURES / template).read_bytes())
    # (Xinhua's "Enditem" end mark is not body in the expected text.)
    found = [
        el
        for el in root.iter("p", "div")
        if _text(el.text_content()).removesuffix(" Enditem") in body
    ]
    found = [el for el in found if not any(a in found for a in el.iterancestors())]
    assert found, template
    first = found[0]
    for el in found[1:]:
        el.getparent().remove(el)
    parent, at = first.getparent(), first.getparent().index(first)
    parent.remove(first)
    for offset, text in enumerate(paragraphs):
        new = lxml.html.Element(first.tag, dict(first.attrib))
        new.text = text
        new.tail = "\n"
        parent.insert(at + offset, new)
    html = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    old_title = expected.get("title")
    if old_title:
        html = html.replace(old_title, title)
    for old, new_value in (replace or {}).items():
        assert old in html, (template, old)
        html = html.replace(old, new_value)
    return html


def xinhua(lead: str) -> str:
    html = (FIXTURES / "constructed/xinhua-en-2026.html").read_text(encoding="utf-8")
    return html.replace(LEAD, lead)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    dated = "BEIJING, May 9 (Xinhua) -- "
    pages = {
        "xinhua-original-edited.html": xinhua(LEAD_EDITED),
        # Verbatim, with Xinhua's name (China Daily's "Xinhua | Updated:" line).
        "chinadaily-copy.html": swap(
            "reconstructed/chinadaily-000.html", "000", [dated + LEAD, *REST], TITLE,
            {"2023-07-14 09:55": "2026-05-09 12:40", "2023-07-14": "2026-05-09"},
        ),
        "chinadaily-copy-edited.html": swap(
            "reconstructed/chinadaily-000.html", "000", [dated + LEAD_EDITED, *REST], TITLE,
            {"2023-07-14 09:55": "2026-05-09 12:40", "2023-07-14": "2026-05-09"},
        ),
        # No attribution: ECNS's own name in the source line, the dateline cut.
        "ecns-copy.html": swap(
            "reconstructed/ecns-004.html", "004", [LEAD, *REST], TITLE,
            {"2023-02-04 15:13:19": "2026-05-09 11:30:00", ">CGTN<": ">ECNS<"},
        ),
        # Trimmed to three paragraphs and re-headlined, Xinhua named.
        "chinaorgcn-copy.html": swap(
            "reconstructed/chinaorgcn-002.html", "002", [dated + LEAD, *REST[:2]],
            "Rail trips hit a record over the May Day break",
            {"2023-05-25": "2026-05-09"},
        ),
        # The copy site: verbatim, no agency, no date.
        "copysite-copy.html": swap(
            "reconstructed/copysite-003.html", "003", ["BEIJING, May 9 -- " + LEAD, *REST],
            TITLE,
        ),
        "copysite-copy-edited.html": swap(
            "reconstructed/copysite-003.html", "003",
            ["BEIJING, May 9 -- " + LEAD_EDITED, *REST], TITLE,
        ),
        # Another story on the same topic, the same day: never the same story.
        "cgtn-other.html": swap("reconstructed/cgtn-001.html", "001", OTHER, OTHER_TITLE),
        # ... edited cosmetically later: a comma and a double space.
        "cgtn-other-cosmetic.html": swap(
            "reconstructed/cgtn-001.html", "001",
            [OTHER[0].replace("trains on busy lines", "trains, on busy lines"), *OTHER[1:]],
            OTHER_TITLE,
        ),
    }  # fmt: skip
    for name, html in pages.items():
        (OUT / name).write_text(html, encoding="utf-8")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
