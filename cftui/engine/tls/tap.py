"""Record every TLS record of the real handshake, both ways, as `s_client -msg` shows them.

pyOpenSSL on a socket lets OpenSSL read and write the file descriptor itself, so
nothing can watch the bytes. `TappedConnection` gives OpenSSL memory BIOs instead
and moves the bytes between them and the socket, so each chunk passes through
`WireLog`, which cuts it into records and decodes what is in the clear with
cftui's own parser (`tls/flight.py`). After a ChangeCipherSpec a direction is
encrypted: its records are counted, never kept. The socket stays non-blocking,
and a `Watchdog` that shuts it down still ends every call.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from OpenSSL import SSL

from cftui.engine import profile
from cftui.engine.net.connect import wait_for
from cftui.engine.results import WireRecord
from cftui.engine.tls.flight import (
    MAX_RECORD,
    ParseError,
    parse_certificate,
    parse_server_hello,
)
from cftui.engine.tls.handshake import Deadline
from cftui.engine.tls.registry import (
    AlertLevel,
    ContentType,
    HandshakeType,
    alert_name,
    handshake_name,
    lookup,
)

#: Records kept per connection; later ones are only counted.
MAX_WIRE_RECORDS = 64
#: Bytes read from or written to the socket in one go.
CHUNK = 16384
class _Stream:
    """One direction: a partial record, and whether it is encrypted yet."""

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.pending = bytearray()
        self.encrypted = False
        self.message_left = 0  # bytes of a handshake message that go on in later records
        self.broken = False  # not TLS records: stop cutting


class WireLog:
    """Records seen on one connection, in the order they crossed the wire (bounded)."""

    def __init__(self, limit: int = MAX_WIRE_RECORDS) -> None:
        self.records: list[WireRecord] = []
        self.dropped = 0
        self._limit = limit
        self._streams = {"client": _Stream("client"), "origin": _Stream("origin")}

    def feed(self, sender: str, data: bytes) -> None:
        stream = self._streams[sender]
        if stream.broken:
            return
        stream.pending += data
        while len(stream.pending) >= 5:
            kind, version = stream.pending[0], int.from_bytes(stream.pending[1:3], "big")
            length = int.from_bytes(stream.pending[3:5], "big")
            if lookup(ContentType, kind) is None or length > MAX_RECORD:
                stream.broken = True
                self._add(WireRecord(sender, kind, version, len(stream.pending),
                                     note="not a TLS record: stopped decoding this direction"))
                stream.pending.clear()
                return
            if len(stream.pending) < 5 + length:
                return  # the rest of the record comes with a later chunk
            fragment = bytes(stream.pending[5:5 + length])
            del stream.pending[:5 + length]
            self._add(self._decode(stream, kind, version, fragment))

    def _add(self, record: WireRecord) -> None:
        if len(self.records) < self._limit:
            self.records.append(record)
        else:
            self.dropped += 1

    def _decode(self, stream: _Stream, kind: int, version: int, fragment: bytes) -> WireRecord:
        def record(messages: tuple[str, ...] = (), note: str = "",
                   encrypted: bool = False) -> WireRecord:
            return WireRecord(stream.sender, kind, version, len(fragment), messages, note,
                              encrypted)

        if kind == ContentType.CHANGE_CIPHER_SPEC:
            stream.encrypted = True
            return record(note="the rest of this direction is encrypted")
        if stream.encrypted or kind == ContentType.APPLICATION_DATA:
            if kind == ContentType.HANDSHAKE:
                return record(("Finished",) if stream.message_left == 0 else (),
                              "encrypted", True)
            if kind == ContentType.ALERT:
                return record(note="encrypted alert", encrypted=True)
            return record(note="encrypted application data", encrypted=True)
        if kind == ContentType.ALERT:
            if len(fragment) != 2:
                return record(note=f"malformed alert of {len(fragment)} bytes")
            level = lookup(AlertLevel, fragment[0])
            level_text = level.name.lower() if level else f"level {fragment[0]}"
            return record(note=f"{level_text} {alert_name(fragment[1])}")
        return self._handshake(stream, record, version, fragment)

    def _handshake(self, stream: _Stream, record: Callable[..., WireRecord], version: int,
                   fragment: bytes) -> WireRecord:
        messages: list[str] = []
        notes: list[str] = []
        at = min(stream.message_left, len(fragment))
        stream.message_left -= at
        if at:
            notes.append(f"{at} bytes continuing the previous message")
        while at + 4 <= len(fragment):
            msg_type = fragment[at]
            size = int.from_bytes(fragment[at + 1:at + 4], "big")
            body = fragment[at + 4:at + 4 + size]
            messages.append(handshake_name(msg_type))
            if len(body) < size:
                stream.message_left = size - len(body)
                notes.append(f"{handshake_name(msg_type)} of {size} bytes goes on "
                             "in the next record")
            elif note := _message_note(stream.sender, msg_type, body, version):
                notes.append(note)
            at += 4 + size
        if 0 < len(fragment) - at < 4:
            notes.append("a handshake header split across records")
            stream.broken = True  # a rare split that this simple walk does not follow
        return record(tuple(messages), "; ".join(notes))


def _message_note(sender: str, msg_type: int, body: bytes, version: int) -> str:
    """A short decoded note for one complete clear-text handshake message."""
    try:
        if msg_type == HandshakeType.SERVER_HELLO:
            hello = parse_server_hello(body)
            return (f"{profile.version_name(hello.version)}, "
                    f"{profile.suite_name(hello.cipher_suite)}")
        if msg_type == HandshakeType.CERTIFICATE:
            chain = parse_certificate(body)
            if not chain:
                return ("empty: no client certificate" if sender == "client"
                        else "empty: no certificate")
            return f"{len(chain)} certificate{'s' if len(chain) != 1 else ''}"
        if msg_type == HandshakeType.CLIENT_HELLO and len(body) >= 2:
            return f"offers up to {profile.version_name(int.from_bytes(body[:2], 'big'))}"
    except ParseError as exc:
        return f"malformed: {exc}"
    if msg_type in (HandshakeType.CLIENT_KEY_EXCHANGE, HandshakeType.SERVER_KEY_EXCHANGE,
                    HandshakeType.CERTIFICATE_REQUEST, HandshakeType.CERTIFICATE_VERIFY):
        return f"{len(body)} bytes"
    return ""


class TappedConnection(SSL.Connection):
    """An `SSL.Connection` over memory BIOs that moves the bytes to and from `sock`
    itself, recording them in `wire`. Same calls and errors as a socket-based one:
    WantReadError when the socket has nothing yet, SysCallError for socket errors."""

    def __init__(self, ctx: SSL.Context, sock: socket.socket, wire: WireLog, *,
                 write_stall: float, cancel: threading.Event | None = None) -> None:
        super().__init__(ctx, None)
        self.sock = sock
        self.wire = wire
        self._out = bytearray()
        self._eof = False
        self._write_stall = write_stall
        self._cancel = cancel

    def fileno(self) -> int:
        return self.sock.fileno()

    def do_handshake(self) -> None:
        self._pump(super().do_handshake)

    def send(self, buf: Any, flags: int = 0) -> int:
        sent: int = self._pump(super().send, buf, flags)
        return sent

    def recv(self, bufsiz: int, flags: int | None = None) -> bytes:
        data: bytes = self._pump(super().recv, bufsiz, flags)
        return data

    def _pump(self, call: Callable[..., Any], *args: Any) -> Any:
        while True:
            try:
                answer = call(*args)
            except SSL.WantReadError:
                self._flush()
                if self._fill():
                    continue
                raise
            except SSL.Error:
                with contextlib.suppress(OSError, SSL.Error, Deadline):
                    self._flush()  # the alert OpenSSL sends on the way out
                raise
            self._flush()
            return answer

    def _fill(self) -> bool:
        """Move what the socket has into OpenSSL; False when it has nothing yet."""
        if self._eof:
            raise SSL.SysCallError(-1, "Unexpected EOF")
        try:
            data = self.sock.recv(CHUNK)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as exc:
            raise SSL.SysCallError(exc.errno, errno.errorcode.get(exc.errno or 0, str(exc))
                                   ) from exc
        if not data:
            self._eof = True
            self.bio_shutdown()
            return True
        self.wire.feed("origin", data)
        self.bio_write(data)
        return True

    def _flush(self) -> None:
        """Send everything OpenSSL has written, waiting for the socket when it is full."""
        while True:
            try:
                data = self.bio_read(CHUNK)
            except SSL.WantReadError:
                break
            self.wire.feed("client", data)
            self._out += data
        deadline = time.monotonic() + self._write_stall
        while self._out:
            try:
                sent = self.sock.send(self._out)
            except (BlockingIOError, InterruptedError):
                if not wait_for(self.sock, deadline, write=True, cancel=self._cancel):
                    raise Deadline from None
                continue
            except OSError as exc:
                raise SSL.SysCallError(exc.errno, errno.errorcode.get(exc.errno or 0,
                                                                      str(exc))) from exc
            del self._out[:sent]
