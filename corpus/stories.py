"""Republication clusters as researchers read them: who ran a story, who ran it first,
who kept the agency's name, how the headline changed, and whether the original's later
edits and deletion reached the copies.

The write side gives every stored article its ``story`` (newsarchive.stories); this
module only groups what the records say. An article belongs to the story of its latest
version (a URL that now serves another text has left its first story). Members are
ordered by first capture (what the archive can prove) and by stated publication time
(what the outlets claim); *the earliest* is the first by stated time, by capture when
a member states none. Its agency is the story's attribution: a member keeps it when its
own ``agency`` names the same agency, and drops it otherwise (none, or the copier's own
name).

Propagation. For each edit of the earliest member (corpus.edits, not cosmetic), its
*marks* are what it wrote and what it struck, compared without whitespace, punctuation
or case: the words a changed sentence gained ("a record 98.6 million" for "a record
number of") and lost, an added sentence, a removed one. Marks, not whole sentences,
because copies cut datelines and attributions out of the very sentences an edit
touches. A copy *took* the edit when one of its versions shows most marks (what was
written there, what was struck gone) and its version before did not: the time is that
version's capture. A copy whose first capture already shows the written marks copied
after the edit. A deletion of the earliest member reached a copy when the copy was
deleted too (any kind), at that deletion's time.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from corpus.edits import ArchiveChange, comparable, compare, manifest_changes

# A copy took an edit when it shows at least this share of the edit's marks.
TOOK_SHARE = 0.5
# Marks shorter than this (compared form) say too little: "的", "a".
MARK_MIN = 4


@dataclass
class Member:
    id: str
    url: str
    source: str
    title: str | None
    agency: str | None
    first_captured: str
    published: str | None
    versions: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[ArchiveChange] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "title": self.title,
            "first_captured": self.first_captured,
            "published": self.published,
            "agency": self.agency,
            "versions": len(self.versions),
            "deleted": self.deleted[-1].how if self.deleted else None,
        }


@dataclass
class Reach:
    """What became of one change of the earliest member at one copy."""

    copy: str  # the copy's article id
    status: str  # took | copied_after | not_seen | deleted | still_up
    # When the copy showed it (its version's capture, its deletion); for still_up, the
    # capture of its latest version (unchanged revisits leave no record to date).
    at: str | None

    def as_json(self) -> dict[str, Any]:
        return {"copy": self.copy, "status": self.status, "at": self.at}


@dataclass
class Propagation:
    kind: str  # edit | deletion
    at: str  # when the crawl saw the earliest member change
    what: str  # "v1->v2: 1 changed" or the deletion's kind
    copies: list[Reach]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": self.at,
            "what": self.what,
            "copies": [reach.as_json() for reach in self.copies],
        }


@dataclass
class Story:
    id: str
    members: list[Member]  # by first capture

    @cached_property
    def by_published(self) -> list[Member]:
        """Members by stated publication time (UTC), those stating none last."""
        from corpus.export import _utc

        def key(m: Member) -> tuple:
            stated = _utc(m.published)
            return (stated is None, stated.isoformat() if stated else "", m.first_captured)

        return sorted(self.members, key=key)

    @property
    def earliest(self) -> Member:
        return self.by_published[0]

    @property
    def agency(self) -> str | None:
        return self.earliest.agency

    def keeps(self, member: Member) -> bool:
        """Whether a member names the story's agency."""
        return bool(self.agency) and _folded(member.agency) == _folded(self.agency)

    def titles(self) -> dict[str, list[str]]:
        """Each headline the story ran under, with the members that ran it."""
        found: dict[str, list[str]] = {}
        for member in self.members:
            found.setdefault(member.title or "", []).append(member.id)
        return found

    def propagation(self) -> list[Propagation]:
        original = self.earliest
        copies = [m for m in self.members if m is not original]
        found = []
        for old, new in itertools.pairwise(original.versions):
            edit = compare(old, new)
            if edit.cosmetic or edit.replacement:
                continue
            wording = marks(edit)
            counts = ", ".join(f"{n} {k}" for k, n in edit.counts().items() if n) or "title"
            found.append(
                Propagation(
                    "edit",
                    str(new.get("fetched_at") or ""),
                    f"v{edit.old_version}->v{edit.new_version}: {counts}",
                    [_took(copy, wording) for copy in copies],
                )
            )
        for gone in original.deleted:
            reaches = []
            for copy in copies:
                after = [d for d in copy.deleted if d.at >= gone.at]
                if after:
                    reaches.append(Reach(copy.id, "deleted", after[0].at))
                else:
                    last = copy.versions[-1].get("fetched_at") if copy.versions else None
                    reaches.append(Reach(copy.id, "still_up", last))
            found.append(Propagation("deletion", gone.at, str(gone.how), reaches))
        return found

    def as_json(self) -> dict[str, Any]:
        return {
            "story": self.id,
            "members": [m.as_json() for m in self.members],
            "by_published": [m.id for m in self.by_published],
            "earliest": self.earliest.id,
            "agency": self.agency,
            "keep_attribution": [m.id for m in self.members if self.keeps(m)],
            "drop_attribution": [m.id for m in self.members if not self.keeps(m)],
            "titles": self.titles(),
            "propagation": [p.as_json() for p in self.propagation()],
        }


def _folded(text: str | None) -> str:
    return comparable(text)


def marks(edit: Any) -> list[tuple[str, bool]]:
    """What an edit wrote (True) and struck (False), in compared form: the differing
    runs of a changed sentence (the whole new sentence when no run is long enough), an
    added or removed sentence whole."""
    from difflib import SequenceMatcher

    found: list[tuple[str, bool]] = []
    for change in edit.changes:
        if change.cosmetic:
            continue
        old, new = comparable(change.old), comparable(change.new)
        if change.kind != "changed":
            found.append((new, True) if change.new else (old, False))
            continue
        runs = [
            (new[j1:j2], True) if present else (old[i1:i2], False)
            for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
            for present in (True, False)
            if (present and tag in ("replace", "insert") and j2 - j1 >= MARK_MIN)
            or (not present and tag in ("replace", "delete") and i2 - i1 >= MARK_MIN)
        ]
        found += runs or [(new, True)]
    return [(text, present) for text, present in found if text]


def _shows(version: dict[str, Any], wording: Sequence[tuple[str, bool]]) -> bool:
    text = comparable("".join(version.get("paragraphs") or []))
    right = sum((mark in text) == present for mark, present in wording)
    return right >= TOOK_SHARE * len(wording)


def _took(copy: Member, wording: list[tuple[str, bool]]) -> Reach:
    """Whether and when a copy's versions came to show an edit's marks."""
    if not wording or not copy.versions:
        return Reach(copy.id, "not_seen", None)
    shown = [_shows(v, wording) for v in copy.versions]
    written = [(m, p) for m, p in wording if p]
    if shown[0] and written and _shows(copy.versions[0], written):
        return Reach(copy.id, "copied_after", copy.versions[0].get("fetched_at"))
    for before, version, now in zip(shown, copy.versions[1:], shown[1:], strict=False):
        if now and not before:
            return Reach(copy.id, "took", version.get("fetched_at"))
    return Reach(copy.id, "not_seen", None)


def stories(
    reader: Any,
    sources: list[str] | None = None,
    since: str | None = None,
    everything: bool = False,
    only: str | None = None,
) -> list[Story]:
    """The archive's stories of more than one article (every story with
    ``everything``; the story ``only``, if given) that have a member from ``sources``
    first captured at or after ``since``, by their first capture. Two passes over the
    article files: each article's latest version (its story), then the versions of the
    members."""
    from newsarchive.archive.article_files import each_version, latest_versions

    files = reader.select("articles")
    first: dict[str, str] = {}

    def all_records():
        for item in files:
            for record in reader.records(item):
                key, when = str(record.get("id")), str(record.get("fetched_at") or "")
                first[key] = min(first.get(key, when), when)
                yield record

    latest = latest_versions(all_records())
    grouped: dict[str, list[str]] = {}
    for id_, record in latest.items():
        if record.get("story"):
            grouped.setdefault(str(record["story"]), []).append(id_)
    wanted: dict[str, list[str]] = {}
    for story, ids in grouped.items():
        if (len(ids) < 2 and not everything) or (only is not None and story != only):
            continue
        picked = [i for i in ids if not sources or latest[i].get("source") in sources]
        if picked and any(first[i] >= (since or "") for i in picked):
            wanted[story] = ids
    members = {i for ids in wanted.values() for i in ids}
    records: dict[str, list[dict]] = {}
    for item in files:
        for record in reader.records(item):
            if str(record.get("id")) in members:
                records.setdefault(str(record["id"]), []).append(record)
    gone: dict[str, list[ArchiveChange]] = {}
    for manifest in reader.manifests():
        for change in manifest_changes(manifest):
            if change.kind == "deletion":
                gone.setdefault(change.url, []).append(change)
    found = []
    for story, ids in wanted.items():
        group = []
        for id_ in ids:
            record = latest[id_]
            group.append(
                Member(
                    id_,
                    str(record.get("url")),
                    str(record.get("source")),
                    record.get("title"),
                    record.get("agency"),
                    first[id_],
                    record.get("published"),
                    each_version(records.get(id_, [])),
                    sorted(gone.get(str(record.get("url")), []), key=lambda c: c.at),
                )
            )
        group.sort(key=lambda m: (m.first_captured, m.id))
        found.append(Story(story, group))
    return sorted(found, key=lambda s: (s.members[0].first_captured, s.id))


def render(story: Story) -> str:
    """One story as text: members, the earliest, attribution, headlines, propagation."""
    lines = [f"story {story.id}: {len(story.members)} articles"]
    lines.append(f"earliest: {story.earliest.source} {story.earliest.id} ({story.earliest.url})")
    lines.append(f"agency: {story.agency or 'none stated'}")
    lines.append("members, by first capture:")
    for m in story.members:
        mark = "keeps" if story.keeps(m) else "drops"
        lines.append(
            f"  {m.first_captured}  {m.source:10}  {m.id}  published {m.published or '-'}  "
            f"{mark} attribution ({m.agency or 'none'})  {m.url}"
        )
    lines.append("by stated publication: " + ", ".join(m.id for m in story.by_published))
    lines.append("headlines:")
    for title, ids in story.titles().items():
        lines.append(f"  {title or '(none)'}  [{', '.join(ids)}]")
    for change in story.propagation():
        lines.append(f"{change.kind} of the earliest at {change.at}: {change.what}")
        for reach in change.copies:
            when = ""
            if reach.at:
                when = f" at {reach.at}"
                if reach.status == "still_up":
                    when = f" (its latest version captured {reach.at})"
            lines.append(f"  {reach.copy}: {reach.status}{when}")
    return "\n".join(lines)
