"""The verdict bar: what CloudFront would answer and the first fix, docked at the bottom."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from cftui.ui.render.verdict import VerdictView

KINDS = ("ok", "warn", "fail", "running", "cancelled", "error")


class VerdictBar(Static):
    view: reactive[VerdictView | None] = reactive(None)

    def __init__(self, *, id: str | None = "verdict") -> None:
        super().__init__(id=id, markup=False)

    def watch_view(self, view: VerdictView | None) -> None:
        if view is None:
            return
        for kind in KINDS:
            self.set_class(view.kind == kind, f"-{kind}")
        self.update(Content("\n").join(view.lines))

    @property
    def text(self) -> str:
        return str(self.content)
