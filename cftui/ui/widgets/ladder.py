"""The handshake ladder (up/down steps through messages) and the selected message's view."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cftui.ui.render.ladder import (
    Step,
    field_lines,
    hexdump,
    ladder_header,
    ladder_line,
    span_for,
    step_title,
)
from cftui.ui.widgets.common import glyphs_of


class Ladder(OptionList):
    """One option per message: ClientHello out, the origin's records back, the ending."""

    def __init__(self, *, id: str | None = "ladder") -> None:
        super().__init__(id=id, compact=True)
        self.steps: list[Step] = []

    def show(self, steps: Sequence[Step], select: int | None = None) -> None:
        self.steps = list(steps)
        glyphs = glyphs_of(self)
        span = span_for(self.steps)
        lines = [ladder_line(s, span, glyphs) for s in self.steps]
        self.set_options(Option(line, id=f"step{i}") for i, line in enumerate(lines))
        widest = max((line.cell_length for line in lines), default=20)
        self.styles.width = widest + 1
        if self.steps:
            self.highlighted = select if select is not None else 0

    def header(self) -> Content:
        return ladder_header(span_for(self.steps), glyphs_of(self))

    @property
    def selected(self) -> Step | None:
        index = self.highlighted
        return self.steps[index] if index is not None and index < len(self.steps) else None

    def lines(self) -> list[str]:
        return [str(option.prompt) for option in self.options]


class MessageView(Static):
    """Decoded fields and the bytes in hex of one ladder step."""

    def __init__(self, *, id: str | None = "message") -> None:
        super().__init__(id=id, markup=False)
        self.step: Step | None = None

    def show(self, step: Step | None) -> None:
        self.step = step
        self._draw()
        self.call_after_refresh(self._draw)  # the width is known after layout

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        step = self.step
        if step is None:
            self.update("")
            return
        width = self.content_region.width or 80
        per_line = 16 if width >= 71 else 8 if width >= 39 else 4
        lines: list[Content] = [step_title(step), *field_lines(step)]
        if step.raw:
            lines.append(Content(""))
            lines.append(Content.styled(f"bytes ({len(step.raw)})", "bold"))
            lines.extend(Content.styled(h, "$text-muted") for h in hexdump(step.raw, per_line))
        self.update(Content("\n").join(lines))

    @property
    def text(self) -> str:
        return str(self.content)
