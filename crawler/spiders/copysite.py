"""A third-party WordPress copy site (example domain), for studying republication."""

from crawler.spiders.discovery import DiscoverySpider


class CopySiteSpider(DiscoverySpider):
    name = "copysite"
    source = "copysite"
