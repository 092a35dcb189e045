"""The cftui app: screens, app-wide actions, and the entry point the CLI calls."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.worker import Worker, WorkerState, get_current_worker

from cftui.engine.results import Report
from cftui.engine.target import Target
from cftui.logs import Attributor, LogSummary, Summariser
from cftui.textsafe import one_line
from cftui.ui import export
from cftui.ui.commands import app_commands, screen_commands
from cftui.ui.entries import OriginEntry, PickerEntries
from cftui.ui.format import Formatter
from cftui.ui.glyphs import AsciiScrollBarRender, ascii_key, glyphs_for
from cftui.ui.logs import PROGRESS_EVERY, LogProgress, LogsLoaded, LogSource
from cftui.ui.screens.adhoc import AdhocScreen
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.export import ExportScreen
from cftui.ui.screens.picker import PickerScreen
from cftui.ui.state import CheckSession

if TYPE_CHECKING:
    from cftui.demo.origins import DemoOrigin
    from cftui.engine.x509.repair import Fetch
    from cftui.sources.model import Inventory

Checker = Callable[..., Report]


@runtime_checkable
class Redraws(Protocol):
    """A screen that draws glyphs itself and must draw again when ASCII mode changes."""

    def redraw(self) -> None: ...


@runtime_checkable
class ShowsLogs(Protocol):
    """A screen that shows the loaded access logs."""

    def logs_changed(self) -> None: ...


class LogsCancelled(Exception):
    """Raised inside the log worker's progress callback to stop reading."""


def _engine_check(target: Target, **kwargs: Any) -> Report:
    from cftui.engine.run import check

    return check(target, **kwargs)


class CftuiApp(App[None]):
    """Picker → check → handshake detail. Esc goes back and never destroys anything."""

    CSS_PATH = "app.tcss"
    TITLE = "cftui"
    # Textual declares this `ClassVar[...] | None`, which mypy reads as an instance variable
    # (a ClassVar here would clash); unannotated, it takes that declared type.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (150, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit"),
    ]

    def __init__(self, *, entries: PickerEntries, start_target: Target | None = None,
                 ascii: bool = False, watch_interval: float = 10.0,
                 checker: Checker | None = None, formatter: Formatter | None = None,
                 export_dir: Path | None = None, keymap: Mapping[str, str] | None = None,
                 aia_fetch: Fetch | None = None, logs: LogSource | None = None) -> None:
        super().__init__()
        self.entries = entries
        self.start_target = start_target
        self.ascii = ascii
        self.glyphs = glyphs_for(ascii)
        self.watch_interval = watch_interval
        self.checker: Checker = checker or _engine_check
        self.fmt = formatter or Formatter()
        self.export_dir = export_dir
        self.sessions: dict[Target, CheckSession] = {}
        self.reports: dict[Target, Report] = {}
        self.user_keymap = dict(keymap or {})  # binding id -> keys: {"check.rerun": "f5"}
        self.aia_fetch = aia_fetch  # None: caIssuers over HTTP (engine.net.aia)
        self.logs = logs
        self.log_summary: LogSummary | None = None
        self.log_progress: tuple[int, int] = (0, logs.total if logs else 0)
        self.log_error: str | None = None
        if os.environ.get("TEXTUAL_COLOR_SYSTEM") == "standard" and not self.no_color:
            self.theme = "ansi-dark"

    @classmethod
    def from_inventory(cls, inventory: Inventory | None, *,
                       overrides: dict[str, Any] | None = None, **options: Any) -> CftuiApp:
        """An app on a config, AWS export or live account (None: ad-hoc origins only)."""
        entries = (PickerEntries.from_inventory(inventory, **(overrides or {}))
                   if inventory is not None else PickerEntries(source="no config"))
        return cls(entries=entries, **options)

    @classmethod
    def from_demo(cls, demo_origins: Iterable[DemoOrigin], **options: Any) -> CftuiApp:
        """An app on the running demo origins (`cftui demo`)."""
        return cls(entries=PickerEntries.from_demo(demo_origins), **options)

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self._apply_ascii()
        self.set_class(self.no_color, "-no-color")
        self.push_screen(PickerScreen(self.entries))
        if self.logs is not None:
            self._load_logs(self.logs)
        if self.start_target is not None:
            self.open_check(self.start_target)

    # --- navigation ------------------------------------------------------------------

    def open_check(self, target: Target) -> None:
        """The check screen for a target: fresh, or the last results kept from before."""
        session = self.sessions.setdefault(target, CheckSession(target))
        self.push_screen(CheckScreen(session, autostart=session.report is None),
                         callback=self._back_to_picker)

    def _back_to_picker(self, _: object = None) -> None:
        if isinstance(self.screen, PickerScreen):
            self.screen.refresh_verdicts()

    def open_adhoc(self, domain: str = "") -> None:
        def checked(target: Target | None) -> None:
            if target is not None:
                self.open_check(target)

        self.push_screen(AdhocScreen(domain, self.entries.adhoc), callback=checked)

    def open_logs(self) -> None:
        from cftui.ui.screens.logs import LogScreen

        self.push_screen(LogScreen())

    def entry_for_logs(self, distribution: str | None, origin: str | None) -> OriginEntry | None:
        return self.entries.for_logs(distribution, origin)

    # --- access logs ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="logs", exit_on_error=False,
          description="summarise the access logs")
    def _load_logs(self, source: LogSource) -> LogSummary:
        """Stream every file through a Summariser (bounded memory); progress is merged."""
        cancel = get_current_worker().cancelled_event
        total = source.total
        summariser = Summariser(Attributor(source.routes))
        summariser.notes.extend(source.notes)
        last = 0.0

        def progress(done: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY:
                last = now
                self.post_message(LogProgress(done, total))
            if cancel.is_set():
                raise LogsCancelled

        with contextlib.suppress(LogsCancelled):  # what was read so far still shows
            summariser.add_files(source.paths, progress)
        summary = summariser.result()
        self.post_message(LogProgress(total, total))
        self.post_message(LogsLoaded(summary))
        return summary

    @on(LogProgress)
    def _on_log_progress(self, message: LogProgress) -> None:
        if self.log_summary is None:
            self.log_progress = (message.done, message.total)
            self._logs_changed()

    @on(LogsLoaded)
    def _on_logs_loaded(self, message: LogsLoaded) -> None:
        self.log_summary = message.summary
        self._logs_changed()

    @on(Worker.StateChanged)
    def _on_logs_worker(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "logs" and event.state is WorkerState.ERROR:
            error = event.worker.error
            self.log_error = one_line(str(error) or type(error).__name__)
            self.notify(f"Cannot read the logs: {self.log_error}", severity="error",
                        markup=False)
            self._logs_changed()

    def _logs_changed(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, ShowsLogs):
                screen.logs_changed()

    def remember(self, report: Report) -> None:
        if not report.cancelled:
            self.reports[report.target] = report

    # --- app-wide actions -----------------------------------------------------------

    def export_report(self, report: Report) -> None:
        def saved(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Saved {path}", title="Export", markup=False)

        name = export.default_name(report, self.fmt.now())
        self.push_screen(ExportScreen(report, name, self.export_dir), callback=saved)

    def copy_report_json(self, report: Report) -> None:
        from cftui.engine import jsontext
        from cftui.engine.report import to_json

        self.copy_to_clipboard(jsontext.dumps(to_json(report)))
        self.notify("Copied the JSON report to the clipboard", markup=False)

    def action_toggle_ascii(self) -> None:
        self.ascii = not self.ascii
        self._apply_ascii()
        for screen in self.screen_stack:
            if isinstance(screen, Redraws):
                screen.redraw()

    def _apply_ascii(self) -> None:
        self.glyphs = glyphs_for(self.ascii)
        self.set_class(self.ascii, "-ascii")
        ScrollBar.renderer = AsciiScrollBarRender if self.ascii else ScrollBarRender

    def get_key_display(self, binding: Binding) -> str:
        display = super().get_key_display(binding)
        if self.ascii and not display.isascii():
            return ascii_key(binding.key)
        return display

    def action_screenshot_svg(self) -> None:
        name = self.save_screenshot(path=str(self.export_dir or Path.cwd()))
        self.notify(f"Saved {name}", title="Screenshot", markup=False)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if not self.use_command_palette or isinstance(self.screen, CommandPalette):
            return
        placeholder = "Search for commands" + ("..." if self.ascii else "…")
        self.push_screen(CommandPalette(placeholder=placeholder, id="--command-palette"))
        if self.ascii:  # the palette is pushed on the next turn of the loop
            self.set_timer(0.05, self._ascii_palette)

    def _ascii_palette(self) -> None:
        from textual.command import SearchIcon

        for icon in self.screen.query(SearchIcon):
            icon.icon = ">"
            icon.refresh()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from screen_commands(screen)
        yield from app_commands(self)
        # Textual's own "Screenshot" duplicates cftui's "Save screenshot" (which says where)
        yield from (c for c in super().get_system_commands(screen) if c.title != "Screenshot")


def run_app(app: CftuiApp, *, mouse: bool) -> None:
    """Run the app in the terminal; mouse=False leaves selection to the terminal (SSH)."""
    app.run(mouse=mouse)
