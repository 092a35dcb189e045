"""Open a TCP connection to the origin's HTTPS port, as CloudFront's first step."""

from __future__ import annotations

import errno
import socket
import time
from dataclasses import replace

from cftui.engine.net.connect import RETRYABLE, Endpoint, connect, describe_os_error
from cftui.engine.results import TcpOutcome, TcpResult

#: Errors that speak of this machine's own network (typically: no IPv6 route on the
#: bastion), not of the origin.
NO_ROUTE_HERE = frozenset({errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT})


def tcp_connect(endpoint: Endpoint) -> TcpResult:
    """Refused (RST: CloudFront answers 502) and silently dropped (504) differ. A refused
    connection is tried again up to `endpoint.attempts` times, as CloudFront would; the
    result's `retries` says what the failed tries saw."""
    result, retries = endpoint.retry(
        lambda: _tcp_once(endpoint),
        lambda r: not r.connected and r.error in RETRYABLE, lambda r: r.error)
    return replace(result, retries=retries)


def _tcp_once(endpoint: Endpoint) -> TcpResult:
    start = time.monotonic()
    try:
        sock = connect(endpoint)
    except OSError as exc:
        took = (time.monotonic() - start) * 1000
        if isinstance(exc, TimeoutError | socket.timeout):
            outcome = TcpOutcome.TIMEOUT
        elif exc.errno in (errno.ECONNREFUSED, errno.ECONNRESET):
            outcome = TcpOutcome.REFUSED
        elif exc.errno in NO_ROUTE_HERE:
            outcome = TcpOutcome.NO_ROUTE_HERE  # this machine cannot reach it; CloudFront may
        elif exc.errno == errno.EHOSTUNREACH:
            outcome = TcpOutcome.UNREACHABLE
        else:
            outcome = TcpOutcome.ERROR
        return TcpResult(endpoint.address, endpoint.port, False, outcome,
                         describe_os_error(exc), took)
    took = (time.monotonic() - start) * 1000
    sock.close()
    return TcpResult(endpoint.address, endpoint.port, True, TcpOutcome.CONNECTED, None, took)
