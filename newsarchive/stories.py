"""Republication clusters ("stories"): every stored article gets the id of the story it
republishes, found incrementally as articles arrive during a crawl.

The same Xinhua wire story is republished by other outlets and copy sites: trimmed,
re-headlined, with or without the agency line. Several different stories on one topic
(five China–Russia meetings in a month) share most of their vocabulary and stock phrases,
so the test is overlap of *runs* of text (shingles), not of words.

How, and why each step:

- Normalise (NFKC, casefold, punctuation and symbols to spaces, whitespace folded) so
  full-width digits, curly quotes or a re-wrapped paragraph change nothing.
- Shingle: Han-majority text by characters (Chinese has no word spaces, and a segmenter
  would add a dependency and its own errors), other text by words. The n of each
  (:data:`HAN_N`, :data:`WORD_N`) was chosen by measurement on the hard negatives (the
  five China–Russia seeds, same-site pages of the dev sets) against trimmed and edited
  copies; the numbers are in the module constants' comments.
- Hash each shingle without building it: a word is its CRC-32 (a character its code
  point), an n-gram a fixed linear mix of its n tokens' hashes, all n-grams of a text in
  a few numpy passes (:func:`shingle_hashes`; building every n-gram's string and
  hashing it one by one was two thirds of a signature). Then MinHash as datasketch
  defines it (scheme affine32, fixed seed and number of permutations), so a signature
  computed by one worker in one run equals one computed by another later.
  :func:`minhash` computes it in numpy; a test holds it equal to datasketch's own from
  the same shingle hashes (datasketch is not imported at run time: its package loads
  scipy). The index records the :data:`SCHEME` its signatures were made with; an index
  of another scheme is set aside and rebuilt from the archive.
- Candidates by LSH banding (:data:`BANDS` bands of :data:`ROWS` rows), then verification
  by estimated *containment* |A∩B| / min(|A|, |B|): a copy trimmed to its first paragraphs
  is almost wholly inside the original, though its Jaccard similarity is only its share
  of the original. Bands of 2 rows make a pair with Jaccard 0.3 a candidate with
  probability 0.998 (0.2: 0.93, 0.01: 0.006), so a copy holding a third of the original
  is found and unrelated articles rarely need verifying.
- Very short texts (fewer than :data:`SHORT` shingles, about two sentences) are joined
  only to near-identical texts (Jaccard at least :data:`SHORT_JACCARD`): a sentence or two
  "contained" in a long article is as likely a stock phrase or a quote as a republication,
  and with so few shingles the containment estimate is noise.

Story ids: the first story an article starts is ``"s-" + article_id``; when the same
article id later starts another one (its URL now serves an unrelated text, while others
may still be in its first story), ``"s-<article_id>-<n>"`` with n = 2, 3, … Ids depend
only on the order articles are assigned, so a crawl's records are reproducible.

Two stores behind :class:`StoryStore`, like the crawl state: SQLite in a file on one
machine (:class:`SQLiteStoryStore`), Redis shared by distributed workers
(:class:`RedisStoryStore`). Scrapy-free.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
import zlib
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from newsarchive.state import open_cache

NUM_PERM = 128
SEED = 1
# The signatures' scheme (shingling, shingle hash, MinHash): an index made with another
# is not comparable, and is rebuilt. 1: CRC-32 of each shingle's string; 2: token hashes
# mixed per n-gram (shingle_hashes).
SCHEME = 2
# n measured on the eval set's originals (tests/story_pairs.py: 379 articles) with exact
# shingle sets: containment of the hardest negatives (the seeds, same-site pages) against
# the 2nd percentile of copies (the copy-site transformation is the lowest). Words:
# n=2 0.37 vs 0.76, 3 0.27/0.75, 4 0.21/0.74, 5 0.18/0.73, 6 0.17/0.72, 8 0.15/0.70 -
# the gap stops growing at 5. Han characters: n=2 0.15/0.81, 3 0.03/0.81, 4 0.010/0.80,
# 5 0.004/0.80, 6 0.003/0.79 - flat from 4; 5 (about three words) keeps long stock
# titles ("中共中央政治局委员、中央政法委书记") from counting as much as 3 or 4 would.
# Shorter n lets stock phrases raise same-topic overlap; longer n makes each edited word
# cost more shingles.
HAN_N = 5
WORD_N = 5
# Bands of 2 rows: a pair at Jaccard 0.3 is a candidate with probability 0.998, at 0.2
# 0.93, at 0.05 0.15, at 0.01 0.006. Bands of 3 (42 bands) missed 7% of the copies
# trimmed to half their paragraphs (Jaccard 0.15-0.35 to the original, a lede being
# short); unrelated news shares almost no 5-shingles, so the extra candidates are few.
BANDS, ROWS = 64, 2
# A band bucket keeps at most BUCKET_CAP articles, and an assignment verifies at most
# CANDIDATES (those sharing the most bands with it): a story republished a thousand
# times, or a stock paragraph on every page, would otherwise make each new article
# compare with all of them (the crawl bench's 20,000 copies of nine pages slowed the
# crawl's reactor to a crawl). A capped bucket's members already share the band: a
# newcomer matching it still meets sixteen of them, and, with 64 bands, its other buckets
# too. The cap bounds the candidate search's work (64 x 16 bucket rows read): 40 made
# that search 0.46 ms an article on the bench's copies, 16 0.22 ms, with the same
# stories (tests/story_pairs.py).
BUCKET_CAP = 16
CANDIDATES = 32
# Estimated containment (MinHash): the hardest negative 0.21 (two seeds), the highest of
# 71,631 pairs of different originals 0.29; copies 0.73 and more (exact, 2nd percentile).
CONTAINMENT = 0.5
# Fewer distinct shingles than this (about two sentences): Jaccard must be near-identical.
SHORT = 30
SHORT_JACCARD = 0.8

_FORMAT = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")  # soft hyphen, zero-width marks
_NON_WORD = re.compile(r"[\W_]+")
_SPACE = 0x20
# The n-gram hash's multiplier per position (splitmix64's and murmur3's odd constants),
# as many as the longest n (HAN_N, WORD_N).
_POSITION = np.array(
    [
        0x9E3779B97F4A7C15,
        0xBF58476D1CE4E5B9,
        0x94D049BB133111EB,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
    ],
    dtype=np.uint64,
)


def normalize(text: str) -> str:
    """The text with every cosmetic difference gone: NFKC (full-width forms, ligatures),
    casefold, zero-width characters and soft hyphens dropped, every run of punctuation,
    symbols and whitespace as one space."""
    folded = unicodedata.normalize("NFKC", _FORMAT.sub("", text)).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def han_majority(text: str) -> bool:
    """Whether at least half the letters are Han characters: the text is shingled by
    characters. Decided by the text, not a declared language, which pages get wrong."""
    return _han_majority(np.frombuffer(normalize(text).encode("utf-32-le"), dtype="<u4"))


def _han_majority(codes: np.ndarray) -> bool:
    """:func:`han_majority` of a normalised text's code points: there only letters,
    digits and single spaces are left; a digit is an ASCII one (NFKC made full-width
    digits ASCII; other scripts' digits count as letters, which decides nothing in
    Chinese or English news)."""
    han = np.count_nonzero(
        ((codes >= 0x3400) & (codes <= 0x4DBF))
        | ((codes >= 0x4E00) & (codes <= 0x9FFF))
        | ((codes >= 0xF900) & (codes <= 0xFAFF))
    )
    letters = len(codes) - np.count_nonzero(codes == _SPACE)
    letters -= np.count_nonzero((codes >= 0x30) & (codes <= 0x39))
    return bool(letters > 0 and 2 * han >= letters)


def _ngram_hashes(tokens: np.ndarray, n: int) -> np.ndarray:
    """One 32-bit hash per run of ``n`` consecutive token hashes: a sum of the tokens
    times a fixed odd 64-bit constant per position, modulo 2^64, its high half (the low
    bits of a product depend only on the low bits of its factors). The same run hashes
    the same wherever it stands, and no n-gram's string is ever built: that, and one
    zlib call per shingle, was most of a signature's time. Fewer than ``n`` tokens are
    one shingle, hashed the same way."""
    m = max(len(tokens) - n + 1, 1)
    with np.errstate(over="ignore"):
        summed = tokens[:m] * _POSITION[0]
        for k in range(1, min(n, len(tokens))):
            summed = summed + tokens[k : k + m] * _POSITION[k]
    return (summed >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct hashes (uint32, sorted) of the text's shingles: character n-grams of
    Han-majority text (spaces dropped: where a line broke does not matter), word n-grams
    of other text (a word is its CRC-32). Empty when the text has no words."""
    norm = normalize(text)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4")
    if _han_majority(codes):
        tokens = codes[codes != _SPACE].astype(np.uint64)
        n = HAN_N
    else:
        words = norm.encode("utf-8").split()
        tokens = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
        n = WORD_N
    if not len(tokens):
        return np.empty(0, dtype=np.uint32)
    return np.unique(_ngram_hashes(tokens, n))


@dataclass(frozen=True)
class Signature:
    """A MinHash of a text's shingles, and how many distinct shingles it had (the
    containment estimate needs the set sizes)."""

    values: np.ndarray  # uint32, NUM_PERM long
    size: int

    def jaccard(self, other: Signature) -> float:
        """The estimated Jaccard similarity: the share of equal minimums."""
        return float(np.count_nonzero(self.values == other.values)) / NUM_PERM

    @cached_property
    def band_keys(self) -> list[int]:
        """One 63-bit key per band (band number mixed in, so bands never collide): the
        band's two values as one 64-bit number, through splitmix64's finaliser, in one
        numpy pass (blake2b per band was a tenth of an assignment's time); computed once, for
        the candidate search and the index's write alike."""
        rows = self.values.astype(np.uint64).reshape(BANDS, ROWS)
        with np.errstate(over="ignore"):
            key = (rows[:, 0] << np.uint64(32)) | rows[:, 1]
            key ^= np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
            key = (key ^ (key >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            key = (key ^ (key >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            key ^= key >> np.uint64(31)
        return [int(k) for k in key >> np.uint64(1)]


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations for SEED: odd multipliers ``a`` and offsets
    ``b``, drawn as ``MinHash._init_permutations`` draws them."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, datasketch's pre-mix for the affine32 scheme."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The MinHash of 32-bit shingle hashes, exactly as datasketch's
    ``MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")`` computes it from the same
    hashes (``tests/test_stories.py`` holds the two equal): fmix32, then ``a*h + b`` mod
    2^32 per permutation, the minimum of each. Computed here rather than by importing
    datasketch, whose package import loads scipy (90 MB) into the crawl process."""
    a, b = _permutations()
    mixed = _fmix32(hashes.astype(np.uint32))
    with np.errstate(over="ignore"):
        # One row per permutation, reduced along the row: four times faster than the
        # transposed layout, whose minimum strides across rows.
        values = np.multiply.outer(a, mixed)
        values += b[:, None]
    return values.min(axis=1)


def signature(text: str) -> Signature | None:
    """The text's signature; None when it has no words at all."""
    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    return Signature(minhash(hashes), len(hashes))


def match(a: Signature, b: Signature) -> float | None:
    """How surely ``a`` and ``b`` are one story (estimated containment, or Jaccard for
    short texts), or None when they are not."""
    jaccard = a.jaccard(b)
    small = min(a.size, b.size)
    if small < SHORT:
        return jaccard if jaccard >= SHORT_JACCARD else None
    # |A∩B| = J (|A| + |B|) / (1 + J)
    containment = min(1.0, jaccard * (a.size + b.size) / (1 + jaccard) / small)
    return containment if containment >= CONTAINMENT else None


@dataclass(frozen=True)
class Entry:
    """One indexed article: its latest signature, its story, and how many stories its id
    has started (for the next new story's id)."""

    article_id: str
    story: str
    signature: Signature
    started: int


@dataclass(frozen=True)
class Buckets:
    """What a signature's band buckets hold besides the article itself: each other
    article in any of them, with how many of them it shares (the LSH candidates), and
    the buckets already full (:data:`BUCKET_CAP`), which the article does not join. One
    read gives both, for the search and the write."""

    shared: dict[str, int]
    full: frozenset[int]


def story_id(article_id: str, n: int = 1) -> str:
    return f"s-{article_id}" if n <= 1 else f"s-{article_id}-{n}"


class StoryStore(Protocol):
    """What the index needs of its storage: SQLite (:class:`SQLiteStoryStore`) or Redis
    (:class:`RedisStoryStore`)."""

    def get(self, article_id: str) -> Entry | None: ...

    def buckets(self, article_id: str, keys: list[int]) -> Buckets:
        """What these band buckets hold besides ``article_id``."""
        ...

    def entries(self, article_ids: list[str]) -> list[Entry]: ...

    def put(self, entry: Entry, replaces: Entry | None, full: frozenset[int]) -> None:
        """Index ``entry``, dropping ``replaces`` (its previous version) from the buckets,
        adding it to those of its buckets not ``full``."""
        ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


class StoryIndex:
    """The incremental index: :meth:`assign` gives an article its story, indexing it."""

    def __init__(self, store: StoryStore) -> None:
        self.store = store

    def assign(self, article_id: str, text: str) -> str:
        """The story of this article's text: its own previous story when the text still
        matches its previous version (an edit), else the story of the best verified match
        among the other indexed articles, else a new story. Indexes the text, replacing
        the article's previous signature."""
        sig = signature(text)
        previous = self.store.get(article_id)
        if sig is None:  # nothing to compare: keep what it had, index nothing
            return previous.story if previous else story_id(article_id)
        found = self.store.buckets(article_id, sig.band_keys)
        story: str | None
        if previous is not None and match(sig, previous.signature) is not None:
            story = previous.story
        else:
            story = self._best_match(found.shared, sig)
        started = previous.started if previous else 0
        if story is None:
            started += 1
            story = story_id(article_id, started)
        self.store.put(Entry(article_id, story, sig, started), previous, found.full)
        return story

    def story_of(self, article_id: str) -> str | None:
        """The story the index holds for an article, without indexing anything (a
        re-extraction of an older capture must not replace the latest signature)."""
        entry = self.store.get(article_id)
        return entry.story if entry else None

    def restore(self, article_id: str, text: str, story: str) -> None:
        """Index an archived article under the story its record already names (a
        rebuild of the index from the archive: :func:`rebuild`)."""
        sig = signature(text)
        if sig is None:
            return
        previous = self.store.get(article_id)
        suffix = story.removeprefix(story_id(article_id)).lstrip("-")
        started = max(previous.started if previous else 0, int(suffix) if suffix.isdigit() else 1)
        full = self.store.buckets(article_id, sig.band_keys).full
        self.store.put(Entry(article_id, story, sig, started), previous, full)

    def _best_match(self, hits: dict[str, int], sig: Signature) -> str | None:
        ids = sorted(sorted(hits), key=lambda i: -hits[i])[:CANDIDATES]
        best: tuple[float, float, str] | None = None
        for entry in self.store.entries(ids):
            score = match(sig, entry.signature)
            if score is None:
                continue
            jaccard = sig.jaccard(entry.signature)
            if best is None or (score, jaccard) > best[:2]:
                best = (score, jaccard, entry.story)
        return best[2] if best else None

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        self.store.close()


def _buckets(article_id: str, buckets: list[tuple[int, Collection[str]]]) -> Buckets:
    """:class:`Buckets` from (key, members) pairs, ``article_id`` left out of both."""
    shared = Counter(chain.from_iterable(members for _, members in buckets))
    shared.pop(article_id, None)
    full = frozenset(
        key for key, members in buckets if len(members) - (article_id in members) >= BUCKET_CAP
    )
    return Buckets(dict(shared), full)


def _values(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    story TEXT NOT NULL,
    size INTEGER NOT NULL,           -- distinct shingles
    signature BLOB NOT NULL,         -- NUM_PERM little-endian uint32
    started INTEGER NOT NULL         -- stories this article id has started
);
CREATE TABLE IF NOT EXISTS buckets (
    key INTEGER PRIMARY KEY,         -- band key
    members TEXT NOT NULL            -- article ids (hex), space-separated, <= BUCKET_CAP
);
"""


class SQLiteStoryStore:
    """The index of one machine, in a file (``stories.sqlite`` beside the crawl state).
    Each :meth:`put` is one transaction, so a crash leaves no half-indexed article. Like
    the crawl state it is a cache of the archive: a damaged file, or one whose signatures
    are of another :data:`SCHEME` (its ``user_version``), is set aside (renamed, never
    deleted) and a new, empty one is rebuilt from the archive's records."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = open_cache(path, self._open, "story index")

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # An article's put dirties a page per band bucket (64, at random places): at
            # SQLite's default of a checkpoint (and its fsyncs) every 1,000 WAL pages, the
            # commit was over half of an assignment's time (0.8 of 1.4 ms, bench/stories'
            # articles); a checkpoint every 10,000 pages (a WAL of up to 40 MB on disk)
            # halves it.
            db.execute("PRAGMA wal_autocheckpoint=10000")
            (scheme,) = db.execute("PRAGMA user_version").fetchone()
            if db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0:
                db.executescript(SCHEMA)  # a new file
                db.execute(f"PRAGMA user_version = {SCHEME}")
            elif scheme != SCHEME:
                raise sqlite3.DatabaseError(f"an index of scheme {scheme}, not {SCHEME}")
            db.execute("SELECT COUNT(*) FROM articles").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _entry(self, row: tuple[Any, ...]) -> Entry:
        article_id, story, size, blob, started = row
        return Entry(article_id, story, Signature(_values(blob), size), started)

    def get(self, article_id: str) -> Entry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT article_id, story, size, signature, started FROM articles "
                "WHERE article_id = ?",
                (article_id,),
            ).fetchone()
        return self._entry(row) if row else None

    def buckets(self, article_id: str, keys: list[int]) -> Buckets:
        # A row a bucket, its members in one string: 64 rows read an article, where a
        # row a member was up to 64 x BUCKET_CAP (0.3 ms an article on the bench's
        # copies, a third of the index's time). Article ids are hex: never a space.
        with self._lock:
            rows = self._db.execute(
                f"SELECT key, members FROM buckets WHERE key IN ({','.join('?' * len(keys))})",
                keys,
            ).fetchall()
        return _buckets(article_id, [(key, members.split()) for key, members in rows])

    def entries(self, article_ids: list[str]) -> list[Entry]:
        found: list[Entry] = []
        with self._lock:
            for start in range(0, len(article_ids), 500):
                chunk = article_ids[start : start + 500]
                rows = self._db.execute(
                    "SELECT article_id, story, size, signature, started FROM articles "
                    f"WHERE article_id IN ({','.join('?' * len(chunk))}) ORDER BY article_id",
                    chunk,
                ).fetchall()
                found.extend(self._entry(row) for row in rows)
        return found

    def put(self, entry: Entry, replaces: Entry | None, full: frozenset[int]) -> None:
        sig = entry.signature
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if replaces is not None:
                    old = replaces.signature.band_keys
                    self._db.executemany(
                        "UPDATE buckets SET members = "
                        "trim(replace(' ' || members || ' ', ' ' || ? || ' ', ' ')) "
                        "WHERE key = ?",
                        [(entry.article_id, key) for key in old],
                    )
                    self._db.execute(
                        f"DELETE FROM buckets WHERE key IN ({','.join('?' * len(old))}) "
                        "AND members = ''",
                        old,
                    )
                self._db.execute(
                    "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)",
                    (
                        entry.article_id,
                        entry.story,
                        sig.size,
                        sig.values.astype("<u4").tobytes(),
                        entry.started,
                    ),
                )
                self._db.executemany(
                    "INSERT INTO buckets VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                    "SET members = members || ' ' || excluded.members "
                    "WHERE instr(' ' || members || ' ', ' ' || excluded.members || ' ') = 0",
                    [(key, entry.article_id) for key in sig.band_keys if key not in full],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class RedisStoryStore:
    """The index shared by distributed workers: one hash per article (story, size,
    started, signature as hex), one set per band bucket, and a set of the article ids,
    under the archive's crawl-state namespace and the signatures' :data:`SCHEME`. Two
    workers assigning two copies of a new story at the same instant may each start a
    story (no transaction spans the search and the write); the next copy joins one of
    them."""

    def __init__(self, url: str, archive_uri: str) -> None:
        from newsarchive.redis_state import connect, namespace

        self.server = connect(url, "the story index")
        # An index of another scheme lives under another prefix: never read, so this
        # one starts empty and is rebuilt from the archive.
        self.prefix = f"{namespace(archive_uri)}:stories:{SCHEME}"

    def _doc(self, article_id: str) -> str:
        return f"{self.prefix}:doc:{article_id}"

    def _bucket(self, key: int) -> str:
        return f"{self.prefix}:band:{key:016x}"

    def _entry(self, article_id: str, field: dict[str, str]) -> Entry:
        values = _values(bytes.fromhex(field["signature"]))
        return Entry(
            article_id,
            field["story"],
            Signature(values, int(field["size"])),
            int(field["started"]),
        )

    def get(self, article_id: str) -> Entry | None:
        found: dict[str, str] = self.server.hgetall(self._doc(article_id))  # type: ignore[assignment]
        return self._entry(article_id, found) if found else None

    def buckets(self, article_id: str, keys: list[int]) -> Buckets:
        with self.server.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.smembers(self._bucket(key))
            found = pipe.execute()
        return _buckets(article_id, list(zip(keys, found, strict=True)))

    def entries(self, article_ids: list[str]) -> list[Entry]:
        with self.server.pipeline(transaction=False) as pipe:
            for article_id in article_ids:
                pipe.hgetall(self._doc(article_id))
            found = pipe.execute()
        return [self._entry(a, f) for a, f in zip(article_ids, found, strict=True) if f]

    def put(self, entry: Entry, replaces: Entry | None, full: frozenset[int]) -> None:
        sig = entry.signature
        with self.server.pipeline() as pipe:
            if replaces is not None:
                for key in replaces.signature.band_keys:
                    pipe.srem(self._bucket(key), entry.article_id)
            pipe.hset(
                self._doc(entry.article_id),
                mapping={
                    "story": entry.story,
                    "size": sig.size,
                    "started": entry.started,
                    "signature": sig.values.astype("<u4").tobytes().hex(),
                },
            )
            pipe.sadd(f"{self.prefix}:articles", entry.article_id)
            # (Two workers may both add to a bucket one short of the cap: a bucket can
            # exceed it by the number of workers, which bounds nothing that matters.)
            for key in sig.band_keys:
                if key not in full:
                    pipe.sadd(self._bucket(key), entry.article_id)
            pipe.execute()

    def __len__(self) -> int:
        return int(self.server.scard(f"{self.prefix}:articles"))  # type: ignore[arg-type]

    def close(self) -> None:
        self.server.close()


def open_index(path: Path) -> StoryIndex:
    """The SQLite-backed index in ``path`` (created when missing)."""
    return StoryIndex(SQLiteStoryStore(path))


def article_text(record: dict[str, Any]) -> str:
    """What a record is compared by: its headline and body, a paragraph a line (the
    eval, tests/story_pairs.py, measures the same)."""
    return "\n".join([str(record.get("title") or ""), *map(str, record.get("paragraphs") or [])])


def open_stories(state_dir: Path, state_url: str | None, archive_uri: str) -> StoryIndex:
    """The archive's story index beside its crawl state: Redis when the state is there
    (distributed workers share it), else SQLite in ``state_dir``."""
    if state_url:
        return StoryIndex(RedisStoryStore(state_url, archive_uri))
    return open_index(state_dir / "stories.sqlite")


def rebuild(index: StoryIndex, records: Any) -> int:
    """Fill an empty index from archived records (the newest of each article, oldest
    capture first): each under the story its record names, or, for records written
    before stories were assigned, the story it is assigned now. Returns the articles."""
    n = 0
    for record in records:
        if record.get("story"):
            index.restore(str(record["id"]), article_text(record), str(record["story"]))
        else:
            index.assign(str(record["id"]), article_text(record))
        n += 1
    return n
