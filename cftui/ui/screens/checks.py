"""The check screen: one live panel per stage, the TLS grid and the verdict bar."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static
from textual.worker import Worker, WorkerState, get_current_worker

from cftui.engine.results import CheckFinished, Event, Report, Stage, Status
from cftui.engine.x509.repair import pick_address
from cftui.ui.messages import CheckEvent, EventLog
from cftui.ui.render.cert import certificate_body
from cftui.ui.render.repair import chain_causes
from cftui.ui.render.stages import stage_details
from cftui.ui.render.target import target_title
from cftui.ui.render.tls import grid_header, grid_rows
from cftui.ui.render.verdict import causes_lines, verdict_view
from cftui.ui.state import STAGES, CheckSession, CheckState, changes_since
from cftui.ui.widgets.common import cftui_app, formatter_of, glyphs_of
from cftui.ui.widgets.stage_panel import StagePanel
from cftui.ui.widgets.tls_grid import TlsGrid
from cftui.ui.widgets.verdict_bar import VerdictBar


class CheckScreen(Screen[None]):
    """Runs the engine in a thread worker and shows its events as they arrive."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="check.cancel"),
        Binding("escape", "back", "Back", id="check.back"),
        # "back" anywhere: while a check runs they cancel it first, then go back
        Binding("q,backspace", "leave", "Back", show=False, id="check.leave"),
        Binding("r", "rerun", "Re-run", id="check.rerun"),
        Binding("w", "toggle_watch", "Watch", id="check.watch"),
        Binding("e", "export", "Export", id="check.export"),
        Binding("f", "fix_chain", "Fix chain", id="check.fix-chain"),
        Binding("enter", "detail", "Handshake", show=False, id="check.handshake"),
        Binding("j", "copy_json", "Copy JSON", show=False, id="check.copy-json"),
        Binding("pagedown,space", "scroll(1)", "Scroll", show=False,
                id="check.scroll-down"),
        Binding("pageup", "scroll(-1)", "Scroll up", show=False, id="check.scroll-up"),
    ]

    def __init__(self, session: CheckSession, *, autostart: bool = True) -> None:
        super().__init__(classes="check-screen")
        self.session = session
        self.target = session.target
        self.state = CheckState(self.target)
        self.run_id = 0
        self.watching = False
        self._worker: Worker[Report] | None = None
        self._watch_timer: Timer | None = None
        self._autostart = autostart
        self._shown_failure = False

    # --- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="check-title", markup=False)
        with VerticalScroll(id="stages"):
            with Vertical(id="col-net", classes="column"):
                yield StagePanel(Stage.DNS)
                yield StagePanel(Stage.TCP)
                yield StagePanel(Stage.TLS, Static(grid_header(), id="grid-header",
                                                   markup=False), TlsGrid())
            with Vertical(id="col-cert", classes="column"):
                yield StagePanel(Stage.CERTIFICATE)
                yield StagePanel(Stage.HTTP)
                yield Static(id="causes", markup=False)
        yield VerdictBar()
        yield Footer()

    def on_mount(self) -> None:
        if self.session.report is not None and not self._autostart:
            self.state.start(self.session.report.started_at)
            self.state.finish(self.session.report)
            self.state.show_history(self.session.history)
            self.refresh_all()
        elif self._autostart:
            self.start_check()
        else:
            self.refresh_all()
        self.query_one(TlsGrid).focus()

    # --- running -------------------------------------------------------------------

    def start_check(self, *, in_place: bool = False) -> None:
        """Start a new run; a running one is cancelled (exclusive worker group).

        A watch round (`in_place`) keeps the last results on screen until the new report
        is in, so nothing blanks, jumps or flips between rounds."""
        self.run_id += 1
        self._cancel_timer()
        fmt = formatter_of(self)
        self.state.start(fmt.now(), self.session.history, keep=in_place)
        self.refresh_all()
        self._worker = self._check(self.run_id, EventLog())

    @work(thread=True, exclusive=True, group="check", exit_on_error=False,
          description="probe the origin")
    def _check(self, run_id: int, log: EventLog) -> Report:
        worker = get_current_worker()

        def on_event(event: Event) -> None:
            log.append(event)
            self.post_message(CheckEvent(run_id, event, log))

        checker = cftui_app(self).checker
        return checker(self.target, on_event=on_event, cancel=worker.cancelled_event)

    @on(CheckEvent)
    def _on_check_event(self, message: CheckEvent) -> None:
        """Fold in every event logged so far: a burst of attempts is one repaint."""
        if message.run_id != self.run_id:
            return  # a cancelled or replaced run
        changed: set[Stage] = set()
        report: Report | None = None
        for event in message.log.take():
            changed |= self.state.apply(event)
            if isinstance(event, CheckFinished):
                report = event.report
        if report is not None:
            self._finished(report)
        if changed:
            self.refresh_stages(changed)
        if report is not None and not self._shown_failure:
            # once per visit: a watch round must not move the view the user has chosen
            self._shown_failure = True
            self.set_timer(0.05, partial(self._show_first_failure, report))

    @on(Worker.StateChanged)
    def _on_worker(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return
        if event.state is WorkerState.ERROR:
            error = str(event.worker.error) or type(event.worker.error).__name__
            self.state.stop_running(error=error)
            self.notify(f"The check failed: {error}", title="cftui", severity="error",
                        markup=False)
            self.refresh_all()
            self._schedule_watch()
        elif event.state is WorkerState.SUCCESS and self.state.running:
            result = event.worker.result
            if isinstance(result, Report):
                self.state.finish(result)
                self._finished(result)
                self.refresh_all()

    def _finished(self, report: Report) -> None:
        if self.watching and self.session.report is not None and not report.cancelled:
            self.state.changes = changes_since(self.session.report, report)
        self.session.report = report
        if self.watching:
            self.session.history.record(report)
            self.state.show_history(self.session.history)
        cftui_app(self).remember(report)
        self._schedule_watch()

    def _show_first_failure(self, report: Report) -> None:
        """In a small terminal the failing stage may be below the fold: bring it in view.

        A failing TLS stage moves the grid's cursor to the first failing row instead, so the
        cursor stays on screen; elsewhere the cursor is brought back by the first key."""
        failed = next((s.stage for s in report.stages if s.status is Status.FAIL), None)
        if failed is None or report is not self.session.report:
            return
        grid = self.query_one(TlsGrid)
        if failed is Stage.TLS and grid.first_failing() is not None:
            grid.highlighted = grid.first_failing()
            self._reveal_cursor()
            return
        panel = self.query_one(f"#stage-{failed.value}", StagePanel)
        self.query_one("#stages", VerticalScroll).scroll_to_widget(panel, animate=False)

    def cursor_visible(self) -> bool:
        """Is the TLS grid's highlighted row inside the visible part of the stages?"""
        row = self.query_one(TlsGrid).cursor_region()
        stages = self.query_one("#stages", VerticalScroll)
        return row is not None and stages.region.contains_region(row)

    def _reveal_cursor(self) -> None:
        row = self.query_one(TlsGrid).cursor_region()
        if row is None:
            return
        stages = self.query_one("#stages", VerticalScroll)
        if stages.region.contains_region(row):
            return
        virtual = row.translate((-stages.region.x, -stages.region.y + int(stages.scroll_y)))
        stages.scroll_to_region(virtual.grow((1, 0, 1, 0)), animate=False, immediate=True)

    @on(OptionList.OptionHighlighted, "#tls-grid")
    def _on_grid_moved(self, event: OptionList.OptionHighlighted) -> None:
        self.call_after_refresh(self._reveal_cursor)

    def _schedule_watch(self) -> None:
        self._cancel_timer()
        if self.watching and not self.state.cancelled:
            interval = cftui_app(self).watch_interval
            self._watch_timer = self.set_timer(interval, self._watch_tick)

    def _cancel_timer(self) -> None:
        if self._watch_timer is not None:
            self._watch_timer.stop()
            self._watch_timer = None

    def _watch_tick(self) -> None:
        if self.watching and not self.state.running:
            self.start_check(in_place=self.session.report is not None)

    # --- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In watch mode the footer stays the same between rounds: Esc is Back (a round in
        # flight is cancelled), Export offers the last finished report.
        if action == "cancel":
            return self.state.running and not self.watching
        if action == "back":
            return not self.state.running or self.watching
        if action in ("export", "copy_json"):
            return self._exportable() is not None
        if action == "fix_chain":
            return not self.state.running and chain_causes(self.session.report)
        return True

    def _exportable(self) -> Report | None:
        if self.state.report is not None and not self.state.running:
            return self.state.report
        if self.watching and self.session.report is not None:
            return self.session.report
        return None

    def action_cancel(self, *, quiet: bool = False) -> None:
        """Set the worker's cancel event: the engine closes its sockets and returns within
        ~50 ms; nothing waits for it (its late messages carry an old run id)."""
        if not self.state.running:
            return
        self.workers.cancel_group(self, "check")
        self.run_id += 1  # whatever the old run still posts is dropped
        self._stop_watch()
        self.state.stop_running(cancelled=True)
        if quiet:
            return
        self.refresh_all()
        self.notify("Check cancelled", markup=False, timeout=3)

    def action_back(self) -> None:
        self.action_leave()

    def action_leave(self) -> None:
        """Back, from anywhere: a running check is cancelled first."""
        self.action_cancel(quiet=True)
        self._stop_watch()
        self.app.clear_notifications()
        self.dismiss(None)

    def action_scroll(self, direction: int) -> None:
        stages = self.query_one("#stages", VerticalScroll)
        if direction > 0:
            stages.scroll_page_down()
        else:
            stages.scroll_page_up()

    def action_rerun(self) -> None:
        self.start_check()

    def action_toggle_watch(self) -> None:
        self.watching = not self.watching
        if self.watching:
            interval = cftui_app(self).watch_interval
            self.notify(f"Watching every {interval:g} s", markup=False, timeout=3)
            if not self.state.running:
                self.start_check()
        else:
            self._stop_watch()
            self.notify("Watch stopped", markup=False, timeout=3)
        self.refresh_title()
        self.refresh_bindings()

    def _stop_watch(self) -> None:
        self.watching = False
        self._cancel_timer()

    def action_export(self) -> None:
        report = self._exportable()
        if report is not None:
            cftui_app(self).export_report(report)

    def action_copy_json(self) -> None:
        report = self._exportable()
        if report is not None:
            cftui_app(self).copy_report_json(report)

    def action_fix_chain(self) -> None:
        """Build the chain the origin should send (its own screen, its own worker)."""
        from cftui.ui.screens.fixchain import FixChainScreen

        report = self.session.report
        if self.state.running or not chain_causes(report) or report is None:
            return
        address = pick_address(report)
        if address is None:
            self.notify("The origin sent no certificate chain to repair", markup=False)
            return

        def done(recheck: bool | None) -> None:
            if recheck:
                self.start_check()

        self.app.clear_notifications()
        self.app.push_screen(FixChainScreen(self.target, address, cftui_app(self).export_dir),
                             callback=done)

    def action_detail(self) -> None:
        if not self.cursor_visible():  # never open a row the user cannot see
            self._reveal_cursor()
            return
        row = self.query_one(TlsGrid).selected_row
        if row is not None:
            self._open_detail(row.key)

    @on(OptionList.OptionSelected, "#tls-grid")
    def _on_grid_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not self.cursor_visible():  # never open a row the user cannot see
            self._reveal_cursor()
        elif event.option.id:
            self._open_detail(event.option.id)

    def _open_detail(self, key: str) -> None:
        from cftui.ui.screens.detail import DetailScreen

        row = self.query_one(TlsGrid).rows.get(key)
        if row is None:
            return
        attempts = self.state.attempts_for(row.address, row.protocol)
        if not attempts:
            self.notify(f"No handshake with {row.protocol.value} yet", markup=False, timeout=3)
            return
        self.app.clear_notifications()
        self.app.push_screen(DetailScreen(self.target, attempts, self.state.report))

    # --- drawing -------------------------------------------------------------------

    def redraw(self) -> None:
        self.query_one(TlsGrid).clear_layout()
        self.refresh_all()

    def refresh_all(self) -> None:
        self.refresh_stages(set(STAGES))

    def refresh_stages(self, changed: set[Stage]) -> None:
        state, report = self.state, self.state.report
        glyphs = glyphs_of(self)
        for stage in changed:
            panel = self.query_one(f"#stage-{stage.value}", StagePanel)
            panel.view = state.stages[stage]
            if stage is Stage.CERTIFICATE:
                panel.set_body(certificate_body(report, glyphs) if report else [])
            elif stage is not Stage.TLS:
                panel.set_body(stage_details(stage, state.stages[stage], report))
        if Stage.TLS in changed:
            rows = grid_rows(self.target.protocols, state.addresses, state.protocols,
                             state.attempts, state.running)
            self.query_one(TlsGrid).show(rows, self.target.port)
        causes = self.query_one("#causes", Static)
        lines = causes_lines(report, glyphs) if report and len(report.verdict.causes) > 1 else []
        causes.update(Content("\n").join(lines))
        causes.display = bool(lines)
        done = sum(1 for v in state.stages.values() if v.status.value in
                   ("pass", "warn", "fail", "skipped"))
        self.query_one(VerdictBar).view = verdict_view(
            report, running=state.running and not state.in_place, done=done, glyphs=glyphs,
            cancelled=state.cancelled, error=state.error,
            history=tuple(self.session.history.verdicts),
            changes=state.changes if self.watching else None)
        self.refresh_title()
        self.refresh_bindings()

    def refresh_title(self) -> None:
        fmt = formatter_of(self)
        self.query_one("#check-title", Static).update(
            target_title(self.target, watching=self.watching,
                         interval=cftui_app(self).watch_interval,
                         runs=self.session.history.runs, busy=self.state.running,
                         checked_at=fmt.clock(self.state.report.started_at)
                         if self.state.report else None))

