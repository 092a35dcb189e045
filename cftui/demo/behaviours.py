"""What a loopback server does with a connection: socket helpers and raw behaviours.

A `Behaviour` takes the accepted socket; `RawPeer` (in `servers`) hands each
connection to one; `TlsOrigin` uses the same helpers after its handshake.
"""

from __future__ import annotations

import contextlib
import http
import socket
import ssl
import struct
import threading
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]


def read_head(sock: socket.socket, limit: int = 65536) -> bytes:
    """Read until the end of an HTTP request head, EOF, or `limit` bytes."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def http_response(status: int = 200, body: bytes = b"ok\n") -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("ascii") + body


def drain(sock: socket.socket, stopping: threading.Event | None = None,
          seconds: float | None = None) -> None:
    """Read and discard until EOF, an error, `stopping`, or `seconds` have passed."""
    sock.settimeout(0.25)
    rounds = None if seconds is None else max(1, int(seconds / 0.25))
    while not (stopping and stopping.is_set()) and (rounds is None or rounds > 0):
        try:
            if not sock.recv(65536):
                return
        except TimeoutError:
            if rounds is not None:
                rounds -= 1
        except (OSError, ValueError):
            return


def finish(sock: socket.socket, stopping: threading.Event | None = None) -> None:
    """Close politely: close_notify for TLS, then FIN, then drain briefly (no RST)."""
    if isinstance(sock, ssl.SSLSocket):
        sock.settimeout(1.0)
        with contextlib.suppress(OSError, ValueError):
            sock = sock.unwrap()
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
    drain(sock, stopping, seconds=1.0)
    sock.close()


def send_bytes(data: bytes, *, read_first: bool = True) -> Behaviour:
    """Behaviour: (read what the client sends first, then) send `data`, then close."""

    def behave(sock: socket.socket) -> None:
        if read_first:
            sock.recv(65536)
        sock.sendall(data)
        finish(sock)

    return behave


def reset_after_read() -> Behaviour:
    """Behaviour: read the client's first bytes (its ClientHello), then send a TCP RST."""

    def behave(sock: socket.socket) -> None:
        sock.recv(65536)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    return behave


def never_answer() -> Behaviour:
    """Behaviour: read and ignore everything, answer nothing, until the client or stop closes."""

    def behave(sock: socket.socket) -> None:
        drain(sock)

    return behave


def close_immediately() -> Behaviour:
    """Behaviour: close the connection at once, before reading anything."""

    def behave(sock: socket.socket) -> None:
        sock.close()

    return behave
