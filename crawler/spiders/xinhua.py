"""Xinhua News Agency: english.news.cn, www.news.cn, xinhuanet.com."""

from crawler.spiders.discovery import DiscoverySpider


class XinhuaSpider(DiscoverySpider):
    name = "xinhua"
    source = "xinhua"
