"""ConnectionAttempts: an origin that resets every second connection gives one verdict."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from typing import Any

from support import SessionPki

from cftui.demo.servers import TlsOrigin
from cftui.engine.causes import CauseCode
from cftui.engine.results import Report


class FlakyOrigin(TlsOrigin):
    """Resets (RST, right at accept, in accept order) every second TCP connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accepted = 0

    def _spawn(self, conn: socket.socket) -> None:
        self.accepted += 1  # the accept loop is one thread
        if self.accepted % 2 == 0:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return
        super()._spawn(conn)

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
    address = report.per_address[0]
    attempts = [a for p in address.protocols for a in p.attempts]
    assert address.tcp is not None and not address.tcp.retries
    assert not any(a.retries for a in attempts)
    # whichever connection draws the reset (the TCP check's, a probe's) keeps it
    assert any(e == "connection reset by peer"
               for e in [address.tcp.error, *(a.error for a in attempts)])
    assert CauseCode.ORIGIN_FLAKY not in {c.code for c in report.verdict.causes}
