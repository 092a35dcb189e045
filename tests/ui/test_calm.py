"""A calm, honest screen: quit and cancel against a silent peer, q/Backspace while a check
runs, the TLS cursor, watch rounds in place, notifications, the palette, no config."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets._toast import Toast

from cftui.demo.behaviours import drain
from cftui.demo.servers import RawPeer
from cftui.engine.results import Event, Report, Stage, Status
from cftui.engine.run import check
from cftui.engine.target import Target
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries
from cftui.ui.format import fixed_formatter
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.detail import DetailScreen
from cftui.ui.screens.picker import PickerScreen
from cftui.ui.widgets.stage_panel import StagePanel
from cftui.ui.widgets.tls_grid import TlsGrid
from cftui.ui.widgets.verdict_bar import VerdictBar

from .conftest import settle
from .fakes import TARGET, events_of, failing_report

SLACK = 2.0  # seconds; the goal (0.5 s) is measured in bench/, tests allow busy machines


@pytest.fixture
def silent() -> Iterator[RawPeer]:
    """Accepts, reads, never answers (for 30 s): every probe waits for its timeout."""
    stopping = threading.Event()
    peer = RawPeer(lambda sock: drain(sock, stopping, seconds=30))
    peer.start()
    yield peer
    stopping.set()
    peer.stop()


class Timed:
    """The real engine, noting when it returned."""

    def __init__(self) -> None:
        self.returned: float | None = None
        self.started = threading.Event()

    def __call__(self, target: Target, **kwargs: Any) -> Report:
        self.started.set()
        try:
            return check(target, **kwargs)
        finally:
            self.returned = time.monotonic()


def silent_target(peer: RawPeer, *, http: bool = True) -> Target:
    return Target("silent.test", port=peer.port, connect_to=("127.0.0.1",),
                  connect_timeout=10, read_timeout=30, http=http)


async def wait_until(pilot: Any, condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)


async def _quit_while_waiting(target: Target) -> float:
    timed = Timed()
    app = CftuiApp(entries=PickerEntries(source="test"), start_target=target, checker=timed)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, timed.started.is_set)
        await pilot.pause(0.5)  # the probes are now waiting on the silent peer
        assert timed.returned is None
        quit_at = time.monotonic()
        await pilot.press("ctrl+q")
    while timed.returned is None and time.monotonic() < quit_at + 40:
        time.sleep(0.01)
    assert timed.returned is not None
    return timed.returned - quit_at


async def test_quit_stops_the_engine_on_a_silent_peer(silent: RawPeer) -> None:
    """The app sets the worker's cancel event on quit; the scan returns at once."""
    assert await _quit_while_waiting(silent_target(silent, http=False)) < SLACK


async def test_quit_stops_the_engine_on_a_silent_peer_with_http(silent: RawPeer) -> None:
    assert await _quit_while_waiting(silent_target(silent)) < SLACK


async def test_escape_cancels_the_work_not_only_the_screen(silent: RawPeer) -> None:
    timed = Timed()
    app = CftuiApp(entries=PickerEntries(source="test"),
                   start_target=silent_target(silent, http=False), checker=timed)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, timed.started.is_set)
        await pilot.pause(0.5)
        screen = app.screen
        assert isinstance(screen, CheckScreen) and screen.state.running
        pressed = time.monotonic()
        await pilot.press("escape")
        assert app.screen is screen and not screen.state.running
        await wait_until(pilot, lambda: timed.returned is not None, 40)
        assert timed.returned is not None and timed.returned - pressed < SLACK
        assert "cancelled" in screen.query_one(VerdictBar).text


@pytest.mark.parametrize("key", ["q", "backspace"])
async def test_q_and_backspace_cancel_and_go_back(silent: RawPeer, key: str) -> None:
    timed = Timed()
    app = CftuiApp(entries=PickerEntries(source="test"),
                   start_target=silent_target(silent, http=False), checker=timed)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, timed.started.is_set)
        await pilot.pause(0.3)
        pressed = time.monotonic()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await wait_until(pilot, lambda: timed.returned is not None, 40)
        assert timed.returned is not None and timed.returned - pressed < SLACK


# --- the cursor, watch rounds and notifications (deterministic data) ---------------------


def fake_app(checker: Callable[..., Report], **options: Any) -> CftuiApp:
    return CftuiApp(entries=PickerEntries(source="test"), start_target=TARGET,
                    checker=checker, formatter=fixed_formatter(), **options)


def replay(report: Report, gate: threading.Event | None = None) -> Callable[..., Report]:
    calls = []

    def checker(target: Target, *, on_event: Callable[[Event], None] = lambda e: None,
                cancel: threading.Event | None = None) -> Report:
        calls.append(target)
        if len(calls) > 2 and gate is not None:  # the first check, the first watch round
            gate.wait(10)
        result = replace(report, target=target)
        for event in events_of(result):
            on_event(event)
        return result

    return checker


async def test_the_grid_cursor_stays_on_screen() -> None:
    app = fake_app(replay(failing_report()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        grid = screen.query_one(TlsGrid)
        assert grid.selected_row is not None and grid.selected_row.kind == "fail"
        assert screen.cursor_visible()
        stages = screen.query_one("#stages")
        stages.scroll_end(animate=False, immediate=True)  # the user scrolls the cursor away
        await pilot.pause()
        assert not screen.cursor_visible()
        await pilot.press("enter")  # brings the cursor back instead of opening a hidden row
        await pilot.pause()
        assert app.screen is screen and screen.cursor_visible()
        stages.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause(0.1)
        assert screen.cursor_visible()
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)


async def test_a_watch_round_updates_in_place() -> None:
    gate = threading.Event()
    app = fake_app(replay(failing_report(), gate), watch_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        await pilot.press("w")  # the first watch round, then the next one waits at the gate
        await wait_until(pilot, lambda: screen.session.history.runs >= 1 and
                         screen.state.running)
        assert screen.state.running and screen.state.in_place
        scroll = screen.query_one("#stages").scroll_y
        footer = {b.binding.action for b in screen.active_bindings.values()
                  if b.enabled and b.binding.show}
        assert {"back", "export"} <= footer and "cancel" not in footer
        for stage in Stage:  # nothing blanks: the last results stay while a round runs
            status = screen.query_one(f"#stage-{stage.value}", StagePanel).view.status
            assert status not in (Status.PENDING, Status.RUNNING)
        assert "CloudFront would answer 502" in screen.query_one(VerdictBar).text
        gate.set()
        await wait_until(pilot, lambda: screen.session.history.runs >= 2)
        await pilot.pause(0.1)
        assert "no change since last round" in screen.query_one(VerdictBar).text
        assert screen.query_one("#stages").scroll_y == scroll
        await pilot.press("escape")  # Back, even with a round in flight
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


async def test_notifications_stay_off_the_verdict_and_go_with_the_screen() -> None:
    app = fake_app(replay(failing_report()))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        app.screen.notify("Watching every 10 s", markup=False)
        await pilot.pause(0.3)
        toast = app.screen.query_one(Toast)
        verdict = screen.query_one(VerdictBar)
        assert toast.region.bottom <= verdict.region.y
        await pilot.press("escape")
        await pilot.pause()
        assert not list(app._notifications)


async def test_saving_the_command_says_where(tmp_path: Path) -> None:
    app = fake_app(replay(failing_report()), export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        await pilot.press("s")
        await pilot.pause()
        saved = list(tmp_path.glob("cftui-s_client-origin.example.com*.sh"))
        assert len(saved) == 1 and detail.command in saved[0].read_text()
        shown = [n.message for n in app._notifications]
        assert any(str(saved[0]) in m for m in shown), shown


async def test_the_palette_has_one_screenshot_and_ascii_placeholder() -> None:
    app = CftuiApp(entries=PickerEntries(source="no config"), ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Save screenshot") == 1 and "Screenshot" not in titles
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        from textual.command import CommandInput

        assert app.screen.query_one(CommandInput).placeholder.isascii()


async def test_no_config_says_where_it_looked_and_how_to_start() -> None:
    app = CftuiApp(entries=PickerEntries(source="no config"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        help_text = str(app.screen.query_one("#getting-started").render())
        for needle in ("cftui.toml", "config.toml", "examples/cftui.toml", "--import",
                       "--aws", "ctrl+n"):
            assert needle in help_text
