"""How many connections a check may have open at once, and how many it made.

Origins sit behind rate limits and connection-limiting firewalls: a check keeps at
most `per_origin` connections to one origin in flight, and all checks of a process
together at most `GLOBAL_IN_FLIGHT`. A slot is taken when a socket is made and given
back when it is closed, so the callers need nothing but `sock.close()`.
"""

from __future__ import annotations

import contextlib
import socket
import threading

#: Connections to one origin in flight at once, unless the caller says otherwise.
DEFAULT_PER_ORIGIN = 32


def _process_cap() -> int:
    """Half the descriptors the process may open, at most 1024: every check together
    never runs the process out of descriptors (the CLI raises the soft limit first)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return 256
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1024
    return max(16, min(1024, soft // 2))


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


#: Connections in flight for the whole process (every check together).
GLOBAL_IN_FLIGHT = _process_cap()
_global = threading.BoundedSemaphore(GLOBAL_IN_FLIGHT)
_WAIT_SLICE = 0.05


class _CountedSocket(socket.socket):
    """A socket that gives its slot back once, when it is closed."""

    _release: threading.Semaphore | None = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release.release()
                _global.release()


class Budget:
    """The connections of one check (one origin): a cap in flight and a count."""

    def __init__(self, per_origin: int = DEFAULT_PER_ORIGIN) -> None:
        if per_origin < 1:
            raise ValueError("at least one connection must be allowed")
        self.per_origin = per_origin
        self._slots = threading.BoundedSemaphore(per_origin)
        self._lock = threading.Lock()
        self.made = 0

    def open(self, family: socket.AddressFamily,
             cancel: threading.Event | None = None) -> socket.socket:
        """A new TCP socket once a slot is free (waiting, cancel-aware)."""
        from cftui.engine.net.connect import Cancelled

        for semaphore in (self._slots, _global):
            while not semaphore.acquire(timeout=_WAIT_SLICE):
                if cancel is not None and cancel.is_set():
                    if semaphore is _global:
                        self._slots.release()
                    raise Cancelled
        try:
            sock = _CountedSocket(family, socket.SOCK_STREAM)
        except BaseException:
            self._slots.release()
            _global.release()
            raise
        sock._release = self._slots
        with self._lock:
            self.made += 1
        return sock
