"""China.org.cn, English edition."""

from crawler.spiders.discovery import DiscoverySpider


class ChinaOrgCnSpider(DiscoverySpider):
    name = "chinaorgcn"
    source = "chinaorgcn"
