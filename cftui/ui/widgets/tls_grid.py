"""The TLS grid: protocols × outcome (per address), updated in place; Enter opens a row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cftui.ui.render.tls import GridRow, address_heading, grid_line
from cftui.ui.widgets.common import formatter_of, glyphs_of

HEADING = "addr|"


class TlsGrid(OptionList, inherit_bindings=False):
    """One option per (address, protocol); disabled headings separate addresses.

    Page up/down are left to the screen, which scrolls the stage panels with them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Handshake", id="tls-grid.handshake"),
        Binding("down", "cursor_down", "Down", show=False, id="tls-grid.down"),
        Binding("up", "cursor_up", "Up", show=False, id="tls-grid.up"),
        Binding("home", "first", "First", show=False, id="tls-grid.first"),
        Binding("end", "last", "Last", show=False, id="tls-grid.last"),
    ]

    def __init__(self, *, id: str | None = "tls-grid") -> None:
        super().__init__(id=id, compact=True)
        self.rows: dict[str, GridRow] = {}
        self._layout: tuple[str, ...] = ()

    def show(self, rows: Sequence[GridRow], port: int) -> None:
        """Replace prompts in place when the rows are the same; rebuild otherwise."""
        glyphs, fmt = glyphs_of(self), formatter_of(self)
        several = len({r.address for r in rows}) > 1
        layout = tuple(r.key for r in rows) + (("several",) if several else ())
        self.rows = {r.key: r for r in rows}
        if layout == self._layout:
            for row in rows:
                self.replace_option_prompt(row.key, grid_line(row, glyphs, fmt))
            return
        self._layout = layout
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        last_address = None
        for row in rows:
            if several and row.address != last_address:
                options.append(Option(address_heading(row.address, port),
                                      id=HEADING + row.address, disabled=True))
                last_address = row.address
            options.append(Option(grid_line(row, glyphs, fmt), id=row.key))
        self.set_options(options)
        if highlighted in self.rows:
            self.highlighted = self.get_option_index(highlighted)
        elif rows:
            self.highlighted = self.get_option_index(rows[0].key)

    def clear_layout(self) -> None:
        """Force a rebuild on the next show (glyphs changed)."""
        self._layout = ()

    def first_failing(self) -> int | None:
        """The option index of the first row whose outcome fails CloudFront."""
        key = next((r.key for r in self.rows.values() if r.kind == "fail"), None)
        return self.get_option_index(key) if key is not None else None

    def cursor_region(self) -> Region | None:
        """Where the highlighted row is on screen (rows are one line: they never wrap)."""
        if self.highlighted is None or not self.region:
            return None
        y = self.content_region.y + self.highlighted - int(self.scroll_y)
        return Region(self.content_region.x, y, self.content_region.width, 1)

    @property
    def selected_row(self) -> GridRow | None:
        option = self.highlighted_option
        return self.rows.get(option.id) if option and option.id else None

    def lines(self) -> list[str]:
        """The grid as plain text, one line per option (for tests and screenshots)."""
        return [str(option.prompt) for option in self.options]
