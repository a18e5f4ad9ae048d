"""The write side's Scrapy components: spiders, middlewares, extensions and commands
that discover article pages and capture every exchange, standing on ``newsarchive``."""
