"""The probe loop against raw loopback peers: the per-origin cap on connections in
flight, ConnectionAttempts retries on the same slot, timeouts and cancel."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from cftui.engine.model import Outcome, ProtocolAttempt, Purpose
from cftui.engine.net.budget import Budget
from cftui.engine.net.connect import Cancelled, Endpoint
from cftui.engine.profile import Protocol
from cftui.engine.tls import hello
from cftui.engine.tls.loop import probe_loop

NAME = "origin.loop.test"
HANDSHAKE_FAILURE = bytes([21, 3, 3, 0, 2, 2, 40])  # a fatal alert record


class CountingPeer:
    """Accepts connections; each waits `hold` seconds after the client's first bytes,
    answers `answer` (or nothing when None) and closes. Counts the connections with a
    ClientHello in flight at once, from its arrival to just before the answer: inside
    the client's own slot, so the count never runs ahead of the client's."""

    def __init__(self, hold: float, answer: bytes | None = HANDSHAKE_FAILURE) -> None:
        self.hold, self.answer = hold, answer
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.open = self.most = self.accepted = 0
        self.stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            if not conn.recv(4096):
                return  # the client closed without a word (the TCP check)
            with self.lock:
                self.open += 1
                self.most = max(self.most, self.open)
            if self.answer is None:
                self.stopping.wait(self.hold)
            else:
                time.sleep(self.hold)
            with self.lock:
                self.open -= 1  # before answering: the client's slot outlives this
            if self.answer is not None:
                conn.sendall(self.answer)

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()


@pytest.fixture
def peer_factory() -> Iterator[type[CountingPeer]]:
    made: list[CountingPeer] = []

    class Made(CountingPeer):
        def __init__(self, *args: object, **kw: object) -> None:
            super().__init__(*args, **kw)  # type: ignore[arg-type]
            made.append(self)

    yield Made
    for peer in made:
        peer.close()


Answers = queue.SimpleQueue[ProtocolAttempt | BaseException]


def submit_all(endpoint: Endpoint, count: int) -> Answers:
    answers: Answers = queue.SimpleQueue()
    for i in range(count):
        spec = hello.cloudfront_hello(Protocol.TLSv1_2, NAME, [0x002F + i % 2])
        probe_loop().submit(endpoint, spec, Purpose.ENUMERATE, answers.put)
    return answers


def collect(answers: Answers, count: int,
            timeout: float = 10) -> list[ProtocolAttempt | BaseException]:
    return [answers.get(timeout=timeout) for _ in range(count)]


def test_the_cap_holds_connections_in_flight(peer_factory: type[CountingPeer]) -> None:
    peer = peer_factory(hold=0.05)
    budget = Budget(4)
    got = collect(submit_all(Endpoint("127.0.0.1", peer.port, 5, 5, budget=budget), 24), 24)
    assert all(isinstance(a, ProtocolAttempt) and a.outcome is Outcome.ALERT for a in got)
    assert peer.accepted == budget.made == 24
    assert peer.most == 4  # the cap is reached, never passed
    assert budget.in_flight == 0


def test_without_a_cap_every_probe_starts_at_once(peer_factory: type[CountingPeer]) -> None:
    peer = peer_factory(hold=0.3)
    budget = Budget(64)
    start = time.monotonic()
    got = collect(submit_all(Endpoint("127.0.0.1", peer.port, 5, 5, budget=budget), 24), 24)
    assert all(isinstance(a, ProtocolAttempt) for a in got)
    assert peer.most == 24
    assert time.monotonic() - start < 0.3 * 3  # together, not one after another


def test_a_refused_connection_is_tried_again_on_its_slot() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens there
    budget = Budget(1)
    a = probe_loop().run(Endpoint("127.0.0.1", port, 2, 2, budget=budget, attempts=3),
                         hello.cloudfront_hello(Protocol.TLSv1_2, NAME), Purpose.CLOUDFRONT)
    assert a.outcome is Outcome.CONNECT_FAILED and a.error == "connection refused"
    assert a.retries == ("connection refused", "connection refused")
    assert budget.made == 3 and budget.in_flight == 0


def test_a_silent_origin_times_out(peer_factory: type[CountingPeer]) -> None:
    peer = peer_factory(hold=30, answer=None)
    start = time.monotonic()
    a = probe_loop().run(Endpoint("127.0.0.1", peer.port, 2, 0.3),
                         hello.cloudfront_hello(Protocol.TLSv1_2, NAME), Purpose.CLOUDFRONT)
    took = time.monotonic() - start
    assert a.outcome is Outcome.TIMEOUT and a.error == "timed out"
    assert 0.3 <= took < 1.5


def test_cancel_ends_every_probe_at_once(peer_factory: type[CountingPeer]) -> None:
    peer = peer_factory(hold=30, answer=None)
    cancel = threading.Event()
    budget = Budget(4)  # some probes wait for a slot, some are on the wire
    answers = submit_all(Endpoint("127.0.0.1", peer.port, 30, 30, cancel=cancel,
                                  budget=budget), 10)
    time.sleep(0.2)
    cancel.set()
    start = time.monotonic()
    got = collect(answers, 10, timeout=5)
    assert time.monotonic() - start < 0.5
    assert all(isinstance(a, Cancelled) for a in got)
    assert budget.in_flight == 0


def test_a_whole_check_keeps_to_max_connections(peer_factory: type[CountingPeer]) -> None:
    """TCP, the scan, the broad hellos and the real handshake together stay within the
    target's cap (the origin refuses every offer, so every stage makes connections)."""
    from cftui.engine.run import check
    from cftui.engine.targets import make_target

    peer = peer_factory(hold=0.02)
    target = make_target(NAME, connect_to=("127.0.0.1",), port=peer.port, max_connections=3,
                         protocols=("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"),
                         connect_timeout=5, read_timeout=5)
    report = check(target)
    assert report.connections == peer.accepted >= 8
    assert peer.most <= 3


def test_a_probe_submitted_from_a_reply_after_a_timeout_runs(
        peer_factory: type[CountingPeer]) -> None:
    """The scan submits its next offers from the loop's own thread, also when the last
    answer was a timeout found by the loop's clock (no wake byte): they still start."""
    silent = peer_factory(hold=30, answer=None)
    answering = peer_factory(hold=0)
    answers: Answers = queue.SimpleQueue()
    spec = hello.cloudfront_hello(Protocol.TLSv1_2, NAME)

    def then_the_next(first: ProtocolAttempt | BaseException) -> None:
        answers.put(first)
        probe_loop().submit(Endpoint("127.0.0.1", answering.port, 2, 2), spec,
                            Purpose.BROAD, answers.put)

    probe_loop().submit(Endpoint("127.0.0.1", silent.port, 2, 0.2), spec, Purpose.CLOUDFRONT,
                        then_the_next)
    first, second = collect(answers, 2, timeout=5)
    assert isinstance(first, ProtocolAttempt) and first.outcome is Outcome.TIMEOUT
    assert isinstance(second, ProtocolAttempt) and second.outcome is Outcome.ALERT
