"""The s_client-style transcript of one attempt, read-only, with the command above it.

Long lines are wrapped here, at spaces, with a hanging indent, so a continuation
never starts at column 0 and no word is cut unless it is longer than the view.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from textual import events
from textual.widgets import TextArea

from cftui.ui.format import safe_multiline

#: How much further a continuation line is indented than the line it continues.
HANGING = "    "


def wrap_transcript(lines: Sequence[str], width: int) -> str:
    """The lines, each wrapped to `width` cells with a hanging indent (width 0: as is)."""
    if width < 20:
        return "\n".join(lines)
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        out += textwrap.wrap(line, width, initial_indent="", subsequent_indent=lead + HANGING,
                             break_on_hyphens=False, drop_whitespace=True) or [line]
    return "\n".join(out)


class TranscriptView(TextArea):
    def __init__(self, *, id: str | None = "transcript") -> None:
        super().__init__(id=id, read_only=True, soft_wrap=False, show_line_numbers=False)
        self._lines: list[str] = []

    def show(self, lines: Sequence[str]) -> None:
        self._lines = [piece for line in lines for piece in safe_multiline(line).split("\n")]
        self._wrap()

    def on_resize(self, _: events.Resize) -> None:
        self._wrap()

    def _wrap(self) -> None:
        width = self.content_region.width - 1  # room for the cursor at the end
        self.load_text(wrap_transcript(self._lines, width))
