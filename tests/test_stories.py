"""Republication clusters (newsarchive.stories): which texts are one story, on real
articles (the seeds, the captured outlet pages, zh-dev's gold readings)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.stories import (
    BUCKET_CAP,
    SCHEME,
    RedisStoryStore,
    StoryIndex,
    normalize,
    open_index,
    shingle_hashes,
    signature,
    story_id,
)
from tests.story_pairs import (
    captured_articles,
    edited,
    reheadlined,
    rewrapped,
    seed_articles,
    text_of,
    trimmed,
    zh_dev_articles,
)

SEEDS = seed_articles()
CAPTURED = {a.key.split("/", 1)[1]: a for a in captured_articles()}
XINHUA_ZH = CAPTURED["xinhuanet-zh-world-2019-12-10-c_1125327450"]
CGTN_EN = CAPTURED["cgtn-article-2019-01-21-china-cambodia-cooperation"]


def text(article) -> str:
    return text_of(article.title, article.paragraphs)


@pytest.fixture
def index(tmp_path):
    found = open_index(tmp_path / "stories.sqlite")
    yield found
    found.close()


def test_a_verbatim_copy_joins_the_original(index):
    first = index.assign("xinhua", text(CGTN_EN))
    assert index.assign("copy", text(CGTN_EN)) == first == story_id("xinhua")


def test_an_article_that_matches_nothing_starts_its_own_story(index):
    assert index.assign("a1", text(CGTN_EN)) == "s-a1"


def test_a_copy_trimmed_to_its_first_half_joins(index):
    story = index.assign("original", text(CGTN_EN))
    assert index.assign("trimmed", text_of(*trimmed(CGTN_EN))) == story


def test_a_trimmed_copy_arriving_first_is_joined_by_the_original(index):
    story = index.assign("trimmed", text_of(*trimmed(XINHUA_ZH)))
    assert index.assign("original", text(XINHUA_ZH)) == story


def test_the_reheadlined_copy_has_lost_its_headline_dateline_and_reporter():
    title, body = reheadlined(XINHUA_ZH)
    assert not body[0].startswith("新华社")  # the dateline and the reporter are gone
    assert title != XINHUA_ZH.title


def test_a_reheadlined_copy_without_attribution_joins_its_story(index):
    story = index.assign("xinhua", text(XINHUA_ZH))
    assert index.assign("copy", text_of(*reheadlined(XINHUA_ZH))) == story


def test_rewrapped_and_merged_paragraphs_join(index):
    story = index.assign("xinhua", text(XINHUA_ZH))
    assert index.assign("plain-text-copy", text_of(*rewrapped(XINHUA_ZH))) == story


def test_cosmetic_differences_vanish_in_normalisation():
    assert normalize("新华社巴黎１２月９日电（记者唐霁）") == normalize(
        "新华社巴黎12月9日电 (记者唐霁)"
    )
    assert normalize("“It’s  here,” he said —\nBEIJING") == normalize(
        '"It’s here," he said - beijing'
    )
    assert normalize("zero\u200bwidth") == "zerowidth"


def test_chinese_is_shingled_by_five_characters_wherever_the_lines_break():
    assert len(shingle_hashes("中国同柬埔寨合作")) == 4  # 8 characters: 4 five-grams
    assert (
        shingle_hashes("中国同柬\n埔寨合作").tolist() == shingle_hashes("中国同柬埔寨合作").tolist()
    )


def test_english_is_shingled_by_five_words():
    assert len(shingle_hashes("one two three four five six seven")) == 3


def test_a_shingle_hashes_the_same_wherever_it_stands():
    assert set(shingle_hashes("b c d e f").tolist()) < set(shingle_hashes("a b c d e f").tolist())
    assert set(shingle_hashes("三四五六七").tolist()) < set(
        shingle_hashes("一二三四五六七").tolist()
    )


def test_a_repeated_shingle_counts_once():
    assert len(shingle_hashes("a b c d e a b c d e")) == 5  # six runs, "a b c d e" twice


SENTENCE = "BEIJING -- Chen Wenqing met with Igor Krasnov on Thursday in Beijing."


def test_signatures_are_the_same_in_every_process():
    # fixed seed, permutations and hash scheme: a signature stored by one worker is
    # comparable with one computed by another, in another run
    sig = signature(SENTENCE)
    assert sig is not None
    assert sig.size == 7  # 11 words: 7 five-word shingles
    # (pinned: a change of shingling or hashing makes signatures of another SCHEME, whose
    # indexes are rebuilt; without a new SCHEME new copies would part from their stories)
    assert (SCHEME, sig.values[:3].tolist()) == (2, [33773606, 590450256, 140230691])
    other = subprocess.run(
        [sys.executable, "-c", "from newsarchive.stories import signature; import sys; "
         "print(signature(sys.argv[1]).values.tolist())", SENTENCE],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert other.stdout.strip() == str(sig.values.tolist())


def test_the_five_china_russia_seed_articles_stay_five_stories(index):
    assert len(SEEDS) == 5
    stories = {index.assign(a.key, text(a)) for a in SEEDS}
    assert len(stories) == 5


def test_same_site_chinese_articles_stay_apart(index):
    pages = [a for a in zh_dev_articles() if a.group in ("zh-dev/163", "zh-dev/toutiao")]
    assert len(pages) >= 10
    assert len({index.assign(a.key, text(a)) for a in pages}) == len(pages)


def test_an_edit_of_one_sentence_keeps_the_story(index):
    story = index.assign("article", text(CGTN_EN))
    assert index.assign("article", text_of(*edited(CGTN_EN))) == story
    assert len(index) == 1  # the edit replaced the earlier signature


def test_a_url_serving_an_unrelated_text_gets_a_new_story(index):
    first = index.assign("article", text(CGTN_EN))
    index.assign("copy", text(CGTN_EN))
    second = index.assign("article", text(XINHUA_ZH))
    assert second not in (first, index.assign("copy", text(CGTN_EN)))
    assert second == "s-article-2"  # its first id stays with the copy that joined it
    assert index.assign("copy", text(CGTN_EN)) == first


def test_the_replaced_text_no_longer_draws_copies(index):
    index.assign("article", text(CGTN_EN))
    index.assign("article", text(XINHUA_ZH))
    assert index.assign("late-copy", text(CGTN_EN)) == "s-late-copy"


def test_a_replaced_text_leaves_no_bucket_behind(index):
    index.assign("article", text(CGTN_EN))
    index.assign("article", text(XINHUA_ZH))
    rows = index.store._db.execute("SELECT key, members FROM buckets").fetchall()
    new = signature(text(XINHUA_ZH))
    assert new is not None
    assert sorted(rows) == sorted((key, "article") for key in set(new.band_keys))


def test_a_short_text_joins_only_a_near_identical_one(index):
    lede = " ".join(CGTN_EN.paragraphs[0].split()[:20])  # a news flash of one sentence
    assert len(shingle_hashes(lede)) < 30
    index.assign("original", text(CGTN_EN))
    assert index.assign("lede-only", lede) == "s-lede-only"
    assert index.assign("same-lede", lede) == "s-lede-only"


def test_a_story_copied_many_times_keeps_each_bucket_capped(index):
    story = index.assign("original", text(CGTN_EN))
    copies = [index.assign(f"copy-{n:02d}", text(CGTN_EN)) for n in range(BUCKET_CAP + 8)]
    assert set(copies) == {story}
    largest = index.store._db.execute(
        "SELECT MAX(LENGTH(members) - LENGTH(REPLACE(members, ' ', '')) + 1) FROM buckets"
    ).fetchone()[0]
    assert largest == BUCKET_CAP


def test_an_empty_text_keeps_its_story_and_is_not_indexed(index):
    story = index.assign("article", text(CGTN_EN))
    assert index.assign("article", "  \n ") == story
    assert index.assign("other", "") == "s-other"
    assert len(index) == 1


def test_the_sqlite_index_survives_reopening(tmp_path):
    path = tmp_path / "stories.sqlite"
    index = open_index(path)
    story = index.assign("xinhua", text(XINHUA_ZH))
    index.close()
    again = open_index(path)
    assert again.assign("copy", text_of(*reheadlined(XINHUA_ZH))) == story
    again.close()


def test_redis_gives_the_same_stories_as_sqlite(redis_url, tmp_path):
    texts = [(f"seed-{i}", text(a)) for i, a in enumerate(SEEDS)] + [
        ("xinhua", text(XINHUA_ZH)),
        ("trimmed", text_of(*trimmed(XINHUA_ZH))),
        ("cgtn", text(CGTN_EN)),
        ("cgtn-copy", text_of(*reheadlined(CGTN_EN))),
        ("cgtn", text(XINHUA_ZH)),  # the URL now serves another text
        ("cgtn-copy", text(CGTN_EN)),
    ]
    sqlite = open_index(tmp_path / "stories.sqlite")
    redis = StoryIndex(RedisStoryStore(redis_url, f"file://{tmp_path}/archive"))
    assert [redis.assign(a, t) for a, t in texts] == [sqlite.assign(a, t) for a, t in texts]
    assert len(redis) == len(sqlite) == 9
    redis.close()
    sqlite.close()


def test_redis_indexes_of_two_archives_are_apart(redis_url, tmp_path):
    one = StoryIndex(RedisStoryStore(redis_url, f"file://{tmp_path}/one"))
    two = StoryIndex(RedisStoryStore(redis_url, f"file://{tmp_path}/two"))
    one.assign("xinhua", text(XINHUA_ZH))
    assert two.assign("copy", text(XINHUA_ZH)) == "s-copy"
    one.close()
    two.close()


def test_story_ids_are_derived_from_the_article_id():
    assert story_id("0123abcd") == "s-0123abcd"
    assert story_id("0123abcd", 3) == "s-0123abcd-3"


def test_the_captured_pages_are_real_articles():
    # the fixtures these tests lean on are what their names say
    for name in (
        "xinhuanet-zh-world-2019-12-10-c_1125327450",
        "cgtn-article-2019-01-21-china-cambodia-cooperation",
    ):
        page = json.loads(
            (Path(__file__).parent / "expected_captured" / f"{name}.json").read_text()
        )
        assert len(page["body"]) >= 5


def test_a_damaged_index_file_is_set_aside_and_a_new_one_opened(tmp_path):
    from newsarchive.stories import open_index

    path = tmp_path / "stories.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    index = open_index(path)
    assert len(index) == 0
    index.close()
    assert [p.name.split("-")[0] for p in tmp_path.glob("stories.sqlite.unusable-*")] == [
        "stories.sqlite.unusable"
    ]


def test_an_index_of_another_scheme_is_set_aside_and_a_new_one_opened(tmp_path):
    path = tmp_path / "stories.sqlite"
    old = open_index(path)
    old.assign("xinhua", text(XINHUA_ZH))
    old.close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEME - 1}")
    index = open_index(path)
    assert len(index) == 0  # rebuilt from the archive by the session (test_story_ledger)
    index.close()
    assert len(list(tmp_path.glob("stories.sqlite.unusable-*"))) == 1


def test_a_redis_index_of_another_scheme_is_not_read(redis_url, tmp_path):
    import redis

    archive = f"file://{tmp_path}/archive"
    index = StoryIndex(RedisStoryStore(redis_url, archive))
    index.assign("xinhua", text(XINHUA_ZH))
    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(f"{index.store.prefix}:*"):  # the same keys, scheme 1
        server.rename(key, key.replace(b":stories:%d:" % SCHEME, b":stories:1:"))
    assert len(StoryIndex(RedisStoryStore(redis_url, archive))) == 0
    index.close()
    server.close()


def test_the_minhash_is_datasketchs_affine32_minhash_bit_for_bit():
    from datasketch import MinHash

    for sample in (text(XINHUA_ZH), text(CGTN_EN), SENTENCE):
        # datasketch hashes each item with hashfunc: here an item is a shingle's hash
        reference = MinHash(
            num_perm=128, seed=1, scheme="affine32", hashfunc=lambda b: int.from_bytes(b, "little")
        )
        reference.update_batch([h.to_bytes(4, "little") for h in shingle_hashes(sample).tolist()])
        sig = signature(sample)
        assert sig is not None
        assert sig.values.tolist() == reference.hashvalues.tolist()
