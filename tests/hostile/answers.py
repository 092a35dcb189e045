"""Crafted answers for the hostile-origin corpus: each builds the bytes a misbehaving
origin sends for the ClientHello it read (see `peers.answer`), or is a whole `Step`."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable

from peers import (
    HELLO_DONE,
    Hello,
    alert,
    certificate,
    good_flight,
    handshake,
    hold,
    read_hello,
    record,
    records,
    rst,
    server_hello,
)
from support import SessionPki

from cftui.engine.tls.flight import MAX_RECORD


def chain(pki: SessionPki) -> tuple[bytes, ...]:
    return (pki.leaf.der, pki.intermediate.der)


def hello_only(hello: Hello) -> bytes:
    return records(22, server_hello(hello.version, hello.suite()), hello.version)


def cut_certificate(pki: SessionPki) -> Callable[[Hello], bytes]:
    """ServerHello and the first half of the Certificate message."""

    def build(hello: Hello) -> bytes:
        message = server_hello(hello.version, hello.suite()) + certificate(chain(pki))
        return records(22, message[: len(message) // 2], hello.version)

    return build


def flight_of(pki: SessionPki, **options: int) -> Callable[[Hello], bytes]:
    return lambda hello: good_flight(hello, chain(pki), **options)


def truncated_record(_hello: Hello) -> bytes:
    """A record header announcing 100 bytes, followed by 50."""
    return struct.pack("!BHH", 22, 0x0303, 100) + b"\x02" * 50


def record_over_limit(hello: Hello) -> bytes:
    body = server_hello(hello.version, hello.suite())
    return struct.pack("!BHH", 22, 0x0303, MAX_RECORD + 1) + body


def handshake_longer_than_record(pki: SessionPki) -> Callable[[Hello], bytes]:
    """A ServerHello whose handshake length claims 200 more bytes than its record holds."""

    def build(hello: Hello) -> bytes:
        message = server_hello(hello.version, hello.suite())
        bad = message[:1] + (len(message) + 196).to_bytes(3, "big") + message[4:]
        return record(22, bad) + records(22, certificate(chain(pki)) + HELLO_DONE)

    return build


def unoffered_suite(pki: SessionPki) -> Callable[[Hello], bytes]:
    def build(hello: Hello) -> bytes:
        suite = next(s for s in (0x0005, 0x0004, 0xCCA8, 0x1301) if s not in hello.suites)
        return good_flight(hello, chain(pki), suite=suite)

    return build


def version_above_offer(pki: SessionPki) -> Callable[[Hello], bytes]:
    """Always one version newer than the client's highest, in supported_versions."""

    def build(hello: Hello) -> bytes:
        above = max(hello.versions or (hello.legacy_version,)) + 1
        ext = struct.pack("!HHH", 43, 2, above)
        message = server_hello(0x0303, hello.suite(), extensions=ext)
        return records(22, message + certificate(chain(pki)) + HELLO_DONE)

    return build


def tls13_answer_to_anything(hello: Hello) -> bytes:
    """A TLS 1.3 ServerHello whatever was offered (a stack that ignores the client)."""
    ext = struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HHHH", 51, 36, 0x001D, 32) + bytes(32)
    return record(22, server_hello(0x0303, 0x1301, session_id=bytes(32), extensions=ext))


def compression_not_offered(pki: SessionPki) -> Callable[[Hello], bytes]:
    def build(hello: Hello) -> bytes:
        message = bytearray(server_hello(hello.version, hello.suite()))
        message[4 + 2 + 32 + 1 + 2] = 1  # DEFLATE; CloudFront offers null compression only
        return records(22, bytes(message) + certificate(chain(pki)) + HELLO_DONE, hello.version)

    return build


def several_megabytes(pki: SessionPki) -> Callable[[Hello], bytes]:
    ders = (pki.leaf.der, *(pki.intermediate.der,) * 3000)  # about 3 MB

    def build(hello: Hello) -> bytes:
        return good_flight(hello, ders)

    return build


def unparseable_certificate(hello: Hello) -> bytes:
    junk = b"\x30\x82\x01\x00" + b"\x00" * 256  # a SEQUENCE of zeros: DER, not X.509
    return good_flight(hello, (junk,))


def empty_certificate_list(hello: Hello) -> bytes:
    return good_flight(hello, ())


def second_server_hello(hello: Hello) -> bytes:
    one = server_hello(hello.version, hello.suite())
    return records(22, one + one + HELLO_DONE, hello.version)


def data_before_hello(_hello: Hello) -> bytes:
    return record(23, b"\x00" * 40)


def long_session_id(hello: Hello) -> bytes:
    return records(22, server_hello(hello.version, hello.suite(), session_id=bytes(33))
                   + HELLO_DONE, hello.version)


def reset_after_client_hello(sock: socket.socket, _stopping: threading.Event) -> None:
    read_hello(sock)
    rst(sock)


def silent_forever(sock: socket.socket, stopping: threading.Event) -> None:
    read_hello(sock)
    hold(sock, stopping)


def close_at_once(sock: socket.socket, _stopping: threading.Event) -> None:
    sock.close()


# --- first flights a real client rejects (tls/conformance.py) ---------------------------

#: rsa_pkcs1_sha256, which CloudFront offers; rsa_pss_rsae_sha256, which it does not.
RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256 = 0x0401, 0x0804
X25519, BRAINPOOLP256R1 = 0x001D, 0x001A


def ecdhe_key_exchange(group: int = X25519, scheme: int | None = RSA_PKCS1_SHA256) -> bytes:
    """A ServerKeyExchange for an ECDHE suite (the signature is junk: nothing checks it
    before the client would abort)."""
    body = struct.pack("!BHB", 3, group, 32) + bytes(range(32))
    if scheme is not None:
        body += struct.pack("!H", scheme)
    return handshake(12, body + struct.pack("!H", 64) + b"\x5a" * 64)


def without_certificate(prefer: str) -> Callable[[Hello], bytes]:
    """ServerHello, (a ServerKeyExchange for ECDHE,) ServerHelloDone: no Certificate."""

    def build(hello: Hello) -> bytes:
        suite = hello.suite(prefer)
        ske = ecdhe_key_exchange() if prefer.startswith("ECDHE") else b""
        return records(22, server_hello(hello.version, suite) + ske + HELLO_DONE, hello.version)

    return build


def only_3des_without_certificate(hello: Hello) -> bytes:
    """An origin that speaks only DES-CBC3-SHA (the local OpenSSL cannot, so the HTTP
    stage is skipped) and forgets its certificate."""
    if 0x000A not in hello.suites:
        return alert(2, 40, hello.version)
    return records(22, server_hello(hello.version, 0x000A) + HELLO_DONE, hello.version)


def key_exchange_flight(pki: SessionPki, prefer: str, ske: bytes) -> Callable[[Hello], bytes]:
    """ServerHello (a `prefer` suite), Certificate, `ske`, ServerHelloDone."""

    def build(hello: Hello) -> bytes:
        message = (server_hello(hello.version, hello.suite(prefer)) + certificate(chain(pki))
                   + ske + HELLO_DONE)
        return records(22, message, hello.version)

    return build


def with_extensions(pki: SessionPki, extensions: bytes) -> Callable[[Hello], bytes]:
    """A good RSA flight whose ServerHello carries `extensions`."""

    def build(hello: Hello) -> bytes:
        message = (server_hello(hello.version, hello.suite(), extensions=extensions)
                   + certificate(chain(pki)) + HELLO_DONE)
        return records(22, message, hello.version)

    return build


def extension(type_: int, data: bytes = b"") -> bytes:
    return struct.pack("!HH", type_, len(data)) + data


RENEGOTIATION_INFO = extension(0xFF01, b"\x00")
ALPN_H2 = extension(16, b"\x00\x03\x02h2")
SESSION_TICKET = extension(35)
