"""Hostile loopback peers: raw sockets that read a ClientHello and answer with crafted bytes.

The bytes are built with `struct` the way a TLS server would send them (ServerHello,
Certificate with real DER from the test PKI, ServerHelloDone), then each peer
misbehaves in its own way. A peer is a `Step`: it gets the accepted socket and the
server's `stopping` event, and every loop in it is bounded by a count and by that
event, so a server always stops at teardown.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cftui.engine import profile

Step = Callable[[socket.socket, threading.Event], None]

#: The most a TLSPlaintext fragment may carry.
FRAGMENT = 2**14
#: Suites a server may never pick (signalling values, not suites).
_SCSV = frozenset({0x00FF, 0x5600})


# --- building TLS bytes ----------------------------------------------------------------


def record(content_type: int, body: bytes, version: int = 0x0303) -> bytes:
    """One record, header included; `body` is taken as is (any length up to 0xFFFF)."""
    return struct.pack("!BHH", content_type, version, len(body)) + body


def records(content_type: int, payload: bytes, version: int = 0x0303,
            size: int = FRAGMENT) -> bytes:
    """`payload` framed into records of at most `size` bytes, as a server would send it."""
    return b"".join(record(content_type, payload[i : i + size], version)
                    for i in range(0, len(payload), size))


def handshake(msg_type: int, body: bytes) -> bytes:
    return struct.pack("!B", msg_type) + len(body).to_bytes(3, "big") + body


def server_hello(version: int = 0x0303, suite: int = 0x009C, *, session_id: bytes = b"",
                 extensions: bytes | None = None, random: bytes | None = None) -> bytes:
    """A ServerHello handshake message (header included)."""
    random = random if random is not None else os.urandom(32)
    body = (struct.pack("!H", version) + random + struct.pack("!B", len(session_id))
            + session_id + struct.pack("!HB", suite, 0))
    if extensions is None:
        extensions = struct.pack("!HH", 0xFF01, 1) + b"\x00"  # renegotiation_info
    if extensions:
        body += struct.pack("!H", len(extensions)) + extensions
    return handshake(2, body)


def certificate(ders: Iterable[bytes]) -> bytes:
    """A Certificate handshake message carrying these DER blobs, in order."""
    entries = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return handshake(11, len(entries).to_bytes(3, "big") + entries)


HELLO_DONE = handshake(14, b"")


def alert(level: int, description: int, version: int = 0x0303) -> bytes:
    return record(21, bytes((level, description)), version)


# --- reading the client's hello -----------------------------------------------------------


@dataclass(frozen=True)
class Hello:
    """The parts of a ClientHello a hostile server needs to answer it plausibly."""

    record_version: int
    legacy_version: int
    suites: tuple[int, ...]
    versions: tuple[int, ...] = ()  # supported_versions, when sent

    @property
    def version(self) -> int:
        """The version a TLS 1.2 server would answer with."""
        return min(max(self.versions or (self.legacy_version,)), 0x0303)

    def suite(self, prefer: str = "RSA") -> int:
        """The first offered suite with `prefer` key exchange, else the first real one."""
        real = [s for s in self.suites if s not in _SCSV]
        for code in real:
            known = profile.suite_by_code(code)
            if known is not None and known.key_exchange == prefer:
                return code
        return real[0] if real else 0x002F


def read_exact(sock: socket.socket, size: int, deadline: float) -> bytes:
    data = b""
    while len(data) < size:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_hello(sock: socket.socket, timeout: float = 3.0) -> Hello | None:
    """Read one ClientHello record (bounded); None if the client sent something else."""
    deadline = time.monotonic() + timeout
    head = read_exact(sock, 5, deadline)
    if len(head) < 5 or head[0] != 22:
        return None
    length = int.from_bytes(head[3:5], "big")
    body = read_exact(sock, length, deadline)
    try:
        return parse_client_hello(int.from_bytes(head[1:3], "big"), body)
    except (IndexError, ValueError):
        return None


def parse_client_hello(record_version: int, body: bytes) -> Hello | None:
    if len(body) < 4 or body[0] != 1:
        return None
    pos = 4
    legacy = int.from_bytes(body[pos : pos + 2], "big")
    pos += 2 + 32
    pos += 1 + body[pos]  # session id
    size = int.from_bytes(body[pos : pos + 2], "big")
    suites = tuple(int.from_bytes(body[i : i + 2], "big")
                   for i in range(pos + 2, pos + 2 + size, 2))
    pos += 2 + size
    pos += 1 + body[pos]  # compression methods
    versions: tuple[int, ...] = ()
    if pos + 2 <= len(body):
        end = min(len(body), pos + 2 + int.from_bytes(body[pos : pos + 2], "big"))
        pos += 2
        while pos + 4 <= end:
            type_ = int.from_bytes(body[pos : pos + 2], "big")
            ext_len = int.from_bytes(body[pos + 2 : pos + 4], "big")
            data = body[pos + 4 : pos + 4 + ext_len]
            if type_ == 43 and data:
                versions = tuple(int.from_bytes(data[i : i + 2], "big")
                                 for i in range(1, 1 + data[0], 2))
            pos += 4 + ext_len
    return Hello(record_version, legacy, suites, versions)


# --- the valid first flight ---------------------------------------------------------------


def good_flight(hello: Hello, ders: Sequence[bytes], *, suite: int | None = None,
                version: int | None = None) -> bytes:
    """ServerHello, Certificate, ServerHelloDone for this hello, framed in records."""
    version = version if version is not None else hello.version
    messages = (server_hello(version, suite if suite is not None else hello.suite())
                + certificate(ders) + HELLO_DONE)
    return records(22, messages, version)


# --- misbehaving peers ---------------------------------------------------------------------


def quietly(step: Step) -> Step:
    """Run `step`; the client hanging up on a hostile peer is expected, not an error."""

    def run(sock: socket.socket, stopping: threading.Event) -> None:
        with contextlib.suppress(OSError):
            step(sock, stopping)

    return run


def rst(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def hold(sock: socket.socket, stopping: threading.Event, seconds: float = 30.0) -> None:
    """Keep the connection open, reading and ignoring, until the client leaves or stop."""
    sock.settimeout(0.2)
    for _ in range(int(seconds / 0.2)):
        if stopping.is_set():
            return
        try:
            if not sock.recv(65536):
                return
        except TimeoutError:
            continue


def answer(build: Callable[[Hello], bytes], then: str = "close") -> Step:
    """Read the ClientHello, send `build(hello)`, then "close" (FIN), "reset" or "hold"."""

    def step(sock: socket.socket, stopping: threading.Event) -> None:
        hello = read_hello(sock)
        if hello is None:
            return
        sock.sendall(build(hello))
        if then == "reset":
            rst(sock)
        elif then == "hold":
            hold(sock, stopping)
        else:
            sock.shutdown(socket.SHUT_WR)
            hold(sock, stopping, seconds=2.0)

    return quietly(step)


def trickle(build: Callable[[Hello], bytes], interval: float = 1.0,
            limit: int = 120) -> Step:
    """Slowloris: read the ClientHello, then send the answer one byte per `interval`."""

    def step(sock: socket.socket, stopping: threading.Event) -> None:
        hello = read_hello(sock)
        if hello is None:
            return
        for byte in build(hello)[:limit]:
            sock.sendall(bytes((byte,)))
            if stopping.wait(interval):
                return

    return quietly(step)


def flood(build: Callable[[Hello], bytes], unit: bytes, limit: int = 200_000) -> Step:
    """Send `build(hello)`, then `unit` again and again until the client leaves (bounded)."""

    def step(sock: socket.socket, stopping: threading.Event) -> None:
        hello = read_hello(sock)
        if hello is None:
            return
        sock.sendall(build(hello))
        batch = unit * max(1, 4096 // max(1, len(unit)))
        for _ in range(limit):
            if stopping.is_set():
                return
            sock.sendall(batch)

    return quietly(step)


def banner(data: bytes) -> Step:
    """Speak first, before the client says anything (an SSH or SMTP server), then hold."""

    def step(sock: socket.socket, stopping: threading.Event) -> None:
        sock.sendall(data)
        hold(sock, stopping, seconds=5.0)

    return quietly(step)
