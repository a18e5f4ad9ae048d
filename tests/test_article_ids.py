"""Article ids through a real crawl: pages whose template declares the home page as
canonical keep their own ids; one article reached over https and http is one article
with one first version; a page of another text declaring an article's URL never takes
its place, and the collision is counted."""

from __future__ import annotations

from collections import Counter

import pytest

from newsarchive.storage.local import LocalStorage
from tests.archive_checks import read_articles, read_manifests
from tests.conftest import crawl_overlay

pytestmark = pytest.mark.e2e

ARTICLE = "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"
HOME = "https://www.ecns.cn/news/politics/2023-02-06/detail-homecanon{}.shtml"
SHADOW = "https://www.ecns.cn/news/politics/2023-02-06/detail-shadow.shtml"


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ids")
    result = crawl_overlay(tmp, "routes-identity.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    storage = LocalStorage(tmp / "archive")
    (manifest,) = read_manifests(storage)
    return read_articles(storage), manifest["stats"]


def test_pages_declaring_the_home_page_keep_their_own_ids(archived):
    records, _ = archived
    home = [r for r in records if r["url"] in {HOME.format(n) for n in (1, 2, 3)}]
    assert len(home) == 3
    assert len({r["id"] for r in home}) == 3
    assert {r["declared_canonical"] for r in home} == {"https://www.ecns.cn/"}
    assert all(r["canonical_url"] == r["url"] for r in home)


def test_no_id_has_two_records_of_one_version(archived):
    records, _ = archived
    counts = Counter((r["id"], r["version"]) for r in records)
    assert [key for key, n in counts.items() if n > 1] == []


def test_one_article_over_https_and_http_is_stored_once(archived):
    records, _ = archived
    of_article = [r for r in records if r["url"].endswith("detail-ihcfyzqt8731694.shtml")]
    assert len(of_article) == 1


def test_a_page_claiming_an_article_s_url_never_replaces_its_text(archived):
    records, stats = archived
    (article,) = [r for r in records if r["url"] == ARTICLE]
    latest = max((r for r in records if r["id"] == article["id"]), key=lambda r: r["version"])
    assert latest["url"] == ARTICLE
    (shadow,) = [r for r in records if r["url"] == SHADOW]
    assert shadow["declared_canonical"] == ARTICLE
    assert stats["article/id_collision"] == 1
