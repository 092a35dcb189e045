"""Messages that carry engine objects from worker threads and widgets to screens."""

from __future__ import annotations

from textual.message import Message

from cftui.engine.results import Event


class CheckEvent(Message):
    """One progress event of the check `run_id`; stale runs are dropped by the screen."""

    def __init__(self, run_id: int, event: Event) -> None:
        super().__init__()
        self.run_id = run_id
        self.event = event
