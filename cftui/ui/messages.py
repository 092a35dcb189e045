"""Messages that carry engine events from the check worker thread to the check screen."""

from __future__ import annotations

import threading

from textual.message import Message

from cftui.engine.results import AttemptFinished, Event, ProtocolFinished

#: High-rate events (one per connection the TLS stage makes): their messages may be merged.
PROGRESS = (AttemptFinished, ProtocolFinished)


class EventLog:
    """One run's events in order: the worker appends, the screen takes all that are there.

    The state lives here rather than in the messages (Toolong's file and `PendingLines`),
    so Textual may drop a superseded message without the screen missing its event.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[Event] = []

    def append(self, event: Event) -> None:
        with self._lock:
            self._events.append(event)

    def take(self) -> list[Event]:
        with self._lock:
            events, self._events = self._events, []
        return events


class CheckEvent(Message, bubble=False):
    """`event` was added to the `log` of run `run_id`; stale runs are dropped by the screen.

    Progress messages of one run replace each other in the queue, so a burst of attempts
    costs one repaint; milestones (stage started or finished, addresses, check finished)
    are never merged away. Only the check screen handles it: it does not bubble.
    """

    def __init__(self, run_id: int, event: Event, log: EventLog) -> None:
        super().__init__()
        self.run_id = run_id
        self.event = event
        self.log = log

    @property
    def progress(self) -> bool:
        return isinstance(self.event, PROGRESS)

    def can_replace(self, message: Message) -> bool:
        # Symmetric: Textual's queue drops the older of the two, and both must be progress.
        return (isinstance(message, CheckEvent) and message.run_id == self.run_id
                and message.log is self.log and message.progress and self.progress)
