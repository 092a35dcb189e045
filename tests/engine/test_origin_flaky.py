"""ConnectionAttempts: an origin that resets every second connection gives one verdict."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

from support import SessionPki

from cftui.demo.servers import TlsOrigin
from cftui.engine.causes import CauseCode
from cftui.engine.results import Report


class FlakyOrigin(TlsOrigin):
    """Resets (RST, right after accept) every second TCP connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accepted = 0
        self._count_lock = threading.Lock()

    def handle(self, sock: socket.socket) -> None:
        with self._count_lock:
            self.accepted += 1
            reset = self.accepted % 2 == 0
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return
        super().handle(sock)


def test_twenty_checks_one_verdict(run_check: Callable[..., Report], pki: SessionPki) -> None:
    with FlakyOrigin(pki.leaf, min_version="TLSv1.2", max_version="TLSv1.2") as origin:
        verdicts = set()
        for _ in range(20):
            # one connection at a time, as one CloudFront request makes them: in parallel,
            # three tries of one probe can all draw even-numbered connections
            report = run_check(origin.port, max_connections=1)
            verdicts.add((report.verdict.would_fail,
                          tuple(sorted(c.code.value for c in report.verdict.causes))))
    assert verdicts == {(False, (CauseCode.ORIGIN_FLAKY.value,))}, verdicts


def test_one_attempt_is_at_the_mercy_of_the_reset(run_check: Callable[..., Report],
                                                  pki: SessionPki) -> None:
    with FlakyOrigin(pki.leaf, min_version="TLSv1.2", max_version="TLSv1.2") as origin:
        report = run_check(origin.port, connection_attempts=1, max_connections=1)
    assert report.verdict.would_fail  # some connection was reset and not tried again
    assert CauseCode.ORIGIN_FLAKY not in {c.code for c in report.verdict.causes}

