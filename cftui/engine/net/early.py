"""A check's first TCP connections (and its DNS lookup), started before the engine loads.

A `cftui check` process spends tens of milliseconds loading the engine before its
first connection would leave, and at internet latency each of them is added to the
round trips that follow. So the command line opens the first wave of a check's
connections (one per ClientHello the scan sends first, the real handshake's, the TCP
check's) as soon as it knows the origin's address, resolving its domain first if need
be. The check takes the lookup's answer as its own and adopts the connections: they
count as its connections, hold its slots, and serve its first jobs. Any it does not
use are closed when it ends, still counted (the origin saw them).

A thread notes when each connection completes, so that a connect time is the network's
and not the time the connection waited for the engine.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cftui.engine.net.budget import CountedSocket
from cftui.engine.net.sockets import family_of, start_connect
from cftui.engine.pending import Pending

if TYPE_CHECKING:
    from cftui.engine.target import Target


class EarlyConnection:
    """A socket connecting (or connected) to the origin, with when it started and, once
    the kernel says so, when the connection completed or failed."""

    __slots__ = ("settled", "sock", "start", "started_at")

    def __init__(self, sock: socket.socket, start: float, started_at: float) -> None:
        self.sock = sock
        self.start = start  # time.monotonic()
        self.started_at = started_at  # time.time()
        self.settled: float | None = None  # time.monotonic() when it connected or failed

    def connect_seconds(self) -> float | None:
        """How long the TCP handshake took, if it has finished."""
        return None if self.settled is None else self.settled - self.start


EarlyPool = deque[EarlyConnection]
Lookup = tuple[tuple[str, ...], float]  # a domain's addresses, and the seconds it took

#: At most this many connections opened early by one process (a config of hundreds of
#: origins must not run it out of descriptors before any check has begun).
MAX_EARLY = 512

_opened: dict[tuple[str, int], EarlyPool] = {}
_lookups: dict[tuple[str, int, str], Pending[Lookup]] = {}
_lock = threading.Lock()


def first_wave(target: Target) -> int:
    """The connections a check of `target` opens at once to each address (run._launch):
    one per protocol the scan starts with, the TCP check's and, when there is an HTTP
    request to send, the real handshake's; never more than its cap in flight."""
    from cftui.engine import profile

    fetch = target.http and profile.real_handshake_possible(target.protocols)
    return min(len(profile.SCANNED_PROTOCOLS) + 1 + int(fetch), target.max_connections)


def open_for(targets: Iterable[Target]) -> None:
    """Open the first wave of every target: at once to the addresses given (`connect_to`),
    else once its domain resolves, in a thread of its own (`lookup` hands the answer to
    the check, which then resolves nothing itself)."""
    budget = MAX_EARLY
    opened: list[EarlyConnection] = []  # to the addresses given: one thread notes them all
    timeout = 0.0
    for target in targets:
        wave = first_wave(target)
        budget -= wave * (len(target.connect_to) or 2)  # a domain: IPv4 and IPv6, perhaps
        if budget < 0:  # the rest connect when their check starts, as before
            break
        if target.connect_to:
            for address in target.connect_to:
                with contextlib.suppress(Exception):  # an optimisation: never in the way
                    opened += _open(address, target.port, wave)
            timeout = max(timeout, target.connect_timeout)
            continue
        key = (target.domain, target.port, target.ip_address_type)
        answer: Pending[Lookup] = Pending()
        with _lock:
            if key in _lookups:
                continue
            _lookups[key] = answer
        try:
            threading.Thread(target=_resolve_and_open, args=(target, answer), daemon=True,
                             name="cftui-early-dns").start()
        except RuntimeError:  # no thread to be had: the check resolves the domain itself
            with _lock:
                del _lookups[key]
    if opened:
        _note_in_thread(opened, timeout)


def _resolve_and_open(target: Target, answer: Pending[Lookup]) -> None:
    """The check's own lookup (engine/net/dns.resolve, same settings), then the first
    wave to every address; the answer is handed over only once they are opened."""
    from cftui.engine.net import dns

    start = time.monotonic()
    try:
        addresses = dns.resolve(target.domain, target.port, target.connect_timeout, None,
                                target.ip_address_type)
    except BaseException as exc:  # ResolveError: the check reports it
        answer.set_exception(exc)
        return
    took = time.monotonic() - start
    opened: list[EarlyConnection] = []
    # whatever happens here, the check waiting for the answer gets it (and connects by
    # itself, as without early connections)
    with contextlib.suppress(Exception):
        for address in addresses:
            opened += _open(address, target.port, first_wave(target))
    answer.set_result((addresses, took))
    _note_settled(opened, target.connect_timeout)  # this thread has nothing else to do


def lookup(target: Target) -> Pending[Lookup] | None:
    """The resolution of `target`'s domain the command line started, if it did."""
    with _lock:
        return _lookups.get((target.domain, target.port, target.ip_address_type))


def open_connections(address: str, port: int, count: int, timeout: float) -> None:
    """Start `count` non-blocking connections to address:port for a check to adopt, and
    note their connect times for `timeout` seconds. Nothing is raised: a connection
    that cannot even start is the check's to find."""
    if opened := _open(address, port, count):
        _note_in_thread(opened, timeout)


def _open(address: str, port: int, count: int) -> list[EarlyConnection]:
    """Up to `count` connections started to address:port, registered for `claim`."""
    family = family_of(address)
    opened: list[EarlyConnection] = []
    for _ in range(count):
        try:
            sock = CountedSocket(family, socket.SOCK_STREAM)
        except OSError:
            break
        try:
            start, started_at = time.monotonic(), time.time()
            code = start_connect(sock, address, port)
        except OSError:
            sock.close()
            break
        if code not in (0, errno.EINPROGRESS, errno.EAGAIN):
            sock.close()
            break
        early = EarlyConnection(sock, start, started_at)
        if code == 0:
            early.settled = time.monotonic()
        opened.append(early)
    if opened:
        with _lock:
            _opened.setdefault((address, port), deque()).extend(opened)
    return opened


def _note_in_thread(opened: list[EarlyConnection], timeout: float) -> None:
    threading.Thread(target=_note_settled, args=(opened, timeout), daemon=True,
                     name="cftui-early").start()


def _note_settled(pool: list[EarlyConnection], timeout: float) -> None:
    """Note when each connection completes or fails (writable either way), until all
    have or the connect timeout has passed; the sockets are not touched otherwise (a
    check may adopt, use and close one meanwhile: the kernel then forgets it here)."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        for early in pool:
            if early.settled is None:
                with contextlib.suppress(OSError, ValueError):  # already closed
                    selector.register(early.sock.fileno(), selectors.EVENT_WRITE, early)
        while selector.get_map() and (left := deadline - time.monotonic()) > 0:
            ready = selector.select(min(left, 0.05))
            now = time.monotonic()
            for key, _ in ready:
                key.data.settled = now
                with contextlib.suppress(OSError, KeyError, ValueError):
                    selector.unregister(key.fd)
            for key in list(selector.get_map().values()):
                if key.data.sock.fileno() != key.fd:  # closed by its check
                    with contextlib.suppress(OSError, KeyError, ValueError):
                        selector.unregister(key.fd)


def claim(address: str, port: int, limit: int) -> EarlyPool:
    """Up to `limit` of the connections opened early to address:port (each handed out
    once: two checks of one origin share its first wave)."""
    with _lock:
        pool = _opened.get((address, port))
        if not pool:
            return deque()
        mine = deque(pool.popleft() for _ in range(min(limit, len(pool))))
        if not pool:
            del _opened[(address, port)]
        return mine


def take(pool: EarlyPool | None) -> EarlyConnection | None:
    """The next early connection of a check's pool, if any is left."""
    try:
        return pool.popleft() if pool else None
    except IndexError:  # another thread took the last one
        return None


def close_unclaimed() -> int:
    """Close the connections no check adopted (a check that never started); how many."""
    with _lock:
        pools = list(_opened.values())
        _opened.clear()
        _lookups.clear()
    closed = 0
    for pool in pools:
        for early in pool:
            early.sock.close()
            closed += 1
    return closed
