"""Command palette: every action of the current screen, plus app-wide cftui commands."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

if TYPE_CHECKING:
    from cftui.ui.app import CftuiApp

#: Navigation bindings that make no sense as commands.
SKIP_ACTIONS = frozenset({"cursor(1)", "cursor(-1)", "command_palette", "app.quit", "quit",
                          "select", "submit", "scroll(1)", "scroll(-1)"})

#: Palette help for actions, by action name.
HELP = {
    "rerun": "Probe the origin again",
    "cancel": "Stop the running check (results so far stay)",
    "back": "Go back to the previous screen",
    "toggle_watch": "Re-probe every few seconds and keep a short history per stage",
    "export": "Save the report as Markdown or JSON",
    "copy_json": "Copy the JSON report (cftui.report/1) through the terminal clipboard",
    "detail": "Open the handshake of the highlighted TLS row",
    "copy_command": "Copy the openssl s_client command (works over SSH)",
    "toggle_view": "Switch between the handshake ladder and the s_client transcript",
    "attempt(1)": "Show the next connection made for this protocol",
    "attempt(-1)": "Show the previous connection made for this protocol",
    "adhoc": "Check a domain that is not in the list",
    "choose": "Check the highlighted origin",
    "clear_filter": "Show every origin again",
}


def screen_commands(screen: Screen[object]) -> Iterable[SystemCommand]:
    """One command per enabled action of the screen, then of its focused widget."""
    seen: set[str] = set()
    candidates: list[tuple[DOMNode, Binding]] = [
        (screen, b) for b in screen.BINDINGS if isinstance(b, Binding)]
    candidates += [(a.node, a.binding) for a in screen.active_bindings.values() if a.enabled]
    for node, binding in candidates:
        action = binding.action
        if action in SKIP_ACTIONS or action in seen or (node is not screen and node is screen.app):
            continue
        if not binding.description or not (binding.show or action in HELP):
            continue
        if node.check_action(action, ()) is False:
            continue
        seen.update((action, binding.description))
        yield SystemCommand(binding.description, HELP.get(action, binding.description),
                            partial(screen.app.run_action, action, node))


def app_commands(app: CftuiApp) -> Iterable[SystemCommand]:
    word = "off" if app.ascii else "on"
    yield SystemCommand(f"ASCII mode {word}", "Draw without line-drawing characters",
                        app.action_toggle_ascii)
    yield SystemCommand("Save screenshot", "Save an SVG of the screen in the working "
                        "directory", app.action_screenshot_svg)
