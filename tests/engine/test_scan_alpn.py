"""OriginHttpVersion http2 in the scan: every hand-built ClientHello offers ALPN
h2,http/1.1 where OpenSSL puts it, as CloudFront's does; http1.1 hellos are the bytes
they were before ALPN existed. Against real loopback servers: a Python `ssl` server
picks h2 from the scan's hello, and `openssl s_server -alpn foo` (ALPN-strict: a
no_application_protocol alert when nothing offered matches, a normal handshake when
ALPN is not offered) refuses CloudFront's http2 hello only."""

from __future__ import annotations

import hashlib
import shutil
import socket
import struct
import subprocess
from collections.abc import Callable

import pytest

from cftui.engine import profile
from cftui.engine.model import Outcome, ProtocolResult, Purpose
from cftui.engine.net.connect import Endpoint
from cftui.engine.profile import Protocol, sni_name
from cftui.engine.results import Report
from cftui.engine.tls import hello
from cftui.engine.tls.registry import AlertDescription, ExtensionType
from cftui.engine.tls.scan import scan_address

NAME = "origin.example.com"
H2_AND_H1 = (b"h2", b"http/1.1")
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")

#: sha256 (first 16 hex digits) of every hello kind the scan sends, random zeroed (TLS 1.3:
#: session id and key share too), computed from the hello builder before ALPN existed.
PINNED = {
    "cloudfront SSLv3": "aa864933502d24c8", "broad SSLv3": "578275d02819b177",
    "cloudfront TLSv1": "7c3a21b6d88109bf", "broad TLSv1": "81e4d8b63c34d9bb",
    "cloudfront TLSv1.1": "dad5ab256a02b0b0", "broad TLSv1.1": "42139f997d1f2238",
    "cloudfront TLSv1.2": "d93e70541b87d2ad", "broad TLSv1.2": "5cc2b2e52bcd22b5",
    "info TLSv1.3": "5f3fa0caf14a1db2",
}


def _hellos(alpn: tuple[bytes, ...]) -> dict[str, bytes]:
    """Every hello kind, concatenated per kind: CloudFront's offer then each single-suite
    offer, the broad hello, the TLS 1.3 hello."""
    out: dict[str, bytes] = {}
    for p in profile.ORIGIN_SSL_PROTOCOLS:
        specs = [hello.cloudfront_hello(p, NAME, alpn=alpn)]
        specs += [hello.cloudfront_hello(p, NAME, [s.code], alpn)
                  for s in profile.cloudfront_suites_for(p)]
        out[f"cloudfront {p.value}"] = b"".join(
            hello.client_hello(s, random=bytes(32)) for s in specs)
        out[f"broad {p.value}"] = hello.client_hello(hello.broad_hello(p, NAME, alpn),
                                                     random=bytes(32))
    out["info TLSv1.3"] = hello._record(hello.tls13_hello(NAME, alpn), bytes(32), bytes(32),
                                        bytes(32))
    return out


def _digests(hellos: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest()[:16] for k, v in hellos.items()}


def test_http11_hellos_are_byte_identical_to_before() -> None:
    assert profile.CLOUDFRONT_ALPN["http1.1"] == ()
    assert _digests(_hellos(profile.CLOUDFRONT_ALPN["http1.1"])) == PINNED


def test_http2_changes_every_hello_but_sslv3() -> None:
    changed = {k for k, v in _digests(_hellos(profile.CLOUDFRONT_ALPN["http2"])).items()
               if PINNED[k] != v}
    assert changed == set(PINNED) - {"cloudfront SSLv3", "broad SSLv3"}


def _extensions(record: bytes) -> list[tuple[int, bytes]]:
    """(type, body) of each extension of a ClientHello record."""
    body = record[9:]
    at = 2 + 32
    at += 1 + body[at]
    at += 2 + int.from_bytes(body[at:at + 2], "big")
    at += 1 + body[at] + 2
    found = []
    while at < len(body):
        type_, size = struct.unpack("!HH", body[at:at + 4])
        found.append((type_, body[at + 4:at + 4 + size]))
        at += 4 + size
    return found


def _s_client_hello(*args: str) -> bytes:
    """The ClientHello record `openssl s_client` sends, read by a loopback listener."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(10)
        port = listener.getsockname()[1]
        client = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                                   *args], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(10)
                data = b""
                while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
                    chunk = conn.recv(4096)
                    assert chunk, "s_client closed before its ClientHello"
                    data += chunk
        finally:
            client.kill()
            client.wait(10)
    return data


@needs_openssl
def test_alpn_sits_where_openssl_puts_it() -> None:
    """Same body as `s_client -alpn h2,http/1.1`, and after/before the same extensions
    among those both hellos carry."""
    theirs = _extensions(_s_client_hello("-tls1_2", "-servername", NAME,
                                         "-alpn", "h2,http/1.1"))
    spec = hello.cloudfront_hello(Protocol.TLSv1_2, NAME, alpn=profile.CLOUDFRONT_ALPN["http2"])
    ours = _extensions(hello.client_hello(spec))
    alpn = ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION
    assert dict(ours)[alpn] == dict(theirs)[alpn] == b"\x00\x0c\x02h2\x08http/1.1"
    common = {t for t, _ in ours} & {t for t, _ in theirs}
    assert len(common) >= 5

    def before(exts: list[tuple[int, bytes]]) -> set[int]:
        types = [t for t, _ in exts]
        return set(types[:types.index(alpn)]) & common

    assert before(ours) == before(theirs)
    assert ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION in spec.sent_extensions
    sslv3 = hello.cloudfront_hello(Protocol.SSLv3, None, alpn=H2_AND_H1)
    assert sslv3.sent_alpn == () and alpn not in sslv3.sent_extensions


def _scan(port: int, alpn: tuple[bytes, ...]) -> dict[Protocol, ProtocolResult]:
    results = scan_address(Endpoint("127.0.0.1", port, 3.0, 3.0),
                           lambda p: sni_name(NAME, None, p), (Protocol.TLSv1_2,), alpn=alpn)
    return {r.protocol: r for r in results}


def test_python_ssl_origin_selects_h2_from_the_scan_hello(tls_origin) -> None:
    origin = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2")
    origin.context.set_alpn_protocols(["h2", "http/1.1"])  # before any client connects
    for alpn, selected in ((H2_AND_H1, "h2"), ((), None)):
        tls12 = _scan(origin.port, alpn)[Protocol.TLSv1_2]
        accepted = [a for a in tls12.attempts if a.accepted]
        assert len(accepted) >= 2 and accepted[0].purpose is Purpose.CLOUDFRONT
        for a in accepted:
            assert a.server_hello is not None and a.server_hello.alpn == selected, a
            assert a.violation is None
        assert all(a.hello_spec.sent_alpn == alpn for a in tls12.attempts)


def _tls12(report: Report) -> ProtocolResult:
    return next(r for r in report.per_address[0].protocols if r.protocol is Protocol.TLSv1_2)


def test_the_check_offers_alpn_for_http2_targets_only(tls_origin,
                                                      run_check: Callable[..., Report]) -> None:
    """The target's http_version reaches the scan (run.py → scan.start_scan)."""
    origin = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2")
    origin.context.set_alpn_protocols(["h2", "http/1.1"])
    for version, selected in (("http2", "h2"), ("http1.1", None)):
        report = run_check(origin.port, http=False, http_version=version)
        first = _tls12(report).attempts[0]
        assert first.accepted and first.server_hello is not None
        assert first.server_hello.alpn == selected, version


@needs_openssl
def test_alpn_strict_s_server_refuses_only_the_http2_hello(s_server) -> None:
    server = s_server(flags=("-alpn", "foo", "-no_tls1_3"))
    refused = _scan(server.port, H2_AND_H1)[Protocol.TLSv1_2]
    first = refused.attempts[0]
    assert first.outcome is Outcome.ALERT and first.flight and first.flight.alert
    assert first.flight.alert.description == AlertDescription.NO_APPLICATION_PROTOCOL
    assert refused.accepted is False and refused.error == "tlsv1 alert no application protocol"
    plain = _scan(server.port, ())[Protocol.TLSv1_2]
    assert plain.accepted is True and plain.attempts[0].server_hello is not None
    assert plain.attempts[0].server_hello.alpn is None


@needs_openssl
def test_alpn_strict_origin_blocks_an_http2_check(s_server,
                                                  run_check: Callable[..., Report]) -> None:
    server = s_server(flags=("-alpn", "foo", "-no_tls1_3"))
    http2 = run_check(server.port, http_version="http2")
    assert any(c.blocking for c in http2.verdict.causes), http2.verdict.causes
    assert any("no application protocol" in c.message for c in http2.verdict.causes)
    http11 = run_check(server.port, http_version="http1.1")
    assert not any("no application protocol" in c.message for c in http11.verdict.causes)
    assert _tls12(http11).accepted is True
