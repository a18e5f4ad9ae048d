"""The core beneath both sides: site profiles, page item types, the archive format
(written and read by the same modules), storage, the crawl state and the run.

It imports no Scrapy, no Twisted and none of ``crawler``, ``pipelines`` or ``corpus``
(enforced by ``make lint``): the crawler's Scrapy components, the extraction pipelines
and the researcher's read side all stand on it (docs/DESIGN.md, "Layers").
"""

__version__ = "0.2.0.dev1"
