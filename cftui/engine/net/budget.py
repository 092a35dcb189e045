"""How many connections a check may have open at once, and how many it made.

Origins sit behind rate limits and connection-limiting firewalls: a check keeps at
most `per_origin` connections to one origin in flight, and all checks of a process
together at most `_process_cap()`. A slot is taken when a socket is made and given
back when it is closed, so the callers need nothing but `sock.close()`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

#: Connections to one origin in flight at once, unless the caller says otherwise.
DEFAULT_PER_ORIGIN = 32


#: The most connections the whole process keeps in flight, whatever its descriptor limit.
MAX_IN_FLIGHT = 2048


def _process_cap() -> int:
    """Half the descriptors the process may open, at most MAX_IN_FLIGHT: every check
    together never runs the process out of descriptors (the CLI raises the soft limit
    first; the cap is fixed when the first connection is made)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return 256
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_IN_FLIGHT
    return max(16, min(MAX_IN_FLIGHT, soft // 2))


def raise_descriptor_limit(wanted: int = 4096) -> None:
    """For a program's entry point: let the soft descriptor limit reach `wanted` (within
    the hard limit), so many origins can be checked at once. Call before the engine."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class _Process:
    """Every check's slots together: one lock, counted, sized on first use. Threads
    that wait for a slot sleep on `freed`; the probe loop listens instead."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.freed = threading.Condition(self.lock)
        self.cap: int | None = None
        self.in_flight = 0
        self.listeners: list[Callable[[], None]] = []


_process = _Process()
_WAIT_SLICE = 0.05


def on_release(listener: Callable[[], None]) -> None:
    """Call `listener` whenever any check gives a slot back (the probe loop waits for
    slots without blocking a thread)."""
    _process.listeners.append(listener)


class CountedSocket(socket.socket):
    """A socket that gives its slot back once, when it is closed (or parks it for the
    next connection of the same thread while that thread is retrying)."""

    _budget: Budget | None = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            budget, self._budget = self._budget, None
            if budget is not None:
                budget._give_back()


class Budget:
    """The connections of one check (one origin): a cap in flight and a count."""

    def __init__(self, per_origin: int = DEFAULT_PER_ORIGIN) -> None:
        if per_origin < 1:
            raise ValueError("at least one connection must be allowed")
        self.per_origin = per_origin
        self.in_flight = 0
        self._thread = threading.local()  # .retrying: bool, .parked: bool
        self.made = 0

    @contextlib.contextmanager
    def retrying(self) -> Iterator[None]:
        """While a thread tries one connection again, as CloudFront does, it keeps its
        slot from one try to the next instead of queueing behind other work."""
        self._thread.retrying = True
        try:
            yield
        finally:
            self._thread.retrying = False
            if getattr(self._thread, "parked", False):
                self._thread.parked = False
                self.release()

    def open(self, family: socket.AddressFamily,
             cancel: threading.Event | None = None) -> socket.socket:
        """A new TCP socket once a slot is free (waiting, cancel-aware)."""
        from cftui.engine.net.connect import Cancelled

        if getattr(self._thread, "parked", False):
            self._thread.parked = False  # the slot this thread's last try held
        else:
            with _process.freed:
                while not self._take():
                    if cancel is not None and cancel.is_set():
                        raise Cancelled
                    _process.freed.wait(_WAIT_SLICE)
        try:
            sock = CountedSocket(family, socket.SOCK_STREAM)
        except BaseException:
            self.release()
            raise
        sock._budget = self
        self.count()
        return sock

    def try_take(self) -> bool:
        """A slot now, or False; the caller gives it back with `release()`."""
        with _process.lock:
            return self._take()

    def _take(self) -> bool:  # with _process.lock held
        if _process.cap is None:
            _process.cap = _process_cap()
        if self.in_flight >= self.per_origin or _process.in_flight >= _process.cap:
            return False
        self.in_flight += 1
        _process.in_flight += 1
        return True

    def adopt(self, connections: int) -> None:
        """Connections opened before the check began (engine/net/early.py): made, and in
        flight on slots of their own until each is closed (`release()` each one)."""
        with _process.lock:
            self.made += connections
            self.in_flight += connections
            _process.in_flight += connections

    def attach(self, sock: socket.socket) -> None:
        """An adopted connection: closing `sock` gives its slot back."""
        if isinstance(sock, CountedSocket):
            sock._budget = self

    def count(self) -> None:
        """One more connection made (a socket on a slot it took)."""
        with _process.lock:
            self.made += 1

    def release(self) -> None:
        """Give back a slot (one taken with `try_take`, or a closed socket's)."""
        with _process.freed:
            self.in_flight -= 1
            _process.in_flight -= 1
            _process.freed.notify_all()
        for listener in _process.listeners:
            listener()

    def _give_back(self) -> None:
        if getattr(self._thread, "retrying", False) and not getattr(self._thread, "parked",
                                                                    False):
            self._thread.parked = True
        else:
            self.release()
