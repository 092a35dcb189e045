"""The real handshake's records, both ways, as `openssl s_client -msg` would show them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from support import SessionPki

from cftui.engine.http import fetch
from cftui.engine.net.connect import Endpoint
from cftui.engine.profile import Protocol
from cftui.engine.results import HttpOutcome, HttpResult, WireRecord
from cftui.engine.tls.tap import WireLog

NAME = "origin.example.com"


def _fetch(port: int, **options: Any) -> HttpResult:
    return fetch(Endpoint("127.0.0.1", port, 5, 5), sni=NAME, host=NAME, path="/",
                 protocols=(Protocol.TLSv1_2,), read_timeout=5, **options)


def _rows(wire: tuple[WireRecord, ...]) -> list[tuple[str, str]]:
    return [(r.sender, ",".join(r.messages) or str(r.content_type)) for r in wire]


def test_client_certificate_required(s_server: Callable[..., Any], pki: SessionPki) -> None:
    server = s_server(verify_ca=pki.client_ca, flags=("-no_tls1_3",))
    got = _fetch(server.port)
    assert got.outcome is HttpOutcome.TLS_FAILED
    assert _rows(got.wire) == [
        ("client", "ClientHello"),
        ("origin", "ServerHello"), ("origin", "Certificate"), ("origin", "ServerKeyExchange"),
        ("origin", "CertificateRequest"), ("origin", "ServerHelloDone"),
        ("client", "Certificate"), ("client", "ClientKeyExchange"), ("client", "20"),
        ("client", "Finished"),
        ("origin", "21"),
    ]
    certificate, cke, ccs, finished, alert = got.wire[-5:]
    assert certificate.note == "empty: no client certificate"
    assert not cke.encrypted and "encrypted" in ccs.note and finished.encrypted
    assert alert.note == "fatal handshake failure" and not alert.encrypted


def test_healthy_origin(s_server: Callable[..., Any]) -> None:
    got = _fetch(s_server(flags=("-no_tls1_3",)).port)
    assert got.status_code == 200
    senders = [r.sender for r in got.wire]
    # handshake both ways, each direction encrypted after its ChangeCipherSpec
    for sender in ("client", "origin"):
        mine = [r for r in got.wire if r.sender == sender]
        ccs = next(i for i, r in enumerate(mine) if r.content_type == 20)
        assert all(r.encrypted for r in mine[ccs + 1:]) and len(mine) > ccs + 2
        assert not any(r.encrypted for r in mine[:ccs])
    assert senders[0] == "client" and got.wire[1].messages == ("ServerHello",)
    data = [r for r in got.wire if r.content_type == 23]
    assert {r.sender for r in data} == {"client", "origin"}
    assert all(r.note == "encrypted application data" for r in data)
    assert got.wire_dropped == 0


def _record(kind: int, payload: bytes) -> bytes:
    return bytes([kind, 3, 3]) + len(payload).to_bytes(2, "big") + payload


def test_records_split_across_chunks_and_messages_across_records() -> None:
    log = WireLog()
    certificate = bytes([11]) + (3 + 2000).to_bytes(3, "big") + (2000).to_bytes(3, "big")
    body = certificate + b"x" * 2000
    stream = _record(22, body[:1000]) + _record(22, body[1000:] + bytes([14, 0, 0, 0]))
    for i in range(0, len(stream), 7):  # in 7-byte pieces, as a slow socket gives them
        log.feed("origin", stream[i:i + 7])
    first, second = log.records
    assert first.messages == ("Certificate",) and "next record" in first.note
    assert second.messages == ("ServerHelloDone",)
    assert "continuing the previous message" in second.note


def test_bounded_and_not_tls() -> None:
    log = WireLog(limit=3)
    log.feed("origin", _record(23, b"secret") * 5)
    assert len(log.records) == 3 and log.dropped == 2
    assert all(b"secret" not in repr(r).encode() for r in log.records)
    log = WireLog()
    log.feed("origin", b"HTTP/1.1 400 Bad Request\r\n\r\n")
    log.feed("origin", _record(21, b"\x02\x28"))
    assert len(log.records) == 1 and "not a TLS record" in log.records[0].note
