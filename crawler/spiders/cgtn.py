"""CGTN: www.cgtn.com and news.cgtn.com."""

from crawler.spiders.discovery import DiscoverySpider


class CgtnSpider(DiscoverySpider):
    name = "cgtn"
    source = "cgtn"
