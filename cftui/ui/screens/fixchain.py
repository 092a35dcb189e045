"""Repair the chain: fetch missing issuers, show the chain, write it, offer a re-check.

Dismisses with True when the user asks to check the origin again, else None.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from cftui.engine.net import aia
from cftui.engine.results import AddressReport
from cftui.engine.target import Target
from cftui.engine.x509.repair import Fetch, Repair, repair_chain
from cftui.fixchain import install_help
from cftui.options import check_command
from cftui.ui import export
from cftui.ui.format import plain, safe
from cftui.ui.render.repair import help_lines, result_lines, running_lines
from cftui.ui.widgets.common import cftui_app

DEFAULT_NAME = "fullchain.pem"


def _cancellable(fetch: Fetch | None, cancel: threading.Event,
                 connect_timeout: float) -> Fetch:
    """The AIA fetch, refused once the worker is cancelled (between fetches)."""

    def fetch_one(url: str, deadline: float) -> tuple[x509.Certificate, ...]:
        if cancel.is_set():
            raise aia.FetchError("cancelled")
        if fetch is not None:
            return fetch(url, deadline)
        return aia.fetch_issuer(url, deadline, connect_timeout=connect_timeout)

    return fetch_one


class FixChainScreen(Screen[bool | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="fixchain.back"),
        Binding("r", "recheck", "Re-check", id="fixchain.recheck"),
        Binding("pagedown", "scroll(1)", "Scroll", show=False, id="fixchain.scroll-down"),
        Binding("pageup", "scroll(-1)", "Scroll up", show=False, id="fixchain.scroll-up"),
    ]

    def __init__(self, target: Target, address: AddressReport, cwd: Path | None = None,
                 name: str = DEFAULT_NAME) -> None:
        super().__init__(classes="fixchain-screen")
        self.target = target
        self.address = address
        self.chain_der = [c.der for c in address.certificate.chain] if address.certificate \
            else []
        self.cwd = cwd
        self.default_name = name
        self.repair: Repair | None = None
        self.error: str | None = None
        self.written: Path | None = None
        self.confirm: Path | None = None  # the existing file the next Enter overwrites
        self._worker: Worker[Repair] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Repair the chain  ", "bold"), safe(self.target.domain),
                                      (f"  ({plain(self.address.address)})", "$text-muted")),
                     id="fixchain-title", markup=False)
        with VerticalScroll(id="fixchain-body"):
            yield Static(id="fixchain-result", markup=False)
            yield Static(id="fixchain-help", markup=False)
        yield Input(value=self.default_name, id="fixchain-name")
        yield Static(id="fixchain-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#fixchain-name").display = False
        self._show(running_lines(self.address.address, len(self.chain_der)))
        self._worker = self._repair(self.chain_der)

    # --- the worker ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="repair", exit_on_error=False,
          description="fetch missing issuers and build the chain")
    def _repair(self, chain_der: list[bytes]) -> Repair:
        worker = get_current_worker()
        app = cftui_app(self)
        fetch = _cancellable(app.aia_fetch, worker.cancelled_event,
                             self.target.connect_timeout)
        return repair_chain(chain_der, self.target.ca_file, fetch=fetch,
                            connect_timeout=self.target.connect_timeout)

    @on(Worker.StateChanged)
    def _on_worker(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.error = plain(str(error) or type(error).__name__)
            self._show([Content.assemble(("Cannot build the chain: ", "$error bold"),
                                         self.error)])
        elif event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Repair):
            self.repair = event.worker.result
            self._shown_result()

    def _shown_result(self) -> None:
        repair = self.repair
        assert repair is not None
        self._show(result_lines(repair, self.address.address))
        if repair.ok and repair.changed:
            self._show_help(self.default_name)
            name = self.query_one("#fixchain-name", Input)
            name.display = True
            name.focus()
            self.say("File name for the chain (PEM) - Enter writes it - Esc back")

    def _show(self, lines: list[Content]) -> None:
        self.query_one("#fixchain-result", Static).update(Content("\n").join(lines))

    def _show_help(self, name: str) -> None:
        lines = help_lines(install_help(plain(name)), check_command(self.target))
        self.query_one("#fixchain-help", Static).update(Content("\n").join(["", *lines]))

    # --- writing ------------------------------------------------------------------------

    def say(self, text: str, *, warn: bool = False) -> None:
        message = self.query_one("#fixchain-message", Static)
        message.update(plain(text))
        message.set_class(warn, "-warn")

    @on(Input.Changed, "#fixchain-name")
    def _on_change(self, event: Input.Changed) -> None:
        if self.confirm is not None:
            self.confirm = None
            self.say("File name for the chain (PEM) - Enter writes it - Esc back")

    @on(Input.Submitted, "#fixchain-name")
    def _on_submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.save(event.value)

    def save(self, name: str) -> Path | None:
        """Write the chain; an existing file needs a second Enter on the same name."""
        if self.repair is None or not self.repair.ok:
            return None
        if not name.strip():
            self.say("Type a file name", warn=True)
            return None
        path = export.resolve(name, self.cwd)
        overwrite = self.confirm == path
        if path.exists() and not overwrite:
            self.confirm = path
            self.say(f"{path} exists. Enter again to overwrite it, Esc to go back.", warn=True)
            return None
        try:
            with path.open("wb" if overwrite else "xb") as out:
                out.write(self.repair.pem)
        except FileExistsError:
            self.confirm = path
            self.say(f"{path} exists. Enter again to overwrite it, Esc to go back.", warn=True)
            return None
        except OSError as exc:
            self.say(export.describe_error(exc, path), warn=True)
            return None
        self.written, self.confirm = path, None
        self._show_help(name.strip())
        self.say(f"Wrote {path}. Install it, then press r to check the origin again.")
        self.query_one("#fixchain-body").focus()
        self.refresh_bindings()
        return path

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "recheck":
            return self.written is not None
        return True

    def action_recheck(self) -> None:
        if self.written is not None:
            self.dismiss(True)

    def action_back(self) -> None:
        self.workers.cancel_group(self, "repair")
        self.dismiss(None)

    def action_scroll(self, direction: int) -> None:
        body = self.query_one("#fixchain-body", VerticalScroll)
        if direction > 0:
            body.scroll_page_down()
        else:
            body.scroll_page_up()
