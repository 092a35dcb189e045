"""Glyph sets: line-drawing and symbols, or plain ASCII for terminals without them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.scrollbar import ScrollBarRender

from cftui.engine.results import Status


@dataclass(frozen=True)
class Glyphs:
    """Every symbol the UI draws; words always accompany them, colour is extra."""

    status: dict[Status, str]
    ok: str
    bad: str
    warn: str
    info: str
    arrow_right: str
    arrow_left: str
    line: str
    lane: str
    cursor: str
    ellipsis: str
    to: str
    guide_mid: str
    guide_last: str
    ascii: bool = False

    def mark(self, status: Status) -> str:
        return self.status[status]


UNICODE = Glyphs(
    status={
        Status.PENDING: "·",
        Status.RUNNING: "…",
        Status.DONE: "•",
        Status.PASS: "✓",
        Status.WARN: "!",
        Status.FAIL: "✗",
        Status.SKIPPED: "–",
    },
    ok="✓",
    bad="✗",
    warn="!",
    info="i",
    arrow_right="▶",
    arrow_left="◀",
    line="─",
    lane="│",
    cursor="▸",
    ellipsis="…",
    to="→",
    guide_mid="├─",
    guide_last="└─",
)

ASCII = Glyphs(
    status={
        Status.PENDING: ".",
        Status.RUNNING: "~",
        Status.DONE: "*",
        Status.PASS: "+",
        Status.WARN: "!",
        Status.FAIL: "x",
        Status.SKIPPED: "-",
    },
    ok="+",
    bad="x",
    warn="!",
    info="i",
    arrow_right=">",
    arrow_left="<",
    line="-",
    lane="|",
    cursor=">",
    ellipsis="...",
    to="->",
    guide_mid="|-",
    guide_last="`-",
    ascii=True,
)

#: The status word shown beside every glyph.
STATUS_WORDS: dict[Status, str] = {
    Status.PENDING: "pending",
    Status.RUNNING: "running",
    Status.DONE: "done",
    Status.PASS: "PASS",
    Status.WARN: "WARN",
    Status.FAIL: "FAIL",
    Status.SKIPPED: "skipped",
}


def glyphs_for(ascii: bool) -> Glyphs:
    return ASCII if ascii else UNICODE


class AsciiScrollBarRender(ScrollBarRender):
    """Scrollbars drawn with spaces and colour only: no block elements."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


_ASCII_KEYS = {"enter": "Enter", "escape": "Esc", "up": "Up", "down": "Down",
               "left": "Left", "right": "Right", "tab": "Tab", "backspace": "Bksp"}


def ascii_key(key: str) -> str:
    """A key name as plain ASCII for the footer: "ctrl+p" -> "^p", "enter" -> "Enter"."""
    first = key.split(",")[0]
    if first.startswith("ctrl+"):
        return "^" + first[5:]
    return _ASCII_KEYS.get(first, first)
