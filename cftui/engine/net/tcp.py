"""Open a TCP connection to the origin's HTTPS port, as CloudFront's first step: what
the connection (made on the probe loop, tried again like CloudFront) means."""

from __future__ import annotations

import errno
import socket

from cftui.engine.net.connect import Endpoint, describe_os_error
from cftui.engine.results import TcpOutcome, TcpResult

#: Errors that speak of this machine's own network (typically: no IPv6 route on the
#: bastion), not of the origin.
NO_ROUTE_HERE = frozenset({errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT})


def tcp_result(endpoint: Endpoint, error: OSError | None, duration_ms: float,
               retries: tuple[str, ...] = ()) -> TcpResult:
    """Refused (RST: CloudFront answers 502) and silently dropped (504) differ; `retries`
    says what the tries before the last one saw."""
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
