"""The read side: the ``newsarchive`` command for researchers and operators.

It only reads what the crawler stored (run manifests, article files, WARCs), through
the same storage interface, and never imports Scrapy, so it starts fast.
"""
