"""Bytes to text, robust to the charsets Chinese sites really serve.

Labels are tried in order of authority (BOM, HTTP header, <meta>), each strictly; a
label that fails to decode is a lie (GBK served as UTF-8 is common) and the next
candidate is tried. GB2312 and GBK labels decode as GB18030, their superset: pages
labelled GB2312 routinely contain GBK-only characters.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, _SUPERSETS.get(label.strip().lower(), name))


def _believable(name: str, body: bytes) -> bool:
    """Whether a declared encoding can be the page's. UTF-7 is never (browsers refuse it:
    it can smuggle markup); UTF-16 and UTF-32 without a byte-order mark only when the
    bytes have the NULs every such page has in its ASCII markup (a page whose <meta>
    could be read as ASCII is not UTF-16, whatever it says; the HTML standard reads
    such a declaration as UTF-8)."""
    if name == "utf-7":
        return False
    if name.startswith(("utf-16", "utf-32")):
        return b"\x00" in body[:1024]
    return True


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii", "ignore") if match else None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str, bool]:
    """Returns (text, encoding used, whether the declared label had to be overridden)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name, False
    declared = [
        d
        for d in (_canonical(header_charset(content_type)), _canonical(meta_charset(body)))
        if d and _believable(d, body)
    ]
    candidates = [*declared, "utf-8", "gb18030"]
    seen = set()
    for name in candidates:
        if name in seen:
            continue
        seen.add(name)
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, name, bool(declared) and name != declared[0]
    return body.decode("utf-8", "replace"), "utf-8", True
