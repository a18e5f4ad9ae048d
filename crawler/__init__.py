"""The write side: spiders that discover article pages and capture every exchange."""

from pipelines import __version__  # the one version of the distribution

__all__ = ["__version__"]
