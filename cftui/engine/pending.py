"""A result handed over once, from the probe loop or a thread of its own, to whoever
waits for it.

`concurrent.futures.Future` does the same, but importing it loads `logging` and
`traceback` (~4 ms) before a check's first connection; this is all a check needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """Set once (by one setter: the first value or error stays), read many times."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def set_result(self, value: T) -> None:
        if not self._ready.is_set():
            self._value = value
            self._ready.set()

    def set_exception(self, error: BaseException) -> None:
        if not self._ready.is_set():
            self._error = error
            self._ready.set()

    def wait(self, timeout: float) -> bool:
        """Whether it is set, waiting at most `timeout` seconds for it."""
        return self._ready.wait(timeout)

    def result(self) -> T:
        """The value, once set (waits for it); raises the error instead, if one was set."""
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set with the event


def in_thread(work: Callable[[], T], name: str) -> tuple[Pending[T], threading.Thread]:
    """Run `work` in a daemon thread of its own; its result (or exception) lands in the
    Pending. The thread is returned for callers that must wait for it to end."""
    pending: Pending[T] = Pending()

    def run() -> None:
        try:
            pending.set_result(work())
        except BaseException as exc:
            pending.set_exception(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return pending, thread
