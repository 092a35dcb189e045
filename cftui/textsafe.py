"""Make untrusted text safe to show: control and bidi characters become visible escapes."""

from __future__ import annotations

import unicodedata

_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A)) | {0x200E, 0x200F,
                                                                              0x061C}


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Every Cc code point (C0, DEL, C1) but newline and tab, and every bidi control,
    turns into a visible escape like ``\\x1b`` or ``\\u202e``."""
    out: list[str] = []
    for ch in text:
        if ch in "\n\t" and keep_newlines:
            out.append(ch)
        elif ord(ch) in _BIDI or unicodedata.category(ch) == "Cc":
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """Like visible(), with newlines and tabs escaped too: for single-line fields."""
    return visible(text, keep_newlines=False)


def printable_line(text: str) -> str:
    """A message for the terminal as one line: everything str.isprintable() refuses
    (controls, line breaks, format and private-use characters, NBSP…) as a Python escape
    like ``\\n`` or ``\\u200b``. For error messages that carry what a user typed or a
    file held."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)
