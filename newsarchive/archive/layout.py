"""The archive's key layout, built and parsed here and nowhere else.

Every file of the archive lives under a key of one grammar::

    articles/source=<source>/date=<YYYY-MM-DD>/<crawl id>-<serial>.jsonl.gz
    warc/source=<source>/date=<YYYY-MM-DD>/newsarchive-<source>-….warc.gz
    index/source=<source>/date=<YYYY-MM-DD>/<crawl id>.jsonl.gz   (article_index)
    runs/<crawl id>.json

The read side takes keys from run manifests and WARC file names from article records,
that is from the archive's own content, which a researcher may be reading from a bucket
somebody else controls. So a key is parsed against this grammar before it is used, and a
local path derived from it is resolved and checked to lie inside the folder it was meant
for: a key that could climb out (``..``, an absolute path, a backslash, a NUL) is
refused with :class:`BadKey`, never written.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

KINDS = {"articles": ".jsonl.gz", "warc": ".warc.gz", "index": ".jsonl.gz"}

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}"
_KEY = re.compile(
    r"(?P<kind>articles|warc|index)/source=(?P<source>[a-z0-9][a-z0-9_-]{0,63})"
    rf"/date=(?P<day>\d{{4}}-\d{{2}}-\d{{2}})/(?P<name>{_NAME})"
)
_RUN = re.compile(rf"runs/(?P<name>{_NAME})\.json")


class BadKey(ValueError):
    """A key or file name that does not follow the archive's layout."""


@dataclass(frozen=True)
class Key:
    kind: str  # articles | warc | index
    source: str
    day: date
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/source={self.source}/date={self.day.isoformat()}/{self.name}"


def article_key(source: str, day: str, crawl_id: str, serial: int) -> str:
    return str(parse(f"articles/source={source}/date={day}/{crawl_id}-{serial:04d}.jsonl.gz"))


def warc_key(source: str, day: str, name: str) -> str:
    return str(parse(f"warc/source={source}/date={day}/{name}", kind="warc"))


def index_key(source: str, day: str, crawl_id: str) -> str:
    return str(parse(f"index/source={source}/date={day}/{crawl_id}.jsonl.gz", kind="index"))


def crawl_id(source: str, started_at: datetime, host: str, pid: int) -> str:
    """A run's id: its start (UTC), source, host and process, so that two workers of
    one run never share one and a listing of runs/ sorts by start."""
    host = re.sub(r"[^A-Za-z0-9-]", "-", host.split(".")[0])[:30] or "host"
    return f"{started_at:%Y%m%dT%H%M%SZ}-{source}-{host}-{pid}"


_CRAWL_ID = re.compile(r"runs/(?P<started>\d{8}T\d{6}Z)-(?P<source>[a-z0-9_]+)-.+\.json")


def crawl_origin(crawl_id: str) -> tuple[str, datetime] | None:
    """The source of the run with this id and when it started (UTC), from the id itself
    (None for an id not made by :func:`crawl_id`)."""
    match = _CRAWL_ID.fullmatch(f"runs/{crawl_id}.json")
    if not match:
        return None
    started = datetime.strptime(match["started"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return match["source"], started


def run_source(key: str) -> str | None:
    """The source of the run whose manifest is at ``key`` (None for a key not made by
    :func:`crawl_id`): the runs of one source are found without reading every manifest."""
    match = _CRAWL_ID.fullmatch(key)
    return match["source"] if match else None


def run_key(crawl_id: str) -> str:
    key = f"runs/{crawl_id}.json"
    if not _RUN.fullmatch(key) or ".." in crawl_id:
        raise BadKey(f"{crawl_id!r} is not a crawl id the archive's layout allows")
    return key


def parse(key: object, kind: str | None = None) -> Key:
    """The parts of a data file's key; :class:`BadKey` for anything else."""
    if not isinstance(key, str):
        raise BadKey(f"{key!r} is not a key (a string was expected)")
    match = _KEY.fullmatch(key)
    if not match or ".." in match["name"]:
        raise BadKey(f"{key!r} does not follow the archive layout (kind/source=…/date=…/file)")
    if kind is not None and match["kind"] != kind:
        raise BadKey(f"{key!r} is not a {kind} file")
    if not match["name"].endswith(KINDS[match["kind"]]):
        raise BadKey(f"{key!r}: a {match['kind']} file name ends in {KINDS[match['kind']]}")
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        raise BadKey(f"{key!r}: {match['day']} is not a calendar date") from None
    return Key(match["kind"], match["source"], day, match["name"])


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refused unless it resolves to a path inside ``root``."""
    base = root.resolve()
    path = (base / relative).resolve()
    if relative.startswith(("/", "\\")) or "\x00" in relative or not path.is_relative_to(base):
        raise BadKey(f"{relative!r} would be written outside {root}")
    if path == base:
        raise BadKey(f"{relative!r} names {root} itself, not a file in it")
    return path


_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def period_day(value: str, *, end: bool) -> date:
    """A day given as YYYY-MM-DD, YYYY-MM or YYYY: the first day of that period, or the
    last with ``end``. One rule for the crawl's ``-a since/until`` and the read side's
    ``--since/--until``."""
    match = _PERIOD.match(value.strip())
    if match:
        year, month, day = (int(g) if g else 0 for g in match.groups())
        try:
            if not month:
                return date(year, 12, 31) if end else date(year, 1, 1)
            if not day:
                return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
            return date(year, month, day)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date: expected YYYY-MM-DD (or YYYY-MM, or YYYY)")
