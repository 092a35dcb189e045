"""One connection, one ClientHello: send it and read the origin's first flight."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

from cftui.engine.model import FlightEnd, Outcome, ProtocolAttempt, Purpose, ServerFlight
from cftui.engine.net.connect import (
    RETRYABLE,
    Endpoint,
    connect,
    describe_os_error,
    wait_for,
)
from cftui.engine.tls import hello as hello_mod
from cftui.engine.tls.flight import MAX_FLIGHT, FlightParser, NotTls, ParseError

READ_CHUNK = 16 * 1024


def read_flight(sock: socket.socket, deadline: float,
                cancel: threading.Event | None = None) -> tuple[ServerFlight, Outcome]:
    """Read until the first flight is complete, the peer stops, or the deadline passes.
    Raises Cancelled when `cancel` is set meanwhile."""
    parser = FlightParser()
    try:
        while not parser.done:
            if not wait_for(sock, deadline, cancel=cancel):
                return parser.result(FlightEnd.TIMEOUT, "timed out"), Outcome.TIMEOUT
            data = sock.recv(READ_CHUNK)
            if not data:
                if parser.bytes_read and not parser.messages and parser.buffer:
                    return (parser.result(FlightEnd.MALFORMED, "truncated record"),
                            Outcome.MALFORMED)
                return parser.result(FlightEnd.CLOSED, "connection closed"), Outcome.CLOSED
            parser.feed(data)
    except NotTls as exc:
        return parser.result(FlightEnd.NOT_TLS, str(exc)), Outcome.NOT_TLS
    except ParseError as exc:
        return parser.result(FlightEnd.MALFORMED, str(exc)), Outcome.MALFORMED
    except TimeoutError:
        return parser.result(FlightEnd.TIMEOUT, "timed out"), Outcome.TIMEOUT
    except OSError as exc:
        return parser.result(FlightEnd.RESET, describe_os_error(exc)), Outcome.RESET
    flight = parser.result()
    if flight.end is FlightEnd.ALERT:
        return flight, Outcome.ALERT
    if flight.end is FlightEnd.TOO_LARGE:
        return parser.result(error=f"first flight over {MAX_FLIGHT} bytes"), Outcome.MALFORMED
    if flight.server_hello is not None:
        return flight, Outcome.SERVER_HELLO
    return flight, Outcome.CLOSED


def attempt(endpoint: Endpoint, spec: hello_mod.HelloSpec, purpose: Purpose) -> ProtocolAttempt:
    """Connect, send the ClientHello for `spec`, read the first flight, close. A
    connection refused, or reset before the origin sent a byte, is tried again up to
    `endpoint.attempts` times, as CloudFront would; `retries` keeps what those saw."""
    record = hello_mod.client_hello(spec)  # the same bytes for every try
    result, retries = endpoint.retry(
        lambda: _attempt_once(endpoint, spec, record, purpose),
        lambda r: (r.outcome in (Outcome.RESET, Outcome.CONNECT_FAILED)
                   and r.bytes_read == 0 and r.error in RETRYABLE),
        lambda r: r.error)
    return replace(result, retries=retries) if retries else result


def _attempt_once(endpoint: Endpoint, spec: hello_mod.HelloSpec, record: bytes,
                  purpose: Purpose) -> ProtocolAttempt:
    started_at = time.time()
    start = time.monotonic()

    def done(outcome: Outcome, flight: ServerFlight | None = None,
             error: str | None = None) -> ProtocolAttempt:
        return ProtocolAttempt(
            protocol=spec.protocol, address=endpoint.address, port=endpoint.port,
            sni=spec.sni, purpose=purpose, offered=spec.suites, client_hello=record,
            outcome=outcome, flight=flight, error=error,
            duration_ms=(time.monotonic() - start) * 1000, started_at=started_at, spec=spec,
        )

    try:
        sock = connect(endpoint)
    except OSError as exc:
        return done(Outcome.CONNECT_FAILED, error=describe_os_error(exc))
    try:
        try:
            sock.sendall(record)
        except OSError as exc:
            return done(Outcome.RESET, error=describe_os_error(exc))
        deadline = time.monotonic() + endpoint.read_timeout
        flight, outcome = read_flight(sock, deadline, endpoint.cancel)
        return done(outcome, flight, flight.error if outcome is not Outcome.SERVER_HELLO
                    else None)
    finally:
        _abort(sock)


def _abort(sock: socket.socket) -> None:
    """Close without lingering; we never finish these handshakes."""
    sock.close()
