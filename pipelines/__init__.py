"""Extract, clean, normalize and store: from a captured page to an archived article.

The pure stages (extract, clean, normalize, composed in article; bytes are decoded by
newsarchive.decode) import no Scrapy, so they run in worker processes and behind
``newsarchive extract``; ``process`` and ``store`` are the thin Scrapy item pipelines
around them.
"""
