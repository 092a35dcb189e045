"""Detail of one protocol attempt: handshake ladder, message fields and hex, transcript."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, OptionList, Static

from cftui.engine.model import ProtocolAttempt
from cftui.engine.results import CertificateReport, CertInfo, HttpResult, Report
from cftui.engine.target import Target
from cftui.transcript import session as transcript
from cftui.ui.format import plain
from cftui.ui.render.ladder import focus_step, steps
from cftui.ui.render.session import attempt_title, command_line, verify_status
from cftui.ui.render.wire import shows_wire, wire_steps
from cftui.ui.widgets.common import glyphs_of
from cftui.ui.widgets.ladder import Ladder, MessageView
from cftui.ui.widgets.transcript_view import TranscriptView


class DetailScreen(Screen[None]):
    """Up/down steps through the ladder; `t` shows the transcript; `c` copies the command."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,backspace", "back", "Back", id="detail.back"),
        Binding("c", "copy_command", "Copy command", id="detail.copy-command"),
        Binding("s", "save_command", "Save command", id="detail.save-command"),
        Binding("t", "toggle_view", "Transcript", id="detail.transcript"),
        Binding("right_square_bracket,n", "attempt(1)", "Next try", id="detail.next-try"),
        Binding("left_square_bracket,p", "attempt(-1)", "Prev try", id="detail.prev-try"),
    ]

    def __init__(self, target: Target, attempts: Sequence[ProtocolAttempt],
                 report: Report | None = None, index: int = 0) -> None:
        super().__init__(classes="detail-screen")
        self.target = target
        self.attempts = list(attempts)
        self.report = report
        self.index = index
        self.command = ""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title", markup=False)
        yield Static(id="command", markup=False)
        with ContentSwitcher(initial="handshake", id="views"):
            with Horizontal(id="handshake"):
                with Vertical(id="ladder-column"):
                    yield Static(id="ladder-header", markup=False)
                    yield Ladder()
                with VerticalScroll(id="message-scroll"):
                    yield MessageView()
            yield TranscriptView()
        yield Footer()

    def on_mount(self) -> None:
        self.show_attempt(self.index)
        self.query_one(Ladder).focus()

    @property
    def attempt(self) -> ProtocolAttempt:
        return self.attempts[self.index]

    def show_attempt(self, index: int) -> None:
        self.index = index % len(self.attempts)
        attempt = self.attempt
        glyphs = glyphs_of(self)
        self.query_one("#detail-title", Static).update(
            attempt_title(attempt, self.index, len(self.attempts), glyphs))
        self.command = transcript.s_client_command(
            attempt, servername=attempt.sni, ca_file=self.target.ca_file,
            verify_name=self.target.expected_name)
        self._show_command()
        ladder = self.query_one(Ladder)
        ladder_steps = steps(attempt, self._chain(attempt.address))
        focus = focus_step(ladder_steps, attempt.accepted)
        http = self._http(attempt.address)
        if http is not None and shows_wire(attempt, http, self.target.protocols):
            ladder_steps += wire_steps(http)
        ladder.show(ladder_steps, focus)
        self.query_one("#ladder-header", Static).update(ladder.header())
        self.query_one(MessageView).show(ladder.selected)
        verify = verify_status(attempt, self._certificate(attempt.address))
        self.query_one(TranscriptView).show(transcript.render(attempt, verify))

    def _show_command(self) -> None:
        width = self.query_one("#command", Static).content_region.width or self.size.width - 2
        self.query_one("#command", Static).update(command_line(self.command, width))

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_command)

    def redraw(self) -> None:
        self.show_attempt(self.index)

    def _http(self, address: str) -> HttpResult | None:
        if self.report is None:
            return None
        return next((a.http for a in self.report.per_address if a.address == address), None)

    def _certificate(self, address: str) -> CertificateReport | None:
        if self.report is None:
            return None
        return next((a.certificate for a in self.report.per_address if a.address == address),
                    None)

    def _chain(self, address: str) -> tuple[CertInfo, ...]:
        cert = self._certificate(address)
        return cert.chain if cert is not None else ()

    @on(OptionList.OptionHighlighted, "#ladder")
    def _on_step(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(MessageView).show(self.query_one(Ladder).selected)
        self.query_one("#message-scroll", VerticalScroll).scroll_home(animate=False)

    @on(OptionList.OptionSelected, "#ladder")
    def _on_step_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#message-scroll", VerticalScroll).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "attempt":
            return len(self.attempts) > 1
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_copy_command(self) -> None:
        """OSC 52 cannot tell whether the terminal took it (tmux's default
        `set-clipboard external` drops it), so the notice says what was done, not more."""
        self.app.copy_to_clipboard(self.command)
        self.notify("Sent to the terminal's clipboard (OSC 52). Not there? s saves a file.",
                    markup=False, timeout=4)

    def action_save_command(self) -> None:
        from cftui.ui.export import save_command

        try:
            path = save_command(self.command, self.target, getattr(self.app, "export_dir", None))
        except OSError as exc:
            self.notify(f"Not saved: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(f"Saved to {plain(str(path))}", markup=False, timeout=6)

    def action_toggle_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        showing = "transcript" if switcher.current == "handshake" else "handshake"
        switcher.current = showing
        self.query_one(TranscriptView if showing == "transcript" else Ladder).focus()

    def action_attempt(self, step: int) -> None:
        self.show_attempt(self.index + step)
