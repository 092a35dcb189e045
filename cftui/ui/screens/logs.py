"""The log view: per-origin 502/504 from the loaded access logs, errors over time, causes.

Enter on a row checks that origin (when the picker knows it)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from cftui.logs import GroupSummary
from cftui.logs.render import sparkline as text_sparkline
from cftui.ui.render.logs import (
    cause_lines,
    errors_per_bucket,
    plot_caption,
    problem_lines,
    progress_line,
    row_cells,
    summary_line,
)
from cftui.ui.widgets.common import cftui_app

COLUMNS = ("Distribution", "Origin / host", "Requests", "502", "504")


class LogTable(DataTable[Text]):
    """The per-origin rows; Enter checks the highlighted origin (shown in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Check", id="logs.table.check")]


class LogScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,backspace", "back", "Back", id="logs.back"),
        Binding("enter", "check", "Check", id="logs.check"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="logs-screen")
        self.groups: tuple[GroupSummary, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="logs-title", markup=False)
        yield Static(id="logs-problems", markup=False)
        yield LogTable(id="logs-table", cursor_type="row")
        yield Static(id="logs-caption", markup=False)
        yield Sparkline([], id="logs-spark", summary_function=max)
        yield Static(id="logs-spark-ascii", markup=False)
        yield Static(id="logs-causes", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#logs-table", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.logs_changed()
        table.focus()

    def redraw(self) -> None:
        self.show_group()

    def logs_changed(self) -> None:
        """The app's log summary or its progress changed."""
        app = cftui_app(self)
        summary = app.log_summary
        title = self.query_one("#logs-title", Static)
        problems = self.query_one("#logs-problems", Static)
        if summary is None:
            title.update(progress_line(*app.log_progress, ascii=app.ascii)
                         if app.log_error is None else
                         Content.assemble(("Logs: ", "bold"), (app.log_error, "$error")))
            problems.display = False
            return
        title.update(summary_line(summary))
        lines = problem_lines(summary)
        problems.update(Content("\n").join(lines))
        problems.display = bool(lines)
        if summary.groups == self.groups:
            return
        self.groups = summary.groups
        table = self.query_one("#logs-table", DataTable)
        table.clear()
        for index, group in enumerate(self.groups):
            cells = row_cells(group)
            styles = ("", "bold", "", "bold" if group.errors.get(502) else "",
                      "bold" if group.errors.get(504) else "")
            table.add_row(*(Text(c, style=s, justify="right" if i > 1 else "left")
                            for i, (c, s) in enumerate(zip(cells, styles, strict=True))),
                          key=str(index))
        self.show_group()

    @property
    def current(self) -> GroupSummary | None:
        table = self.query_one("#logs-table", DataTable)
        if not self.groups or table.cursor_row < 0 or table.cursor_row >= len(self.groups):
            return None
        return self.groups[table.cursor_row]

    def show_group(self) -> None:
        app = cftui_app(self)
        group, summary = self.current, app.log_summary
        caption = self.query_one("#logs-caption", Static)
        spark = self.query_one("#logs-spark", Sparkline)
        ascii_spark = self.query_one("#logs-spark-ascii", Static)
        causes = self.query_one("#logs-causes", Static)
        if group is None or summary is None:
            caption.update(Content.styled("no requests in these logs", "$text-muted"))
            spark.display = ascii_spark.display = causes.display = False
            return
        values = errors_per_bucket(group)
        caption.update(plot_caption(group, summary.bucket_seconds, values))
        plotted = any(values)
        spark.display = plotted and not app.ascii
        ascii_spark.display = plotted and app.ascii
        if app.ascii:
            ascii_spark.update("|" + text_sparkline(group.buckets, ascii=True,
                                                    width=max(10, self.size.width - 4)) + "|")
        else:
            spark.data = values
        lines = cause_lines(group)
        causes.update(Content("\n").join(lines))
        causes.display = bool(lines)

    @on(DataTable.RowHighlighted, "#logs-table")
    def _on_row(self, event: DataTable.RowHighlighted) -> None:
        self.show_group()

    @on(DataTable.RowSelected, "#logs-table")
    def _on_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        group = self.current
        if group is None:
            return
        app = cftui_app(self)
        entry = app.entry_for_logs(group.key.distribution, group.key.origin)
        if entry is None or entry.target is None:
            why = ("no origin: the logs do not say which origin served these requests"
                   if group.key.origin is None else
                   "this origin is not in the picker" if entry is None else
                   f"cftui cannot check it: {entry.note}")
            self.notify(f"Cannot check {row_cells(group)[1]}: {why}", markup=False,
                        severity="warning")
            return
        app.open_check(entry.target)

    def action_back(self) -> None:
        self.dismiss(None)
