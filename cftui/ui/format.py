"""Small pure helpers: untrusted text to literal Content, durations, times, sizes.

Everything that came from the network, AWS or a config file goes through `safe()`
(control and bidi characters made visible, never parsed as markup).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.content import Content

from cftui.textsafe import one_line, visible


def safe(text: str | None, style: str = "") -> Content:
    """Untrusted text as literal Content: one line, controls made visible."""
    return Content.styled(one_line(text or ""), style) if style else Content(one_line(text or ""))


def safe_multiline(text: str | None) -> str:
    """Untrusted text for plain-text widgets (TextArea): newlines kept, controls visible."""
    return visible(text or "")


def plain(text: str | None) -> str:
    """Untrusted text as a one-line plain string (for Text cells, labels, notify)."""
    return one_line(text or "")


def duration_ms(ms: float | None) -> str:
    """A duration the way a person reads it: 12 ms, 1.4 s, 2 min."""
    if ms is None:
        return ""
    if ms < 1:
        return "<1 ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms / 60_000:.0f} min"


def size(n: int) -> str:
    return f"{n} B" if n < 10_000 else f"{n / 1024:.0f} KiB"


@dataclass(frozen=True)
class Formatter:
    """Durations and clock times; tests inject fixed ones to keep snapshots stable."""

    duration: Callable[[float | None], str] = duration_ms
    now: Callable[[], float] = field(default=time.time)

    def clock(self, when: float) -> str:
        """A wall-clock time, local: 14:03:27."""
        return time.strftime("%H:%M:%S", time.localtime(when))


def fixed_formatter() -> Formatter:
    """Durations shown as "n ms" and a frozen clock: for snapshot tests."""
    return _FixedFormatter()


@dataclass(frozen=True)
class _FixedFormatter(Formatter):
    duration: Callable[[float | None], str] = lambda ms: "" if ms is None else "n ms"
    now: Callable[[], float] = lambda: 1_700_000_000.0

    def clock(self, when: float) -> str:
        return "12:00:00"
