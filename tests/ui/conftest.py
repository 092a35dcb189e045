"""UI fixtures: the demo origins on loopback, and helpers to drive the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from cftui.demo.origins import DemoOrigin, DemoOrigins

KEYS = ("healthy", "no-common-cipher", "missing-intermediate", "slow", "two-addresses")


@pytest.fixture(scope="session")
def demo() -> Iterator[dict[str, DemoOrigin]]:
    """A few demo origins, started once for the UI tests (read timeout 1 s)."""
    with DemoOrigins(KEYS, connect_timeout=2.0, read_timeout=1.0) as origins:
        yield {o.key: o for o in origins}


async def settle(pilot: Pilot[object]) -> None:
    """Wait for every worker to finish and the messages they posted to be handled."""
    with suppress(WorkerCancelled):
        await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()
