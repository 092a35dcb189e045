"""Open a TCP connection to the origin's HTTPS port, as CloudFront's first step: what
the connection (made on the probe loop, tried again like CloudFront) means."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from cftui.engine.net.connect import Endpoint, describe_os_error
from cftui.engine.results import TcpOutcome, TcpResult

#: Errors that speak of this machine's own network (typically: no IPv6 route on the
#: bastion), not of the origin.
NO_ROUTE_HERE = frozenset({errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT})


@dataclass(frozen=True)
class Connected:
    """What a connect-only job of the probe loop saw: the error of its last try (None:
    connected), how long that try took, and what the tries before it saw."""

    error: OSError | None
    duration_ms: float
    retries: tuple[str, ...] = ()


def tcp_result(endpoint: Endpoint, connected: Connected) -> TcpResult:
    """Refused (RST: CloudFront answers 502) and silently dropped (504) differ."""
    error, duration_ms, retries = connected.error, connected.duration_ms, connected.retries
    if error is None:
        return TcpResult(endpoint.address, endpoint.port, True, TcpOutcome.CONNECTED, None,
                         duration_ms, retries=retries)
    if isinstance(error, TimeoutError | socket.timeout):
        outcome = TcpOutcome.TIMEOUT
    elif error.errno in (errno.ECONNREFUSED, errno.ECONNRESET):
        outcome = TcpOutcome.REFUSED
    elif error.errno in NO_ROUTE_HERE:
        outcome = TcpOutcome.NO_ROUTE_HERE  # this machine cannot reach it; CloudFront may
    elif error.errno == errno.EHOSTUNREACH:
        outcome = TcpOutcome.UNREACHABLE
    else:
        outcome = TcpOutcome.ERROR
    return TcpResult(endpoint.address, endpoint.port, False, outcome, describe_os_error(error),
                     duration_ms, retries=retries)
