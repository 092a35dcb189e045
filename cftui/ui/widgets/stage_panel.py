"""One stage of the check: a header line (status glyph and word, time, summary) and a body."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from cftui.engine.results import Stage, Status
from cftui.ui.render.stages import stage_header_left, stage_header_summary
from cftui.ui.state import StageView
from cftui.ui.widgets.common import formatter_of, glyphs_of

STATUS_CLASSES = {s: f"-{s.value}" for s in Status}


class StagePanel(Vertical):
    """Shows a StageView; extra widgets (the TLS grid) go between header and body."""

    view: reactive[StageView] = reactive(StageView(Stage.DNS), always_update=True)

    def __init__(self, stage: Stage, *children: Widget, id: str | None = None) -> None:
        super().__init__(id=id or f"stage-{stage.value}", classes="stage-panel -pending")
        self.stage = stage
        self._children = children
        self.set_reactive(StagePanel.view, StageView(stage))

    def compose(self) -> ComposeResult:
        with Horizontal(classes="stage-header"):
            yield Static(id="header", classes="stage-status", markup=False)
            yield Static(id="summary", classes="stage-summary", markup=False)
        yield from self._children
        yield Static(id="body", classes="stage-body", markup=False)

    def on_mount(self) -> None:
        self.watch_view(self.view)
        self.set_body(())

    def watch_view(self, view: StageView) -> None:
        if not self.is_mounted:
            return
        for status, css in STATUS_CLASSES.items():
            self.set_class(view.status is status, css)
        glyphs, fmt = glyphs_of(self), formatter_of(self)
        self.query_one("#header", Static).update(stage_header_left(view, glyphs, fmt))
        self.query_one("#summary", Static).update(stage_header_summary(view, glyphs))

    def set_body(self, lines: Sequence[Content]) -> None:
        body = self.query_one("#body", Static)
        body.update(Content("\n").join(lines))
        body.display = bool(lines)

    @property
    def header_text(self) -> str:
        return (str(self.query_one("#header", Static).content)
                + str(self.query_one("#summary", Static).content))

    @property
    def body_text(self) -> str:
        return str(self.query_one("#body", Static).content)
