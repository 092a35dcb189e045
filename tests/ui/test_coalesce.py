"""A burst of engine events: Textual merges the progress messages, the screen loses nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from textual.message import Message

from cftui.engine.model import Outcome
from cftui.engine.profile import Protocol
from cftui.engine.results import (
    AttemptFinished,
    CheckFinished,
    Event,
    Report,
    Stage,
    StageFinished,
    StageStarted,
    Status,
)
from cftui.engine.target import Target
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries
from cftui.ui.format import fixed_formatter
from cftui.ui.messages import PROGRESS, CheckEvent, EventLog
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.widgets.stage_panel import StagePanel
from cftui.ui.widgets.tls_grid import TlsGrid
from cftui.ui.widgets.verdict_bar import VerdictBar

from .conftest import settle
from .fakes import ADDRESS, TARGET, attempt, events_of, failing_report

BURST = 500


def with_burst(events: list[Event]) -> list[Event]:
    """The report's events with BURST more TLSv1.2 attempts right after the TLS stage starts."""
    at = events.index(StageStarted(Stage.TLS)) + 1
    burst = [AttemptFinished(attempt(Protocol.TLSv1_2, Outcome.ALERT, None, error=f"try {i}"))
             for i in range(BURST)]
    return events[:at] + burst + events[at:]


def gated(events: list[Event], report: Report, go: threading.Event,
          posted: threading.Event) -> Callable[..., Report]:
    """A checker that waits for `go`, posts every event at once, then sets `posted`."""

    def check(target: Target, *, on_event: Callable[[Event], None],
              cancel: threading.Event | None = None) -> Report:
        assert go.wait(5)
        for event in events:
            on_event(event)
        posted.set()
        return report

    return check


async def test_a_burst_is_merged_and_the_final_state_is_complete() -> None:
    report = replace(failing_report(), target=TARGET)
    events = with_burst(events_of(report))
    go, posted = threading.Event(), threading.Event()
    seen: list[Message] = []
    app = CftuiApp(entries=PickerEntries(source="test"), start_target=TARGET,
                   checker=gated(events, report, go, posted), formatter=fixed_formatter())
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckScreen) and screen.state.running
        go.set()
        # Hold the event loop until the worker has posted everything: the whole burst is
        # queued before the screen handles any of it, as when the UI falls behind.
        assert posted.wait(5)
        await settle(pilot)

        handled = [m for m in seen if isinstance(m, CheckEvent)]
        milestones = [e for e in events if not isinstance(e, PROGRESS)]
        # every milestone reached the handler, in order; the progress run became one message
        assert [m.event for m in handled if not m.progress] == milestones
        assert sum(m.progress for m in handled) == 1
        assert len(handled) == len(milestones) + 1 < len(events)
        assert StageFinished(report.stages[2]) in [m.event for m in handled]
        assert isinstance(handled[-1].event, CheckFinished)

        # ...and no event was lost: the screen folded in every attempt of the burst
        assert len(screen.state.attempts[(ADDRESS, Protocol.TLSv1_2)]) == BURST + 3
        assert not screen.state.running and screen.state.report is report
        tls = screen.query_one("#stage-tls", StagePanel)
        assert tls.view.status is Status.FAIL
        assert screen.query_one(TlsGrid).lines()[0].startswith("TLSv1.2  on   ✗")
        assert "CloudFront would answer 502" in screen.query_one(VerdictBar).text
        assert app.reports[TARGET] is report


def test_only_progress_of_the_same_run_is_merged() -> None:
    log, other = EventLog(), EventLog()
    progress = AttemptFinished(attempt(Protocol.TLSv1_2, Outcome.ALERT, None))
    a, b = CheckEvent(1, progress, log), CheckEvent(1, progress, log)
    assert a.can_replace(b) and b.can_replace(a)
    assert not a.can_replace(CheckEvent(2, progress, other))  # another run
    milestone = CheckEvent(1, StageFinished(failing_report().stages[2]), log)
    assert not a.can_replace(milestone) and not milestone.can_replace(a)
    assert not milestone.can_replace(CheckEvent(1, StageStarted(Stage.HTTP), log))


def test_the_log_hands_out_each_event_once() -> None:
    log = EventLog()
    first, second = StageStarted(Stage.DNS), StageStarted(Stage.TCP)
    log.append(first)
    log.append(second)
    assert log.take() == [first, second]
    assert log.take() == []
