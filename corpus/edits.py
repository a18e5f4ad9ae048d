"""What changed between two versions of an article, sentence by sentence.

Researchers of state media read edits as sentences: one sentence toned down, one added
at the end, a headline reworded. The body of each version is split into sentences
(Chinese after a run of 。！？； and the closing quotes after it, and at line ends; other
text at ., ! or ? followed by a space: "U.S."
ends a sentence too, but both versions are cut alike, so the alignment holds), the two
lists are aligned (difflib's longest matching blocks, as NewsDiffs and diffengine do on
lines), and what does not match is an added, removed or changed sentence: a run of
removed sentences against a run of added ones pairs up in order as changes. A change is
*cosmetic* when the two sentences are the same once whitespace, punctuation and case are
set aside (a comma, a full-width bracket, a spacing fix); an edit is cosmetic when all of
its changes are, its title too.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

# At most this share of sentences shared, with a new headline: another article.
REPLACED_SHARE = 0.2
# After a run of Chinese sentence ends and the closing quotes or brackets that follow
# them ("！！", "。”"): a sentence never begins with one.
_CHINESE_END = re.compile(
    r"(?<=[。！？；][”’」』）)])(?![”’」』）)])|(?<=[。！？；])(?![。！？；”’」』）)])"
)
_OTHER_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+")


def sentences(paragraphs: list[str]) -> list[str]:
    """The sentences of a body, in order; a paragraph never shares a sentence with the
    next one."""
    found: list[str] = []
    for paragraph in paragraphs:
        for part in _CHINESE_END.split(paragraph):
            found += [s.strip() for s in _OTHER_END.split(part) if s.strip()]
    return found


def comparable(text: str | None) -> str:
    """The text without whitespace, punctuation and case (what a cosmetic edit leaves)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c)[0] != "P")


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed
    old: str | None
    new: str | None

    @property
    def cosmetic(self) -> bool:
        return self.kind == "changed" and comparable(self.old) == comparable(self.new)


@dataclass
class Edit:
    """The edit from one version to the next."""

    old_version: int
    new_version: int
    changes: list[Change] = field(default_factory=list)
    title: tuple[str | None, str | None] | None = None
    published: tuple[str | None, str | None] | None = None

    @property
    def cosmetic(self) -> bool:
        title_cosmetic = self.title is None or comparable(self.title[0]) == comparable(
            self.title[1]
        )
        return title_cosmetic and self.published is None and all(c.cosmetic for c in self.changes)

    def counts(self) -> dict[str, int]:
        kinds = ("added", "removed", "changed")
        return {kind: sum(c.kind == kind for c in self.changes) for kind in kinds}

    kept: int = 0  # sentences the two versions share
    sizes: tuple[int, int] = (0, 0)  # sentences of the old and of the new version

    @property
    def replacement(self) -> bool:
        """The URL now serves another article: a new headline and at most a fifth of
        either version's sentences shared (a lead paragraph rewritten is an edit; a
        different story is a deletion of the first, detected by content, whatever the
        status said)."""
        if self.title is None or comparable(self.title[0]) == comparable(self.title[1]):
            return False
        return self.kept <= REPLACED_SHARE * max(self.sizes)


def compare(old: dict[str, Any], new: dict[str, Any]) -> Edit:
    """The edit that turned record ``old`` into record ``new``."""
    edit = Edit(int(old.get("version") or 1), int(new.get("version") or 1))
    if old.get("title") != new.get("title"):
        edit.title = (old.get("title"), new.get("title"))
    if old.get("published") != new.get("published"):
        edit.published = (old.get("published"), new.get("published"))
    before = sentences(list(old.get("paragraphs") or []))
    after = sentences(list(new.get("paragraphs") or []))
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    edit.sizes = (len(before), len(after))
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            edit.kept += i2 - i1
            continue
        removed, added = before[i1:i2], after[j1:j2]
        paired = min(len(removed), len(added))
        edit.changes += [Change("changed", a, b) for a, b in zip(removed, added, strict=False)]
        edit.changes += [Change("removed", a, None) for a in removed[paired:]]
        edit.changes += [Change("added", None, b) for b in added[paired:]]
    return edit


_SIGNS = {"added": "+", "removed": "-", "changed": "~"}


def render(edit: Edit, old: dict[str, Any], new: dict[str, Any]) -> str:
    """The edit as text: the versions compared, then each change, old above new."""
    counts = edit.counts()
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "no sentence"
    lines = [
        f"article {new.get('id')} {new.get('url')}",
        f"version {edit.old_version} (captured {old.get('fetched_at')}) -> version "
        f"{edit.new_version} (captured {new.get('fetched_at')}): {summary}"
        + (" (cosmetic)" if edit.cosmetic else ""),
    ]
    if edit.title:
        lines += [f"title - {edit.title[0]}", f"title + {edit.title[1]}"]
    if edit.published:
        lines.append(f"published {edit.published[0]} -> {edit.published[1]}")
    for change in edit.changes:
        mark = _SIGNS[change.kind] + (" cosmetic" if change.cosmetic else "")
        if change.old is not None:
            lines.append(f"{mark} - {change.old}")
        if change.new is not None:
            lines.append(f"{mark} + {change.new}")
    return "\n".join(lines)


def render_html(edit: Edit, old: dict[str, Any], new: dict[str, Any]) -> str:
    """The two versions side by side, sentence by sentence, changes marked."""
    changed = {c.old for c in edit.changes if c.old} | {c.new for c in edit.changes if c.new}

    def column(record: dict[str, Any], side: str) -> str:
        cells = []
        for sentence in sentences(list(record.get("paragraphs") or [])):
            tag = side if sentence in changed else "span"
            cells.append(f"<{tag}>{html.escape(sentence)}</{tag}>")
        return " ".join(cells)

    title = html.escape(str(new.get("title") or new.get("url")))
    return (
        "<!doctype html><meta charset='utf-8'>"
        f"<title>{title}: version {edit.old_version} and {edit.new_version}</title>"
        "<style>td{vertical-align:top;width:50%}del{background:#fdd}ins{background:#dfd}</style>"
        f"<h1>{title}</h1><p>{html.escape(render(edit, old, new).splitlines()[1])}</p>"
        "<table><tr>"
        f"<th>version {edit.old_version}</th><th>version {edit.new_version}</th></tr><tr>"
        f"<td>{column(old, 'del')}</td><td>{column(new, 'ins')}</td></tr></table>\n"
    )


# -- the archive's changes -------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveChange:
    """One edit (a version replacing the one before), deletion or reappearance in the
    archive. A deletion says how (``how``: http_404, http_410, redirect, gone_notice, or
    replaced: another article at the URL) and points at the WARC record that shows it."""

    kind: str  # edit | deletion | reappearance
    at: str  # when the crawl saw it (the new version's capture, the deletion's fetch)
    source: str
    url: str
    id: str | None = None
    edit: Edit | None = None
    title: str | None = None
    how: str | None = None
    proof: dict[str, Any] | None = None
    detail: str | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kind": self.kind,
            "at": self.at,
            "source": self.source,
            "url": self.url,
            "id": self.id,
        }
        if self.kind != "edit":
            found.update({"how": self.how, "detail": self.detail, "warc": self.proof})
        if self.edit is not None:
            found.update(
                {
                    "from": self.edit.old_version,
                    "to": self.edit.new_version,
                    "sentences": self.edit.counts(),
                    "title_changed": self.edit.title is not None,
                    "published_changed": self.edit.published is not None,
                    "cosmetic": self.edit.cosmetic,
                    "title": self.title,
                }
            )
        return found

    def line(self) -> str:
        if self.kind == "reappearance":
            return f"{self.at}  {self.source:10}  back     {self.url}"
        if self.edit is None or self.kind == "deletion":
            detail = f" ({self.detail})" if self.detail else ""
            return f"{self.at}  {self.source:10}  deleted  {self.how}{detail}  {self.url}"
        counts = ", ".join(f"{n} {k}" for k, n in self.edit.counts().items() if n)
        parts = [counts] if counts else []
        parts += ["title"] if self.edit.title else []
        parts += ["published"] if self.edit.published else []
        what = ", ".join(parts) or "no sentence"
        cosmetic = " (cosmetic)" if self.edit.cosmetic else ""
        return (
            f"{self.at}  {self.source:10}  edited   {self.id} "
            f"v{self.edit.old_version}->v{self.edit.new_version}: {what}{cosmetic}  {self.url}"
        )


# The ledger as a table (`newsarchive download --changes`): one row an edit, deletion or
# reappearance; the sentences of an edit in one list column.
CHANGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "string!"),
    ("how", "string"),
    ("at", "timestamp"),
    ("source", "string!"),
    ("id", "string"),
    ("url", "string!"),
    ("title", "string"),
    ("from_version", "int32"),
    ("to_version", "int32"),
    ("sentences_added", "int32"),
    ("sentences_removed", "int32"),
    ("sentences_changed", "int32"),
    ("title_before", "string"),
    ("title_after", "string"),
    ("published_before", "string"),
    ("published_after", "string"),
    ("cosmetic", "bool"),
    ("sentences", "list<sentence_change>"),
    ("detail", "string"),
    ("warc_filename", "string"),
    ("warc_offset", "int64"),
    ("warc_length", "int64"),
    ("warc_record_id", "string"),
    ("schema_version", "int16!"),
)
CHANGES_SCHEMA_VERSION = 1


def change_row(change: ArchiveChange) -> dict[str, Any]:
    """One change as a row of :data:`CHANGE_COLUMNS`."""
    from corpus.export import _utc

    edit, proof = change.edit, change.proof or {}
    counts = edit.counts() if edit else {}
    return {
        "kind": change.kind,
        "how": change.how,
        "at": _utc(change.at),
        "source": change.source,
        "id": change.id,
        "url": change.url,
        "title": change.title,
        "from_version": edit.old_version if edit else None,
        "to_version": edit.new_version if edit else None,
        "sentences_added": counts.get("added"),
        "sentences_removed": counts.get("removed"),
        "sentences_changed": counts.get("changed"),
        "title_before": edit.title[0] if edit and edit.title else None,
        "title_after": edit.title[1] if edit and edit.title else None,
        "published_before": edit.published[0] if edit and edit.published else None,
        "published_after": edit.published[1] if edit and edit.published else None,
        "cosmetic": edit.cosmetic if edit and change.kind == "edit" else None,
        "sentences": [
            {"kind": c.kind, "old": c.old, "new": c.new, "cosmetic": c.cosmetic}
            for c in (edit.changes if edit else [])
        ],
        "detail": change.detail,
        "warc_filename": proof.get("filename"),
        "warc_offset": proof.get("offset"),
        "warc_length": proof.get("length"),
        "warc_record_id": proof.get("record_id"),
        "schema_version": CHANGES_SCHEMA_VERSION,
    }


def archive_changes(reader: Any, sources: list[str] | None = None) -> list[ArchiveChange]:
    """Every edit, deletion and reappearance the archive records, oldest first. Two
    passes over the article files: the ids with a second version, then their versions
    (each in its newest extraction); a version that is another article is the deletion
    of the one before (``replaced``). Deletions by status, redirect or notice, and
    reappearances, come from the run manifests."""
    from newsarchive.archive.article_files import each_version, recency

    files = reader.select("articles", sources=sources)
    edited: set[str] = set()
    for item in files:
        edited.update(str(r.get("id")) for r in reader.records(item) if recency(r)[0] > 1)
    by_id: dict[str, list[dict]] = {}
    for item in files:
        for record in reader.records(item):
            if str(record.get("id")) in edited:
                by_id.setdefault(str(record["id"]), []).append(record)
    found: list[ArchiveChange] = []
    for id_, records in by_id.items():
        held = each_version(records)
        for old, new in itertools.pairwise(held):
            edit = compare(old, new)
            at, source, url = (
                str(new.get("fetched_at") or ""),
                str(new.get("source")),
                str(new.get("url")),
            )
            if edit.replacement:
                found.append(
                    ArchiveChange(
                        "deletion", at, source, url, id_, edit, new.get("title"),
                        how="replaced", proof=new.get("warc"), detail=new.get("title"),
                    )
                )  # fmt: skip
                continue
            found.append(
                ArchiveChange(
                    "edit", at, source, url, id_, edit, new.get("title"), proof=new.get("warc")
                )
            )
    for manifest in reader.manifests():
        if not sources or str(manifest.get("source")) in sources:
            found += manifest_changes(manifest)
    return sorted(found, key=lambda c: (c.at, c.url))


def manifest_changes(manifest: dict[str, Any]) -> list[ArchiveChange]:
    """The deletions and reappearances one run manifest records, as changes."""
    from newsarchive.archive.manifest import deletion_events

    found = []
    for event in deletion_events(manifest):
        kind = "reappearance" if event.kind == "reappeared" else "deletion"
        how = None if kind == "reappearance" else event.kind
        found.append(
            ArchiveChange(
                kind, event.at, str(manifest.get("source")), event.url, how=how,
                proof=event.warc, detail=event.detail,
            )
        )  # fmt: skip
    return found


def summary(found: list[ArchiveChange]) -> str:
    """ "2 edits, 3 deletions, 1 reappearance": what a list of changes holds."""
    counts = {kind: sum(c.kind == kind for c in found) for kind in ("edit", "deletion")}
    back = sum(c.kind == "reappearance" for c in found)
    return f"{counts['edit']} edits, {counts['deletion']} deletions, {back} reappearances"


def write_changes(found: list[ArchiveChange], path: Any, fmt: str, *, bom: bool = False) -> int:
    """The ledger as ``path`` in ``fmt`` (jsonl, parquet, csv): one row a change."""
    from corpus import export

    table = export.Table(CHANGE_COLUMNS, dict, CHANGES_SCHEMA_VERSION)
    rows = (change_row(c) for c in found)
    if fmt == "parquet":
        return export.write_parquet(rows, path, table)
    if fmt == "csv":
        return export.write_csv(rows, path, bom=bom, table=table)
    as_json = (
        {**r, "at": r["at"].isoformat().replace("+00:00", "Z") if r["at"] else None} for r in rows
    )
    return export.write_jsonl(as_json, path)
