"""The archive format: key layout, WARC files, article files, run manifests and repair.

Each format has one module that both writes and reads it, so the write side and the
read side cannot disagree about it.
"""
