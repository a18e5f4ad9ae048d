"""Text from the archive, made safe to print on a terminal.

Titles, keys, URLs and problems come from the archive, which a reader may not control: an
escape sequence in a title could retitle the terminal, hide lines or fake output, and a
right-to-left override reorders what is read. Human output shows each such character as
a visible escape (``\\x1b``, ``\\u202e``); line breaks and tabs stay. JSON and the raw
page (``--raw``, ``--body``, ``--html``) are printed as they are, for programs.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional formatting
# characters (embeddings, overrides, isolates, marks that can reorder a line).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    return _UNSAFE.sub(_escaped, text)
