"""The export dialog: a file name (.md or .json); an existing file needs a second Enter."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cftui.engine.results import Report
from cftui.ui import export
from cftui.ui.format import plain


class ExportScreen(ModalScreen[Path | None]):
    """Dismisses with the written path, or None when the user goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", id="export.back")]

    def __init__(self, report: Report, name: str, cwd: Path | None = None) -> None:
        super().__init__(classes="modal")
        self.report = report
        self.default_name = name
        self.cwd = cwd
        self.confirm: Path | None = None  # the existing file the next Enter overwrites

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Export the report", classes="dialog-title", markup=False)
            yield Input(value=self.default_name, id="export-name")
            yield Static("Markdown (.md) or JSON (.json) by extension · Enter saves · Esc back",
                         classes="dialog-help", markup=False)
            yield Static(id="export-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#export-name", Input).focus()

    @on(Input.Changed, "#export-name")
    def _on_change(self, event: Input.Changed) -> None:
        self.confirm = None
        self.say("")

    @on(Input.Submitted, "#export-name")
    def _on_submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.save(event.value)

    def say(self, text: str, *, warn: bool = False) -> None:
        message = self.query_one("#export-message", Static)
        message.update(plain(text))
        message.set_class(warn, "-warn")

    def save(self, name: str) -> None:
        if not name.strip():
            self.say("Type a file name", warn=True)
            return
        path = export.resolve(name, self.cwd)
        try:
            export.format_for(path)
        except ValueError as exc:
            self.say(str(exc), warn=True)
            return
        overwrite = self.confirm == path
        if path.exists() and not overwrite:
            self.confirm = path
            self.say(f"{path} exists. Enter again to overwrite it, Esc to go back.", warn=True)
            return
        try:
            export.write(self.report, path, overwrite=overwrite)
        except FileExistsError:
            self.confirm = path
            self.say(f"{path} exists. Enter again to overwrite it, Esc to go back.", warn=True)
            return
        except OSError as exc:
            self.notify(export.describe_error(exc, path), title="Export failed",
                        severity="error", markup=False)
            self.say(export.describe_error(exc, path), warn=True)
            return
        self.dismiss(path)

    def action_back(self) -> None:
        self.dismiss(None)
