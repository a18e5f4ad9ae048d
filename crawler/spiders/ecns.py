"""ECNS (China News Service), with its Chinese edition chinanews.com."""

from crawler.spiders.discovery import DiscoverySpider


class EcnsSpider(DiscoverySpider):
    name = "ecns"
    source = "ecns"
