"""The ad-hoc origin form: a domain typed in, with port, protocols and Host header."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cftui.engine import targets, validate
from cftui.engine.target import Target
from cftui.ui.entries import AdhocDefaults
from cftui.ui.format import plain

FIELDS = (
    ("domain", "Origin domain", "origin.example.com"),
    ("port", "HTTPS port", "443"),
    ("protocols", "Protocols", "TLSv1.2  (comma list: SSLv3,TLSv1,TLSv1.1,TLSv1.2)"),
    ("host", "Host header", "none: the origin domain is the SNI and the name to match"),
    ("connect", "Connect to", "optional IP address instead of resolving the domain"),
)


@dataclass(frozen=True)
class FormDefaults(AdhocDefaults):
    """The form's defaults: the command line's options, Host header and addresses too."""

    host_header: str | None = None
    connect_to: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, given: Mapping[str, Any]) -> FormDefaults:
        """From the validated command-line options (`cli.overrides`); None: not given."""
        values = {k: v for k, v in given.items() if v is not None and k in _DEFAULT_KEYS}
        return cls(**values)


_DEFAULT_KEYS = frozenset({"port", "protocols", "ca_file", "connect_timeout", "read_timeout",
                           "host_header", "connect_to"})


def build_target(values: dict[str, str], defaults: AdhocDefaults) -> Target:
    """Validate the form through the one target factory; raises ValueError (one line)."""
    host = values.get("host", "").strip()
    connect = values.get("connect", "").strip()
    typed: dict[str, Any] = {
        "port": validate.port(values["port"], "port") if values.get("port", "").strip()
        else None,
        "protocols": (validate.protocols(values["protocols"], "protocols")
                      if values.get("protocols", "").strip() else None),
        "host_header": host or None,
        "connect_to": tuple(connect.replace(",", " ").split()) or None,
    }
    base: dict[str, Any] = {
        "port": defaults.port,
        "protocols": defaults.protocols,
        "ca_file": defaults.ca_file,
        "connect_timeout": defaults.connect_timeout,
        "read_timeout": defaults.read_timeout,
        "label": "ad-hoc",
    }
    return targets.make_target(values.get("domain", ""), **targets.layer(base, typed))


class AdhocScreen(ModalScreen[Target | None]):
    """Enter checks with what is filled in; Tab moves between fields; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="adhoc.back"),
        Binding("enter", "check", "Check", id="adhoc.check"),
    ]

    def __init__(self, domain: str, defaults: AdhocDefaults) -> None:
        super().__init__(classes="modal")
        self.domain = domain
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Check an ad-hoc origin", classes="dialog-title", markup=False)
            with Grid(id="form"):
                for key, label, placeholder in FIELDS:
                    yield Label(label, markup=False)
                    yield Input(placeholder=placeholder, id=f"adhoc-{key}")
            yield Static("Enter checks · Tab: next field · Esc: back",
                         classes="dialog-help", markup=False)
            yield Static(id="adhoc-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#adhoc-domain", Input).value = self.domain
        self.query_one("#adhoc-port", Input).value = str(self.defaults.port)
        self.query_one("#adhoc-protocols", Input).value = ",".join(
            p.value for p in self.defaults.protocols)
        if isinstance(self.defaults, FormDefaults):
            self.query_one("#adhoc-host", Input).value = self.defaults.host_header or ""
            self.query_one("#adhoc-connect", Input).value = ", ".join(self.defaults.connect_to)
        self.query_one("#adhoc-domain", Input).focus()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#adhoc-{key}", Input).value for key, _, _ in FIELDS}

    @on(Input.Submitted)
    def _on_submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        try:
            target = build_target(self.values(), self.defaults)
        except ValueError as exc:
            self.query_one("#adhoc-error", Static).update(plain(str(exc)))
            return
        self.dismiss(target)

    def action_back(self) -> None:
        self.dismiss(None)
