"""A TCP connection to one origin address, within a deadline, and OS errors in words.

Every wait on the network is sliced (at most `SLICE` seconds at a time) so that a
check notices its cancel event within a fraction of a second, even while an origin
stays silent for the whole timeout.
"""

from __future__ import annotations

import contextlib
import errno
import math
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from cftui.engine.net import early
from cftui.engine.net.budget import Budget
from cftui.engine.net.early import EarlyPool
from cftui.engine.net.sockets import family_of, start_connect

T = TypeVar("T")

#: The longest single wait on a socket before the cancel event is looked at again.
SLICE = 0.05


class Cancelled(Exception):
    """The caller's cancel event was set."""


@dataclass(frozen=True)
class Endpoint:
    address: str
    port: int
    connect_timeout: float
    read_timeout: float  # for the whole first flight
    cancel: threading.Event | None = field(default=None, compare=False)
    budget: Budget | None = field(default=None, compare=False)
    attempts: int = 1  # CloudFront's ConnectionAttempts: tries for a refused or reset connection
    #: connections opened before the check began, each used once by the first jobs
    early: EarlyPool | None = field(default=None, compare=False, repr=False)

    def retrying(self) -> contextlib.AbstractContextManager[None]:
        """Around a loop that tries one connection again: it keeps its slot (see Budget)."""
        return self.budget.retrying() if self.budget is not None else contextlib.nullcontext()

    def retry(self, once: Callable[[], T], gave_up: Callable[[T], bool],
              error: Callable[[T], str | None]) -> tuple[T, tuple[str, ...]]:
        """`once()` again, up to `attempts` tries in all, while `gave_up(result)` says the
        origin turned the connection away (as CloudFront retries: refused or reset, never
        a timeout); the slot is kept between tries. Returns the last result and what the
        tries before it saw."""
        retries: list[str] = []
        with self.retrying():
            while True:
                result = once()
                if not gave_up(result) or len(retries) + 1 >= self.attempts:
                    return result, tuple(retries)
                self.check_cancel()
                retries.append(error(result) or "")

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled


def wait_for(sock: socket.socket | int, deadline: float, *, write: bool = False,
             cancel: threading.Event | None = None) -> bool:
    """Wait until `sock` is readable (or writable) or `deadline` passes; False on timeout.
    Raises Cancelled when `cancel` is set meanwhile."""
    poller = select.poll()
    poller.register(sock, select.POLLOUT if write else select.POLLIN)
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if poller.poll(max(1, math.ceil(min(remaining, SLICE) * 1000))):
            return True


def connect(endpoint: Endpoint) -> socket.socket:
    """A TCP connection within the connect timeout; raises OSError (TimeoutError when the
    origin does not answer) or Cancelled. Counts against the endpoint's budget; the
    first ones are those the command line opened early (engine/net/early.py), whose
    slots the budget adopted and which give them back when closed like any other."""
    endpoint.check_cancel()
    if (opened := early.take(endpoint.early)) is not None:
        sock, started = opened.sock, opened.start
        if endpoint.budget is not None:
            endpoint.budget.attach(sock)
    else:
        family = family_of(endpoint.address)
        if endpoint.budget is not None:
            sock = endpoint.budget.open(family, endpoint.cancel)
        else:
            sock = socket.socket(family, socket.SOCK_STREAM)
        started = time.monotonic()
    try:
        code = errno.EINPROGRESS  # an early connection: its outcome is yet to be read
        if opened is None:
            code = start_connect(sock, endpoint.address, endpoint.port)
            if code not in (0, errno.EINPROGRESS, errno.EAGAIN):
                raise os_error(code)
        if code != 0:
            deadline = started + endpoint.connect_timeout
            if not wait_for(sock, deadline, write=True, cancel=endpoint.cancel):
                raise TimeoutError("timed out")
            if code := sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                raise os_error(code)
        sock.settimeout(endpoint.connect_timeout)
    except BaseException:
        sock.close()
        raise
    return sock


def os_error(code: int) -> OSError:
    """The OSError for an errno that connect_ex or SO_ERROR gave."""
    return OSError(code, errno.errorcode.get(code, str(code)))


#: What CloudFront tries again: the connection refused or reset (not a timeout, which
#: it would wait out once per attempt and which the report states instead).
RETRYABLE = frozenset({"connection refused", "connection reset by peer",
                       "connection closed during the handshake"})


def describe_os_error(exc: OSError) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if exc.errno == errno.ECONNREFUSED:
        return "connection refused"
    if exc.errno in (errno.ECONNRESET, errno.EPIPE):
        return "connection reset by peer"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to host"
    return exc.strerror or str(exc)
