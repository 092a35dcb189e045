"""The s_client-style transcript of one attempt, read-only, with the command above it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import TextArea

from cftui.ui.format import safe_multiline


class TranscriptView(TextArea):
    def __init__(self, *, id: str | None = "transcript") -> None:
        super().__init__(id=id, read_only=True, soft_wrap=True, show_line_numbers=False)

    def show(self, lines: Sequence[str]) -> None:
        self.load_text("\n".join(safe_multiline(line) for line in lines))
