"""One connection, one ClientHello: send it and read the origin's first flight.

`first_flight_end` says what each chunk the origin sends means for the attempt, for
the probe loop (tls/loop.py), which makes every probe connection.
"""

from __future__ import annotations

from cftui.engine.model import FlightEnd, Outcome, ProtocolAttempt, Purpose, ServerFlight
from cftui.engine.net.connect import RETRYABLE, Endpoint, describe_os_error
from cftui.engine.tls import hello as hello_mod
from cftui.engine.tls.flight import MAX_FLIGHT, FlightParser, NotTls, ParseError

READ_CHUNK = 16 * 1024

FlightEnd_ = tuple[ServerFlight, Outcome]


def first_flight_end(parser: FlightParser, data: bytes) -> FlightEnd_ | None:
    """Feed one chunk (b"" when the origin closed); the attempt's end, or None while
    the first flight goes on."""
    if not data:
        if parser.bytes_read and not parser.messages and parser.buffer:
            return parser.result(FlightEnd.MALFORMED, "truncated record"), Outcome.MALFORMED
        return parser.result(FlightEnd.CLOSED, "connection closed"), Outcome.CLOSED
    try:
        parser.feed(data)
    except NotTls as exc:
        return parser.result(FlightEnd.NOT_TLS, str(exc)), Outcome.NOT_TLS
    except ParseError as exc:
        return parser.result(FlightEnd.MALFORMED, str(exc)), Outcome.MALFORMED
    if not parser.done:
        return None
    flight = parser.result()
    if flight.end is FlightEnd.ALERT:
        return flight, Outcome.ALERT
    if flight.end is FlightEnd.TOO_LARGE:
        return parser.result(error=f"first flight over {MAX_FLIGHT} bytes"), Outcome.MALFORMED
    if flight.server_hello is not None:
        return flight, Outcome.SERVER_HELLO
    return flight, Outcome.CLOSED


def retryable(a: ProtocolAttempt) -> bool:
    """What CloudFront tries again: refused or reset before the origin sent a byte."""
    return (a.outcome in (Outcome.RESET, Outcome.CONNECT_FAILED) and a.bytes_read == 0
            and a.error in RETRYABLE)


def timed_out(parser: FlightParser) -> FlightEnd_:
    return parser.result(FlightEnd.TIMEOUT, "timed out"), Outcome.TIMEOUT


def reset(parser: FlightParser, exc: OSError) -> FlightEnd_:
    if isinstance(exc, TimeoutError):  # ETIMEDOUT from the kernel (retransmissions gave up)
        return timed_out(parser)
    return parser.result(FlightEnd.RESET, describe_os_error(exc)), Outcome.RESET


def attempt(endpoint: Endpoint, spec: hello_mod.HelloSpec, purpose: Purpose) -> ProtocolAttempt:
    """Connect, send the ClientHello for `spec`, read the first flight, close (on the
    process's probe loop). A connection refused, or reset before the origin sent a
    byte, is tried again up to `endpoint.attempts` times, as CloudFront would;
    `retries` keeps what those saw. Raises Cancelled."""
    from cftui.engine.tls.loop import probe_loop

    return probe_loop().run(endpoint, spec, purpose)
