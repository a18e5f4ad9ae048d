import pytest

from newsarchive import profiles


def test_every_seeds_file_loads_as_a_profile():
    assert profiles.available() == [
        "cgtn",
        "chinadaily",
        "chinaorgcn",
        "copysite",
        "ecns",
        "xinhua",
    ]
    for name in profiles.available():
        assert profiles.load(name).name == name


def test_unknown_source_names_the_valid_ones():
    with pytest.raises(profiles.ProfileError, match="unknown source 'bbc'; valid sources: cgtn, "):
        profiles.load("bbc")


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("xinhua", "https://english.news.cn/20230713/357fb1303d5e31bc2cd03061bef6f086/c.html"),
        ("xinhua", "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm"),
        ("xinhua", "http://www.he.xinhuanet.com/news/2012-06/04/content_25340717.htm"),
        ("cgtn", "https://news.cgtn.com/news/3d3d514d3259544d32457a6333566d54/index.html"),
        ("chinadaily", "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c.html"),
        ("chinaorgcn", "http://www.china.org.cn/world/2023-05/25/content_85311924.htm"),
        ("ecns", "https://www.ecns.cn/news/politics/2023-02-04/detail-ihcfyzqt8731694.shtml"),
        ("ecns", "http://www.chinanews.com/ll/2020/07-04/9229287.shtml"),
    ],
)
def test_article_patterns_accept_real_article_urls(source, url):
    assert profiles.load(source).is_article(url)


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("ecns", "https://www.ecns.cn/news/politics/"),
        ("ecns", "https://www.ecns.cn/news/politics/index_2.shtml"),
        ("chinadaily", "https://www.chinadaily.com.cn/china/59b8d010a3108c54ed7dfc30/page_2.html"),
        (
            "chinadaily",
            "https://www.chinadaily.com.cn/a/202307/14/WS64b0aaf4a31035260b816a3c_2.html",
        ),
        ("copysite", "https://www.worldnewsera.example/feed/"),
    ],
)
def test_article_patterns_reject_listings_and_continuation_pages(source, url):
    assert not profiles.load(source).is_article(url)


def test_listing_page_number_reads_the_pagination_pattern():
    ecns = profiles.load("ecns")
    assert ecns.listing_page_number("https://www.ecns.cn/news/politics/index_2.shtml") == 2
    assert ecns.listing_page_number("https://www.ecns.cn/news/politics/") is None


def test_language_comes_from_the_edition_serving_the_host():
    xinhua = profiles.load("xinhua")
    assert xinhua.language_for("https://english.news.cn/x/c.html") == "en"
    assert xinhua.language_for("http://chinaneast.xinhuanet.com/jizhe/x.htm") == "zh"


def test_a_bad_regex_is_reported_with_file_and_field(tmp_path):
    data = {
        "name": "x",
        "allowed_domains": ["x.cn"],
        "article_urls": ["("],
        "editions": [{"language": "en", "hosts": ["x.cn"]}],
    }
    with pytest.raises(
        profiles.ProfileError, match=r"x.yaml: bad regular expression in 'article_urls'"
    ):
        profiles.parse_profile(data, tmp_path / "x.yaml")
