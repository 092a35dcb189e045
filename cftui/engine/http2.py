"""One GET over HTTP/2 on an established TLS connection, as CloudFront sends it when
OriginHttpVersion is http2 and the origin picked `h2` in ALPN.

Imported only when http2 is configured: the `h2` library (hyper's HTTP/2 state
machine) is not loaded otherwise. The caller owns the socket, its deadline watchdog
and the mapping to an HttpResult; this module speaks frames and reports what came back.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from OpenSSL import SSL

from cftui.engine import body
from cftui.engine.profile import Protocol
from cftui.engine.tls.handshake import recv, send_all

#: What is read before the final response headers, whatever the frames (SETTINGS,
#: PING, padding…), beyond which the origin is not answering: a memory bound.
READ_CAP = 1 << 20
_SETTINGS = 0x4  # frame type (RFC 9113 §6.5)


class H2Failure(Exception):
    """The origin's HTTP/2 answer is unusable. `outcome` is an HttpOutcome value:
    "closed", "not-http" or "too-large"; the message says why."""

    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome


@dataclass
class _Stream:
    """Stream 1 after its response headers: the body so far, for `read_body`."""

    h2conn: h2.connection.H2Connection
    body: int = 0
    ended: bool = False
    note: str | None = None  # why the body stopped short

    def take(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.DataReceived):
            self.body += len(event.data or b"")
            self.h2conn.acknowledge_received_data(event.flow_controlled_length or 0, 1)
        elif isinstance(event, h2.events.StreamEnded):
            self.ended = True
        elif isinstance(event, h2.events.StreamReset):
            self.note = f"the origin reset the stream ({_code_name(event.error_code)}) " \
                f"after {self.body} body bytes"
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.note = f"the origin sent GOAWAY ({_code_name(event.error_code)}) " \
                f"after {self.body} body bytes"


@dataclass(frozen=True)
class H2Response:
    status: int
    headers: tuple[tuple[str, str], ...]  # without pseudo-headers, as sent
    first_byte_ms: float | None
    stream: _Stream = field(repr=False, compare=False)


def request_headers(host: str, path: str) -> list[tuple[str, str]]:
    return [(":method", "GET"), (":scheme", "https"), (":authority", host), (":path", path),
            ("user-agent", "Amazon CloudFront"), ("accept", "*/*")]


def get(conn: SSL.Connection, *, host: str, path: str, deadline: float, limit: int,
        cancel: threading.Event | None = None) -> H2Response:
    """Send the connection preface and GET on stream 1, and read up to the final
    response headers (1xx skipped). Raises H2Failure, or Deadline / Cancelled from
    `wait`, or SSL.Error from the connection."""
    version = conn.get_protocol_version_name()
    if conn.get_protocol_version() < Protocol.TLSv1_2.wire:
        # RFC 9113 §9.2: HTTP/2 over TLS needs TLS 1.2 or later; a client must treat
        # anything less as a connection error (INADEQUATE_SECURITY)
        raise H2Failure("not-http", f"the origin chose HTTP/2 over {version}; HTTP/2 needs "
                        "TLS 1.2 or later")
    config = h2.config.H2Configuration(client_side=True, header_encoding=None)
    h2conn = h2.connection.H2Connection(config=config)
    codes = h2.settings.SettingCodes
    h2conn.local_settings = h2.settings.Settings(client=True, initial_values={
        codes.MAX_HEADER_LIST_SIZE: limit, codes.ENABLE_PUSH: 0})
    # hpack's own cap (name + value + 32 per header, RFC 7541) stops a huge block while
    # it is decoded; the HTTP/1.1-style count against `limit` follows on the result
    h2conn.decoder.max_header_list_size = limit * 2
    h2conn.initiate_connection()
    h2conn.send_headers(1, request_headers(host, path), end_stream=True)
    send_all(conn, h2conn.data_to_send(), deadline, cancel)
    start = time.monotonic()
    first: float | None = None
    preface: bytes | None = b""  # the origin's first bytes until a frame header is whole
    received = 0
    while True:
        chunk = recv(conn, deadline, cancel)
        if not chunk:
            raise H2Failure("closed", "connection closed before any response" if first is None
                            else "connection closed before the HTTP/2 response headers")
        if first is None:
            first = (time.monotonic() - start) * 1000
        received += len(chunk)
        if received > READ_CAP:
            raise H2Failure("too-large", f"over {READ_CAP} bytes of HTTP/2 frames and no "
                            "response headers")
        if preface is not None:
            preface += chunk
            if len(preface) < 9:
                continue
            _check_first_frame(preface)
            chunk, preface = preface, None
        try:
            events = h2conn.receive_data(chunk)
        except h2.exceptions.DenialOfServiceError as exc:
            raise H2Failure("too-large", f"HTTP/2 header block over {limit} bytes ({exc})"
                            ) from None
        except h2.exceptions.ProtocolError as exc:
            raise H2Failure("not-http", f"HTTP/2 protocol error: {exc}") from None
        answer: H2Response | None = None
        for event in events:
            if answer is not None:
                answer.stream.take(event)  # DATA that came with the headers
            elif (answer := _response(event, limit, first, h2conn)) is not None:
                continue
        # SETTINGS ACK, PING ACK, WINDOW_UPDATE
        send_all(conn, h2conn.data_to_send(), deadline, cancel)
        if answer is not None:
            return answer


def read_body(conn: SSL.Connection, answer: H2Response, *, completion_deadline: float,
              read_timeout: float, cap: int, cancel: threading.Event | None = None
              ) -> tuple[int, str | None]:
    """Read stream 1's DATA to END_STREAM (or `cap` bytes) by `completion_deadline`,
    `read_timeout` bounding each wait. Returns (body bytes, note when it stopped short);
    raises Deadline, Cancelled or SSL.Error."""
    stream = answer.stream
    while not stream.ended and stream.note is None:
        if stream.body >= cap:
            return stream.body, body.capped(cap)
        gap_deadline = min(completion_deadline, time.monotonic() + read_timeout)
        chunk = recv(conn, gap_deadline, cancel)
        if not chunk:
            return stream.body, body.closed_after(stream.body)
        try:
            for event in stream.h2conn.receive_data(chunk):
                stream.take(event)
        except h2.exceptions.ProtocolError as exc:
            return stream.body, f"HTTP/2 protocol error after {stream.body} body bytes: {exc}"
        send_all(conn, stream.h2conn.data_to_send(), gap_deadline, cancel)
    return stream.body, stream.note


def _check_first_frame(data: bytes) -> None:
    """The server's connection preface is a SETTINGS frame (RFC 9113 §3.4)."""
    if data[3] == _SETTINGS and not data[4] & 0x1 and not int.from_bytes(data[5:9], "big"):
        return
    if data.startswith(b"HTTP/"):
        line = data.split(b"\n", 1)[0][:80].decode("latin-1").strip()
        raise H2Failure("not-http", f"the origin picked h2 in ALPN but answers HTTP/1: "
                        f"{line!r}, not a SETTINGS frame")
    raise H2Failure("not-http", "the origin's first HTTP/2 frame is not SETTINGS "
                    f"(first bytes {data[:9].hex()})")


def _response(event: h2.events.Event, limit: int, first: float | None,
              h2conn: h2.connection.H2Connection) -> H2Response | None:
    """The final response from an event; None to keep reading; H2Failure when the
    origin ends the stream or the connection first."""
    if isinstance(event, h2.events.ConnectionTerminated):
        code = _code_name(event.error_code)
        extra = (event.additional_data or b"")[:80].decode("latin-1", "replace")
        raise H2Failure("not-http", f"the origin sent GOAWAY ({code}) before the response"
                        + (f": {extra!r}" if extra else ""))
    if isinstance(event, h2.events.StreamReset):
        raise H2Failure("not-http", "the origin reset the request stream (RST_STREAM "
                        f"{_code_name(event.error_code)}) before the response")
    if not isinstance(event, h2.events.ResponseReceived):
        return None  # 1xx (InformationalResponseReceived), settings, pings, window updates
    raw = [(bytes(n).decode("latin-1"), bytes(v).decode("latin-1"))
           for n, v in event.headers or ()]
    status = next((v for n, v in raw if n == ":status"), "")
    headers = tuple((n, v) for n, v in raw if not n.startswith(":"))
    size = len(f"HTTP/2 {status}\r\n\r\n") + sum(len(n) + len(v) + 4 for n, v in headers)
    if size > limit:
        raise H2Failure("too-large", f"response head over {limit} bytes ({size} as "
                        "HTTP/1.1 would count it)")
    if not (status.isascii() and status.isdigit() and len(status) == 3) or \
            not 100 <= int(status) <= 599 or status == "101":
        raise H2Failure("not-http", f"the answer is not a usable HTTP response: invalid "
                        f":status {status[:20]!r}")
    return H2Response(int(status), headers, first, _Stream(h2conn))


def _code_name(code: object) -> str:
    name = getattr(code, "name", None)
    return str(name) if name else f"error code {code}"
