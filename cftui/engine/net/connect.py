"""A TCP connection to one origin address, within a deadline, and OS errors in words."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass


class Cancelled(Exception):
    """The caller's cancel event was set."""


@dataclass(frozen=True)
class Endpoint:
    address: str
    port: int
    connect_timeout: float
    read_timeout: float  # for the whole first flight


def connect(endpoint: Endpoint) -> socket.socket:
    """A TCP connection within the connect timeout; raises OSError (incl. TimeoutError)."""
    family = socket.AF_INET6 if ":" in endpoint.address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(endpoint.connect_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.connect((endpoint.address, endpoint.port))
    except BaseException:
        sock.close()
        raise
    return sock


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
