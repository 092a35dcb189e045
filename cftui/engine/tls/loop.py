"""One thread and one selector for every probe connection of the process.

A check offers each of CloudFront's suites on a connection of its own, all at once;
fifty origins checked together make some two thousand such connections. A thread per
connection spends more of the machine on threads than on TLS, and staggers the
ClientHellos it should send together. Here every probe (connect, send one
ClientHello, read the first flight, close) is a small state machine driven by one
selector loop; callers get the attempt through a `reply` callable (called on the
loop's thread: it must only hand the answer over, e.g. to a queue), or block on
`ProbeLoop.run` from a thread of their own. Slots come from the check's Budget
without waiting (a probe with no free slot queues until one is given back), and a
refused or reset connection is tried again at once on the same slot, as CloudFront
does (ConnectionAttempts).
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import Any

from cftui.engine.model import Outcome, ProtocolAttempt, Purpose, ServerFlight
from cftui.engine.net import budget as budget_mod
from cftui.engine.net import early
from cftui.engine.net.connect import (
    RETRYABLE,
    SLICE,
    Cancelled,
    Endpoint,
    describe_os_error,
    os_error,
)
from cftui.engine.net.early import EarlyConnection
from cftui.engine.net.sockets import family_of, start_connect
from cftui.engine.net.tcp import Connected
from cftui.engine.tls import hello as hello_mod
from cftui.engine.tls.flight import FlightParser
from cftui.engine.tls.probe import READ_CHUNK, first_flight_end, reset, retryable, timed_out

Reply = Callable[[ProtocolAttempt | BaseException], None]


ConnectReply = Callable[[Connected | BaseException], None]


class _Phase(Enum):
    QUEUED = "queued"
    CONNECTING = "connecting"
    SENDING = "sending"
    READING = "reading"


class _Probe:
    """One ClientHello on one connection (and its retries), from slot to result; with
    no spec, only the TCP connection (CloudFront's first step)."""

    def __init__(self, endpoint: Endpoint, spec: hello_mod.HelloSpec | None,
                 purpose: Purpose, record: bytes, reply: Callable[[Any], None]) -> None:
        self.endpoint = endpoint
        self.spec = spec
        self.purpose = purpose
        self.record = record
        self.reply = reply
        self.retries: list[str] = []
        self.has_slot = False
        self.early: EarlyConnection | None = None  # opened before the check (net/early.py)
        self._reset()

    def _reset(self) -> None:
        self.phase = _Phase.QUEUED
        self.sock: socket.socket | None = None
        self.watched = 0  # the selector events the socket is registered for
        self.sent = 0
        self.deadline = 0.0
        self.parser = FlightParser()
        self.started_at = time.time()
        self.start = time.monotonic()

    @property
    def cancelled(self) -> bool:
        cancel = self.endpoint.cancel
        return cancel is not None and cancel.is_set()

    def result(self, outcome: Outcome, flight: ServerFlight | None = None,
               error: str | None = None) -> ProtocolAttempt:
        spec = self.spec
        assert spec is not None
        return ProtocolAttempt(
            protocol=spec.protocol, address=self.endpoint.address, port=self.endpoint.port,
            sni=spec.sni, purpose=self.purpose, offered=spec.suites, client_hello=self.record,
            outcome=outcome, flight=flight, error=error,
            duration_ms=(time.monotonic() - self.start) * 1000, started_at=self.started_at,
            spec=spec,
        )


class ProbeLoop:
    """The process's probe connections; start it once (`probe_loop()`)."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._lock = threading.Lock()
        self._incoming: deque[_Probe] = deque()
        self._queued: deque[_Probe] = deque()  # waiting for a slot, in submission order
        self._active: set[_Probe] = set()
        self._wake_pending = False
        self._thread = threading.Thread(target=self._serve, name="cftui-probes", daemon=True)
        self._thread.start()

    def submit(self, endpoint: Endpoint, spec: hello_mod.HelloSpec, purpose: Purpose,
               reply: Reply) -> None:
        """Start one probe; `reply` gets its ProtocolAttempt, or the exception that ended
        it (Cancelled when the check is)."""
        probe = _Probe(endpoint, spec, purpose, hello_mod.client_hello(spec), reply)
        with self._lock:
            self._incoming.append(probe)
        self.wake()

    def connect(self, endpoint: Endpoint, reply: ConnectReply) -> None:
        """Only open a TCP connection (tried again like a probe's) and close it."""
        probe = _Probe(endpoint, None, Purpose.INFO, b"", reply)
        with self._lock:
            self._incoming.append(probe)
        self.wake()

    def run(self, endpoint: Endpoint, spec: hello_mod.HelloSpec,
            purpose: Purpose) -> ProtocolAttempt:
        """One probe, waited for in the caller's thread. Raises Cancelled."""
        answer: queue.SimpleQueue[ProtocolAttempt | BaseException] = queue.SimpleQueue()
        self.submit(endpoint, spec, purpose, answer.put)
        got = answer.get()
        if isinstance(got, BaseException):
            raise got
        return got

    def wake(self) -> None:
        """Make the loop look at its queues (a byte on its pipe, unless one is already
        there or the loop itself is asking: it looks after every step anyway)."""
        if self._wake_pending or threading.get_ident() == self._thread.ident:
            return
        self._wake_pending = True
        with contextlib.suppress(BlockingIOError):  # full: the loop is awake anyway
            os.write(self._wake_w, b"\0")

    # --- the loop thread ---------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            with self._lock:
                # a reply handled on this thread may have submitted more (no wake byte)
                timeout = (0 if self._incoming
                           else SLICE if self._active or self._queued else None)
            for key, _ in self._selector.select(timeout):
                if key.data is None:
                    self._drain_wake()
                else:
                    self._guarded(key.data, self._step)
            self._expire()
            with self._lock:
                self._queued.extend(self._incoming)
                self._incoming.clear()
            self._start_queued()

    def _guarded(self, probe: _Probe, work: Callable[[_Probe], None]) -> None:
        """A bug met while driving one probe fails that probe (its waiter sees the
        exception, as it would have in a thread of its own), never the loop."""
        try:
            work(probe)
        except Exception as exc:
            self._close(probe)
            self._give_back(probe)
            self._fail(probe, exc)

    def _drain_wake(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self._wake_r, 4096):
                pass
        # only now: a wake that saw the flag still set had already queued its probe,
        # and the queues are read after this
        self._wake_pending = False

    def _start_queued(self) -> None:
        """Start every queued probe that gets a slot; one refused stays in its place."""
        waiting: deque[_Probe] = deque()
        while self._queued:
            probe = self._queued.popleft()
            if probe.cancelled:
                self._fail(probe, Cancelled())
            elif probe.has_slot or self._take_early(probe) or self._take_slot(probe):
                self._guarded(probe, self._connect)
            else:
                waiting.append(probe)
        self._queued = waiting

    def _take_slot(self, probe: _Probe) -> bool:
        budget = probe.endpoint.budget
        if budget is not None and not budget.try_take():
            return False
        probe.has_slot = True
        return True

    def _take_early(self, probe: _Probe) -> bool:
        """A connection opened early for this endpoint, on the slot its budget adopted."""
        probe.early = early.take(probe.endpoint.early)
        probe.has_slot = probe.early is not None
        return probe.has_slot

    def _give_back(self, probe: _Probe) -> None:
        if probe.has_slot:
            probe.has_slot = False
            if probe.endpoint.budget is not None:
                probe.endpoint.budget.release()

    def _expire(self) -> None:
        now = time.monotonic()
        for probe in list(self._active):
            if probe.cancelled:
                self._close(probe)
                self._give_back(probe)
                self._fail(probe, Cancelled())
            elif now >= probe.deadline:
                if probe.phase is _Phase.CONNECTING:
                    self._connect_failed(probe, TimeoutError("timed out"))
                elif probe.phase is _Phase.SENDING:
                    self._finish(probe, probe.result(Outcome.RESET, error="timed out"))
                else:
                    self._end(probe, timed_out(probe.parser))

    def _connect(self, probe: _Probe) -> None:
        endpoint = probe.endpoint
        if (opened := probe.early) is not None:
            probe.early = None
            self._adopt(probe, opened)
            return
        family = family_of(endpoint.address)
        probe.start = time.monotonic()
        probe.started_at = time.time()
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            self._connect_failed(probe, exc)
            return
        if endpoint.budget is not None:
            endpoint.budget.count()
        probe.sock = sock
        self._active.add(probe)
        try:
            code = start_connect(sock, endpoint.address, endpoint.port)
        except OSError as exc:
            code = exc.errno or errno.EIO
        if code == 0:
            self._established(probe)
        elif code in (errno.EINPROGRESS, errno.EAGAIN):
            probe.phase = _Phase.CONNECTING
            probe.deadline = probe.start + endpoint.connect_timeout
            self._watch(probe, selectors.EVENT_WRITE)
        else:
            self._connect_failed(probe, os_error(code))

    def _adopt(self, probe: _Probe, opened: EarlyConnection) -> None:
        """Go on with a connection opened early. If it has connected, the probe's clock
        starts its connect time before now: its duration is the network's, not the time
        the connection waited for the engine to load."""
        probe.sock = opened.sock
        self._active.add(probe)
        probe.phase = _Phase.CONNECTING
        probe.deadline = opened.start + probe.endpoint.connect_timeout
        if (took := opened.connect_seconds()) is not None:
            probe.start = time.monotonic() - took
            probe.started_at = time.time() - took
        else:
            probe.start, probe.started_at = opened.start, opened.started_at
        self._watch(probe, selectors.EVENT_WRITE)

    def _step(self, probe: _Probe) -> None:
        sock = probe.sock
        if sock is None:
            return
        if probe.phase is _Phase.CONNECTING:
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                self._connect_failed(probe, os_error(code))
            else:
                self._established(probe)
        elif probe.phase is _Phase.SENDING:
            self._send(probe)
        else:
            self._read(probe)

    def _established(self, probe: _Probe) -> None:
        if probe.spec is not None:
            self._send(probe)
            return
        self._close(probe)
        self._give_back(probe)
        probe.reply(Connected(None, (time.monotonic() - probe.start) * 1000,
                              tuple(probe.retries)))

    def _connect_failed(self, probe: _Probe, exc: OSError) -> None:
        if probe.spec is not None:
            self._finish(probe, probe.result(Outcome.CONNECT_FAILED,
                                             error=describe_os_error(exc)))
            return
        self._close(probe)
        error = describe_os_error(exc)
        if error in RETRYABLE and self._try_again(probe, error):
            return
        self._give_back(probe)
        probe.reply(Connected(exc, (time.monotonic() - probe.start) * 1000,
                              tuple(probe.retries)))

    def _try_again(self, probe: _Probe, error: str) -> bool:
        """On the same slot, when tries are left (the connection is closed)."""
        if len(probe.retries) + 1 >= probe.endpoint.attempts:
            return False
        if probe.cancelled:
            self._give_back(probe)
            self._fail(probe, Cancelled())
            return True
        probe.retries.append(error)
        probe._reset()
        self._connect(probe)
        return True

    def _watch(self, probe: _Probe, events: int) -> None:
        """Wait for `events` on the probe's socket (by descriptor: cheaper to look up)."""
        assert probe.sock is not None
        if probe.watched == events:
            return
        if probe.watched:
            self._selector.modify(probe.sock.fileno(), events, probe)
        else:
            self._selector.register(probe.sock.fileno(), events, probe)
        probe.watched = events

    def _send(self, probe: _Probe) -> None:
        sock = probe.sock
        assert sock is not None
        if probe.phase is not _Phase.SENDING:
            probe.phase = _Phase.SENDING
            probe.deadline = time.monotonic() + probe.endpoint.connect_timeout
            self._watch(probe, selectors.EVENT_WRITE)
        try:
            probe.sent += sock.send(probe.record[probe.sent:])
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._finish(probe, probe.result(Outcome.RESET, error=describe_os_error(exc)))
            return
        if probe.sent >= len(probe.record):
            probe.phase = _Phase.READING
            probe.deadline = time.monotonic() + probe.endpoint.read_timeout
            self._watch(probe, selectors.EVENT_READ)

    def _read(self, probe: _Probe) -> None:
        sock = probe.sock
        assert sock is not None
        try:
            data = sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._end(probe, reset(probe.parser, exc))
            return
        end = first_flight_end(probe.parser, data)
        if end is not None:
            self._end(probe, end)

    def _end(self, probe: _Probe, end: tuple[ServerFlight, Outcome]) -> None:
        flight, outcome = end
        self._finish(probe, probe.result(
            outcome, flight, flight.error if outcome is not Outcome.SERVER_HELLO else None))

    def _close(self, probe: _Probe) -> None:
        """Close without lingering; we never finish these handshakes."""
        self._active.discard(probe)
        sock, probe.sock = probe.sock, None
        if sock is not None:
            if probe.watched:
                probe.watched = 0
                self._selector.unregister(sock.fileno())
            sock.close()

    def _finish(self, probe: _Probe, result: ProtocolAttempt) -> None:
        """Close the connection; try again on the same slot when the origin turned it
        away and tries are left, else hand the result over."""
        self._close(probe)
        if retryable(result) and self._try_again(probe, result.error or ""):
            return
        self._give_back(probe)
        if probe.retries:
            result = replace(result, retries=tuple(probe.retries))
        probe.reply(result)

    def _fail(self, probe: _Probe, exc: BaseException) -> None:
        probe.reply(exc)


_loop: ProbeLoop | None = None
_loop_lock = threading.Lock()


def probe_loop() -> ProbeLoop:
    """The process's one ProbeLoop, started on first use; budgets wake it when a
    connection elsewhere gives its slot back."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = ProbeLoop()
            budget_mod.on_release(_loop.wake)
        return _loop
