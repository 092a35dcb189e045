"""A certificate whose names hold markup, ANSI escapes and bidi controls is shown literally."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widget import Widget
from textual.widgets import OptionList, Static, TextArea

from cftui.demo.pki import make_name
from cftui.engine.profile import Protocol
from cftui.engine.results import Stage
from cftui.engine.target import Target
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.detail import DetailScreen
from cftui.ui.widgets.ladder import Ladder, MessageView
from cftui.ui.widgets.stage_panel import StagePanel

from .conftest import settle

HOSTILE = "[/ [@click=app.quit]x[/] \x1b[2J \x1b]0;x\x07 \u202eevil"
HOSTILE_SAN = "[/.\x1b[2J.example"


def shown_text(widget: Widget) -> str:
    if isinstance(widget, Static):
        return str(widget.content)
    if isinstance(widget, OptionList):
        return "\n".join(str(o.prompt) for o in widget.options)
    if isinstance(widget, TextArea):
        return widget.text
    return ""


def assert_no_raw_controls(app: CftuiApp) -> None:
    for widget in app.screen.query("*"):
        text = shown_text(widget)
        for bad in ("\x1b", "\x07", "\u202e"):
            assert bad not in text, (widget, text)
    svg = app.export_screenshot()
    assert "\x1b" not in svg and "\u202e" not in svg


async def test_hostile_certificate_names(pki: Any, tls_origin: Callable[..., Any]) -> None:
    leaf = pki.issue("origin.example.com", HOSTILE_SAN,
                     subject=make_name(HOSTILE, organization=HOSTILE),
                     issuer_name=make_name(HOSTILE))
    server = tls_origin(leaf)
    target = Target("origin.example.com", port=server.port, protocols=(Protocol.TLSv1_2,),
                    connect_to=("127.0.0.1",), ca_file=str(pki.ca_file),
                    connect_timeout=2.0, read_timeout=2.0)
    app = CftuiApp(entries=PickerEntries(), start_target=target)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckScreen) and screen.state.report is not None
        body = screen.query_one(f"#stage-{Stage.CERTIFICATE.value}", StagePanel).body_text
        assert "[@click=app.quit]x[/]" in body
        # the engine may already escape (RFC 4514 style "\\1B"); either way it shows as text
        assert "\\x1b[2J" in body or "\\1B[2J" in body
        assert "evil" in body
        assert_no_raw_controls(app)

        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        ladder = detail.query_one(Ladder)
        certificate = next(i for i, s in enumerate(ladder.steps) if s.name == "Certificate")
        ladder.highlighted = certificate
        await pilot.pause()
        assert "[@click=app.quit]x[/]" in detail.query_one(MessageView).text
        assert_no_raw_controls(app)
        await pilot.press("t")
        await pilot.pause()
        assert "[@click=app.quit]x[/]" in detail.query_one(TextArea).text
        assert_no_raw_controls(app)
        await pilot.press("escape", "escape")
        assert app.is_running
