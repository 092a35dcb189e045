"""Access logs in the app: what to read, how to attribute it, and the worker's messages.

The summary is computed by cftui.logs in a thread worker on the app (group "logs");
the worker posts LogProgress (merged in the queue) and the app keeps the result.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from cftui.logs import DistributionRoutes, GroupSummary, LogSummary, reader

if TYPE_CHECKING:
    from cftui.sources.model import Inventory

#: The shortest gap between two progress messages from the worker.
PROGRESS_EVERY = 0.1


@dataclass(frozen=True)
class LogSource:
    """Log files to summarise and the routes that attribute their requests to origins."""

    paths: tuple[Path, ...]
    routes: tuple[DistributionRoutes, ...] = ()
    notes: tuple[str, ...] = ()

    @functools.cached_property
    def total(self) -> int:
        """Bytes to read (the files are looked at once: a day of logs is thousands)."""
        return sum(_size(p) for p in self.paths)

    @classmethod
    def from_names(cls, names: Sequence[str], inventory: Inventory | None = None) -> LogSource:
        """Files and directories (LogFileError for a missing one), attributed with the
        inventory's distributions (and their cache behaviours, from an AWS export)."""
        from cftui.logs import routes_from_inventory

        paths = tuple(reader.expand(list(names)))
        if inventory is None:
            return cls(paths)
        routes, notes = routes_from_inventory(inventory)
        return cls(paths, tuple(routes), tuple(notes))

    @classmethod
    def demo(cls) -> LogSource:
        """The shipped demo log of EDEMO1CFTUI2, whose origins are the demo origins."""
        from cftui.logs.demo import DEMO_ROUTES, demo_log_path

        return cls((demo_log_path(),), (DEMO_ROUTES,))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def find_group(summary: LogSummary | None, distribution: str | None,
               origin: str) -> GroupSummary | None:
    if summary is None:
        return None
    return next((g for g in summary.groups if g.key.origin == origin
                 and g.key.distribution == distribution), None)


class LogProgress(Message, bubble=False):
    """`done` of `total` bytes read; a newer one replaces an older one in the queue."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LogProgress)


class LogsLoaded(Message, bubble=False):
    def __init__(self, summary: LogSummary) -> None:
        super().__init__()
        self.summary = summary
