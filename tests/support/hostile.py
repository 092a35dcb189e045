"""What the hostile-origin tests share besides fixtures: timeouts, `Checked`, fixture types.

A normal module rather than `tests/hostile/conftest.py`, so that test modules can
import it in any collection order (every conftest is a module called `conftest`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cftui.demo.servers import RawPeer, TlsOrigin
from cftui.engine.results import Report

#: Timeouts every hostile check runs with (seconds).
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 1.0


@dataclass(frozen=True)
class Checked:
    """A report and how long the check took (wall clock, seconds)."""

    report: Report
    elapsed: float

    @property
    def codes(self) -> set[str]:
        return {c.code for c in self.report.verdict.causes}

    @property
    def blocking(self) -> set[str]:
        return {c.code for c in self.report.verdict.causes if c.blocking}

    def cause(self, code: str) -> str:
        return next(c.message for c in self.report.verdict.causes if c.code == code)


Hostile = Callable[..., RawPeer]  # the hostile fixture: hostile(step, io_timeout=5.0)
RunCheck = Callable[..., Checked]  # the run_check fixture: run_check(port, **Target options)
TlsOrigins = Callable[..., TlsOrigin]  # the tls_origin fixture of tests/conftest.py
