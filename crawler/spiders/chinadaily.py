"""China Daily: www.chinadaily.com.cn and the Chinese edition."""

from crawler.spiders.discovery import DiscoverySpider


class ChinaDailySpider(DiscoverySpider):
    name = "chinadaily"
    source = "chinadaily"
