"""Pure: the OpenSSL error lines `openssl s_client` (3.0.19) prints for an attempt.

Error lines are the ones seen against loopback peers that misbehave that way; an
attempt that s_client would not complain about gets none.
"""

from __future__ import annotations

import errno
import os

from cftui.engine.model import Outcome, ProtocolAttempt
from cftui.engine.tls.registry import AlertDescription, alert_reason

#: Stands in for the thread id OpenSSL puts at the start of its error lines.
THREAD_ID = "40E7C1B2DE7F0000"


def _ssl_error(code: int, function: str, reason: str, where: str) -> str:
    return (f"{THREAD_ID}:error:{0x0A000000 | code:08X}:SSL routines:{function}:{reason}:"
            f"../ssl/{where}:")


_EOF = _ssl_error(0x126, "ssl3_read_n", "unexpected eof while reading", "record/rec_layer_s3.c:318")
_UNEXPECTED = _ssl_error(0xF4, "ssl3_read_bytes", "unexpected message",
                         "record/rec_layer_s3.c:1538")
_WRONG_VERSION = _ssl_error(0x10B, "ssl3_get_record", "wrong version number",
                            "record/ssl3_record.c:350")
_HTTP_REQUEST = _ssl_error(0x9C, "ssl3_get_record", "http request", "record/ssl3_record.c:341")
_PROXY_REQUEST = _ssl_error(0x9B, "ssl3_get_record", "https proxy request",
                            "record/ssl3_record.c:344")
_UNSUPPORTED = _ssl_error(0x102, "ssl_choose_client_version", "unsupported protocol",
                          "statem/statem_lib.c:1952")
_WRONG_CIPHER = _ssl_error(0x105, "set_client_ciphersuite", "wrong cipher returned",
                           "statem/statem_clnt.c:1326")
#: probe.describe_os_error() words -> errno; other errors come as os.strerror() text.
_CONNECT_ERRNO = {"connection refused": errno.ECONNREFUSED, "timed out": errno.ETIMEDOUT,
                  "no route to host": errno.EHOSTUNREACH,
                  "connection reset by peer": errno.ECONNRESET}


def connect_error(attempt: ProtocolAttempt) -> list[str]:
    """s_client's lines for a failed connect (sample 17); none when the errno is unknown."""
    error = (attempt.error or "").lower()
    number = _CONNECT_ERRNO.get(error) or next(
        (n for n in errno.errorcode if os.strerror(n).lower() == error), None)
    if number is None:
        return []
    return [f"{THREAD_ID}:error:{0x80000000 | number:08X}:system library:BIO_connect:"
            f"{os.strerror(number)}:../crypto/bio/bio_sock2.c:117:calling connect()",
            f"{THREAD_ID}:error:10000067:BIO routines:BIO_connect:connect error:"
            "../crypto/bio/bio_sock2.c:119:",
            f"connect:errno={number}"]


def _rejected_hello(attempt: ProtocolAttempt) -> str | None:
    """The OpenSSL error for a ServerHello s_client refuses, if it refuses it."""
    hello = attempt.server_hello
    if hello is None or attempt.accepted or hello.is_hello_retry_request:
        return None
    if hello.selected_version != attempt.protocol.wire:
        return _UNSUPPORTED
    return _WRONG_CIPHER


def error_lines(attempt: ProtocolAttempt) -> list[str]:
    """The error lines s_client prints after CONNECTED(…) for a connected attempt."""
    flight = attempt.flight
    rejected = _rejected_hello(attempt)
    if rejected is not None:
        return [rejected]
    if flight is None:
        return []
    outcome = attempt.outcome
    if outcome is Outcome.ALERT and flight.alert is not None:
        alert = flight.alert
        if alert.description == AlertDescription.CLOSE_NOTIFY or not alert.fatal:
            return []
        return [_ssl_error(1000 + alert.description, "ssl3_read_bytes",
                           alert_reason(alert.description), "record/rec_layer_s3.c:1601")
                + f"SSL alert number {alert.description}"]
    if outcome is Outcome.NOT_TLS:
        return [_not_tls_error(flight.first_bytes)]
    if outcome is Outcome.MALFORMED and flight.server_hello is None and flight.first_bytes[:1] in (
            b"\x14", b"\x17"):  # ChangeCipherSpec or application data before ServerHello
        return [_UNEXPECTED]
    if outcome is Outcome.CLOSED or flight.error == "truncated record":
        return [_EOF]
    if outcome is Outcome.RESET:
        return ["write:errno=104"]
    return []


def _not_tls_error(first: bytes) -> str:
    if len(first) < 5:
        return _EOF
    if first[1] != 3:
        if first.startswith((b"GET ", b"POST ", b"HEAD ", b"PUT ")):
            return _HTTP_REQUEST
        if first.startswith(b"CONNE"):
            return _PROXY_REQUEST
        return _WRONG_VERSION
    return _UNEXPECTED
