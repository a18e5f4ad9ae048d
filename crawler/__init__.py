"""The write side: spiders that discover article pages and capture every exchange."""

__version__ = "0.1.0"
