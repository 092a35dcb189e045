"""The live state of one check, built from the engine's progress events (pure, no Textual)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from cftui.engine.model import ProtocolAttempt, ProtocolResult
from cftui.engine.profile import Protocol
from cftui.engine.results import (
    AddressesResolved,
    AttemptFinished,
    CheckFinished,
    Event,
    ProtocolFinished,
    Report,
    Stage,
    StageFinished,
    StageResult,
    StageStarted,
    Status,
)
from cftui.engine.target import Target

STAGES: tuple[Stage, ...] = tuple(Stage)
HISTORY_LENGTH = 12


@dataclass(frozen=True)
class StageView:
    """What a stage panel shows: its status, one-line summary, duration and details."""

    stage: Stage
    status: Status = Status.PENDING
    summary: str = ""
    duration_ms: float | None = None
    details: tuple[str, ...] = ()
    history: tuple[Status, ...] = ()  # watch mode: earlier runs, oldest first


@dataclass
class CheckState:
    """Accumulates one run's events; `apply` says which stages changed."""

    target: Target
    stages: dict[Stage, StageView] = field(default_factory=dict)
    addresses: tuple[str, ...] = ()
    protocols: dict[tuple[str, Protocol], ProtocolResult] = field(default_factory=dict)
    attempts: dict[tuple[str, Protocol], list[ProtocolAttempt]] = field(default_factory=dict)
    report: Report | None = None
    running: bool = False
    cancelled: bool = False
    error: str | None = None
    started_at: float | None = None
    in_place: bool = False  # a watch round: the last results stay until the new report
    changes: tuple[str, ...] | None = None  # watch mode: what the last round changed

    def __post_init__(self) -> None:
        if not self.stages:
            self.stages = {s: StageView(s) for s in STAGES}

    def start(self, now: float, history: WatchHistory | None = None, *,
              keep: bool = False) -> None:
        """Reset for a new run (keeping the watch history); `keep` leaves the last results
        in view until the new report replaces them all at once."""
        self.in_place = keep and self.report is not None
        self.running = True
        self.started_at = now
        if self.in_place:
            return
        self.changes = None
        self.stages = {s: StageView(s, history=history.of(s) if history else ())
                       for s in STAGES}
        self.addresses = ()
        self.protocols.clear()
        self.attempts.clear()
        self.report = None
        self.running = True
        self.cancelled = False
        self.error = None
        self.started_at = now

    def apply(self, event: Event) -> set[Stage]:
        """Fold one event in; returns the stages whose view changed."""
        if self.in_place and not isinstance(event, CheckFinished):
            return set()
        if isinstance(event, StageStarted):
            self.stages[event.stage] = replace(self.stages[event.stage], status=Status.RUNNING)
            return {event.stage}
        if isinstance(event, StageFinished):
            self._finish(event.result)
            return {event.result.stage}
        if isinstance(event, AddressesResolved):
            self.addresses = tuple(event.addresses)
            return {Stage.DNS, Stage.TLS}
        if isinstance(event, AttemptFinished):
            a = event.attempt
            self.attempts.setdefault((a.address, a.protocol), []).append(a)
            return {Stage.TLS}
        if isinstance(event, ProtocolFinished):
            r = event.result
            self.protocols[(r.address, r.protocol)] = r
            return {Stage.TLS}
        if isinstance(event, CheckFinished):
            self.finish(event.report)
            return set(STAGES)
        return set()

    def finish(self, report: Report) -> None:
        """Take the final report: it is the truth for every stage and protocol."""
        if self.in_place:
            self.attempts.clear()
            self.protocols.clear()
        self.in_place = False
        self.report = report
        self.running = False
        self.cancelled = report.cancelled
        self.addresses = tuple(report.addresses) or self.addresses
        for stage_result in report.stages:
            self._finish(stage_result)
        for address in report.per_address:
            for protocol_result in address.protocols:
                self.protocols[(address.address, protocol_result.protocol)] = protocol_result
        if report.cancelled:
            self.stop_running(cancelled=True)

    def stop_running(self, *, cancelled: bool = False, error: str | None = None) -> None:
        """The run ended without (or before) a report: unfinished stages say so."""
        self.running = False
        self.in_place = False
        self.cancelled = self.cancelled or cancelled
        self.error = error or self.error
        word = "cancelled" if cancelled else "not finished"
        status = Status.SKIPPED if cancelled else Status.FAIL
        for stage, view in self.stages.items():
            if view.status in (Status.RUNNING, Status.PENDING):
                summary = error if (error and view.status is Status.RUNNING) else word
                self.stages[stage] = replace(view, status=status, summary=summary)

    def show_history(self, history: WatchHistory) -> None:
        for stage, view in self.stages.items():
            self.stages[stage] = replace(view, history=history.of(stage))

    def attempts_for(self, address: str, protocol: Protocol) -> list[ProtocolAttempt]:
        """Every attempt for one row of the TLS grid, from the result or the live events."""
        result = self.protocols.get((address, protocol))
        if result is not None and result.attempts:
            return list(result.attempts)
        return list(self.attempts.get((address, protocol), []))

    def _finish(self, result: StageResult) -> None:
        self.stages[result.stage] = replace(
            self.stages[result.stage], status=result.status, summary=result.summary,
            duration_ms=result.duration_ms, details=tuple(result.details))


def changes_since(before: Report, after: Report) -> tuple[str, ...]:
    """Watch mode: what one round changed, as short phrases (`TLS ✓ PASS → ✗ FAIL`)."""
    old = {r.stage: r.status for r in before.stages}
    out = []
    if before.verdict.http_status != after.verdict.http_status or (
            before.verdict.would_fail != after.verdict.would_fail):
        out.append(f"verdict {_answer(before)} to {_answer(after)}")
    for result in after.stages:
        was = old.get(result.stage)
        if was is not None and was is not result.status:
            out.append(f"{result.stage.label} {was.value} to {result.status.value}")
    return tuple(out)


def _answer(report: Report) -> str:
    return str(report.verdict.http_status or 502) if report.verdict.would_fail else "OK"


@dataclass
class WatchHistory:
    """Watch mode: the last few statuses of each stage and the last few verdicts."""

    length: int = HISTORY_LENGTH
    stages: dict[Stage, deque[Status]] = field(default_factory=dict)
    verdicts: deque[int | None] = field(default_factory=deque)
    runs: int = 0

    def record(self, report: Report) -> None:
        if report.cancelled:
            return
        self.runs += 1
        for result in report.stages:
            self.stages.setdefault(result.stage, deque(maxlen=self.length)).append(result.status)
        self.verdicts.append(report.verdict.http_status if report.verdict.would_fail else 200)
        while len(self.verdicts) > self.length:
            self.verdicts.popleft()

    def of(self, stage: Stage) -> tuple[Status, ...]:
        return tuple(self.stages.get(stage, ()))

    def flapping(self, stage: Stage) -> bool:
        """Different outcomes within the kept history."""
        return len(set(self.of(stage))) > 1


@dataclass
class CheckSession:
    """What the app keeps per target between visits: the last report and the watch history."""

    target: Target
    report: Report | None = None
    history: WatchHistory = field(default_factory=WatchHistory)
