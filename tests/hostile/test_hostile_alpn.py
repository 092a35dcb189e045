"""ALPN in the first flight (OriginHttpVersion http2): an answer to CloudFront's ALPN
offer (h2,http/1.1) is fine when it names one offered protocol; an answer naming
another protocol, a malformed one, or one to a hello that offered none is what a real
client rejects. Each case is checked against `openssl s_client -alpn` too."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest
from answers import ALPN_H2, RENEGOTIATION_INFO, extension, with_extensions
from peers import Hello, answer, record, server_hello
from support import SessionPki
from support.hostile import Hostile, RunCheck

from cftui.engine import profile
from cftui.engine.net.connect import Endpoint
from cftui.engine.profile import Protocol
from cftui.engine.tls.scan import scan_protocol

ALPN_SPDY = extension(16, b"\x00\x07\x06spdy/1")
ALPN_TWO_NAMES = extension(16, b"\x00\x0c\x02h2\x08http/1.1")  # a server picks one


def test_alpn_h2_answering_an_h2_offer_is_fine(pki: SessionPki, hostile: Hostile,
                                               run_check: RunCheck) -> None:
    peer = hostile(answer(with_extensions(pki, RENEGOTIATION_INFO + ALPN_H2)))
    got = run_check(peer.port, http=False, http_version="http2")
    assert got.blocking == set(), got.report.verdict.causes
    report = got.report.primary
    assert report is not None
    tls12 = next(r for r in report.protocols if r.protocol is Protocol.TLSv1_2)
    first = tls12.attempts[0]
    assert first.server_hello is not None and first.server_hello.alpn == "h2"
    assert first.violation is None


def test_the_same_alpn_answer_without_an_offer_is_flagged(pki: SessionPki, hostile: Hostile,
                                                          run_check: RunCheck) -> None:
    """The http1.1 control: CloudFront sends no ALPN, so the same flight is refused."""
    peer = hostile(answer(with_extensions(pki, RENEGOTIATION_INFO + ALPN_H2)))
    got = run_check(peer.port, http=False, http_version="http1.1")
    assert got.blocking == {"tls-handshake-failed"}, got.report.verdict.causes
    assert "application_layer_protocol_negotiation (16), which the client did not offer" in (
        got.cause("tls-handshake-failed"))


@pytest.mark.parametrize(("alpn", "says"), [
    (ALPN_SPDY, 'selected ALPN protocol "spdy/1", which was not offered (h2,http/1.1)'),
    (ALPN_TWO_NAMES, "answer is not one protocol name (malformed)"),
], ids=["not-offered", "two-names"])
def test_alpn_answers_a_real_client_rejects(alpn: bytes, says: str, pki: SessionPki,
                                            hostile: Hostile, run_check: RunCheck) -> None:
    peer = hostile(answer(with_extensions(pki, RENEGOTIATION_INFO + alpn)))
    got = run_check(peer.port, http=False, http_version="http2")
    assert got.blocking == {"tls-handshake-failed"}, got.report.verdict.causes
    assert says in got.cause("tls-handshake-failed")


def _s_client_sends_key_exchange(port: int) -> bool:
    """Whether `openssl s_client -alpn h2,http/1.1` took the first flight and went on
    to its ClientKeyExchange."""
    done = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2", "-msg",
         "-servername", "origin.example.com", "-no_ticket", "-alpn", "h2,http/1.1",
         "-cipher", profile.cloudfront_cipher_string(Protocol.TLSv1_2)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    return "ClientKeyExchange" in done.stdout


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")
@pytest.mark.parametrize(("alpn", "takes"), [
    (ALPN_H2, True), (ALPN_SPDY, False), (ALPN_TWO_NAMES, False),
], ids=["h2", "not-offered", "two-names"])
def test_openssl_judges_the_alpn_answer_the_same(alpn: bytes, takes: bool, pki: SessionPki,
                                                 hostile: Hostile) -> None:
    peer = hostile(answer(with_extensions(pki, RENEGOTIATION_INFO + alpn)))
    assert _s_client_sends_key_exchange(peer.port) is takes


def _tls13_with_alpn(_hello: Hello) -> bytes:
    """A TLS 1.3 ServerHello carrying ALPN, which TLS 1.3 sends in EncryptedExtensions."""
    ext = (struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HHHH", 51, 36, 0x001D, 32)
           + bytes(32) + ALPN_H2)
    return record(22, server_hello(0x0303, 0x1301, session_id=bytes(32), extensions=ext))


def test_alpn_in_a_tls13_server_hello_is_flagged(hostile: Hostile) -> None:
    peer = hostile(answer(_tls13_with_alpn))
    endpoint = Endpoint("127.0.0.1", peer.port, 2.0, 2.0)
    result = scan_protocol(endpoint, Protocol.TLSv1_3, "origin.example.com", enabled=False,
                           alpn=profile.CLOUDFRONT_ALPN["http2"])
    first = result.attempts[0]
    assert first.server_hello is not None and first.server_hello.alpn == "h2"
    assert first.violation == ("the origin's TLS 1.3 ServerHello carries "
                               "application_layer_protocol_negotiation, which belongs in "
                               "EncryptedExtensions")
