"""The prober against real loopback servers: accepted protocols and suites, exactly."""

from __future__ import annotations

import time

import pytest
from support import SessionPki

from cftui.demo.behaviours import close_immediately, never_answer, reset_after_read, send_bytes
from cftui.engine import profile
from cftui.engine.model import Outcome, ProtocolResult, Purpose
from cftui.engine.net.connect import Endpoint
from cftui.engine.profile import ORIGIN_SSL_PROTOCOLS, Protocol, sni_name
from cftui.engine.tls.scan import scan_address, scan_protocol

ALL = ORIGIN_SSL_PROTOCOLS
NAME = "origin.example.com"


def scan(port: int, enabled: tuple[Protocol, ...] = ALL, sni: str | None = NAME,
         timeout: float = 3.0, host: str = "127.0.0.1") -> dict[Protocol, ProtocolResult]:
    results = scan_address(Endpoint(host, port, timeout, timeout),
                           lambda p: sni_name(sni, None, p) if sni else None, enabled)
    return {r.protocol: r for r in results}


def accepted(result: ProtocolResult) -> set[str]:
    return set(result.accepted_ciphers)


def test_tls12_only_server_accepts_exactly_the_configured_cloudfront_suites(tls_origin) -> None:
    server = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2",
                        ciphers="ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:ECDHE-RSA-CHACHA20-POLY1305")
    r = scan(server.port)
    assert accepted(r[Protocol.TLSv1_2]) == {"ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA"}
    assert r[Protocol.TLSv1_2].accepted is True
    # CloudFront's whole offer, then each of the other 15 suites on its own, in parallel
    attempts = r[Protocol.TLSv1_2].attempts
    assert len(attempts) == 16
    assert attempts[0].purpose is Purpose.CLOUDFRONT and len(attempts[0].offered) == 16
    assert all(a.purpose is Purpose.ENUMERATE and len(a.offered) == 1 for a in attempts[1:])
    assert sum(a.accepted for a in attempts) == 2
    for old in (Protocol.SSLv3, Protocol.TLSv1, Protocol.TLSv1_1):
        assert r[old].accepted is False, old
        assert r[old].accepted_ciphers == ()
    assert r[Protocol.TLSv1_1].error == "tlsv1 alert protocol version"
    assert all(a.version_refused for a in r[Protocol.TLSv1_1].attempts)
    assert not any(a.version_refused for a in r[Protocol.TLSv1_2].attempts)
    assert r[Protocol.TLSv1_3].accepted is False
    assert r[Protocol.TLSv1_3].enabled is False


def test_legacy_server_via_s_server_tls10_and_tls11(s_server) -> None:
    server = s_server(flags=("-no_tls1_3", "-no_tls1_2"), cipher="DEFAULT:@SECLEVEL=0")
    r = scan(server.port)
    expected = {"ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA", "AES256-SHA", "AES128-SHA"}
    assert accepted(r[Protocol.TLSv1]) == expected
    assert accepted(r[Protocol.TLSv1_1]) == expected
    assert r[Protocol.TLSv1_2].accepted is False
    assert r[Protocol.TLSv1_3].accepted is False


def test_tls13_only_origin_speaks_only_tls13(tls_origin) -> None:
    server = tls_origin(min_version="TLSv1.3")
    r = scan(server.port)
    assert all(r[p].accepted is False for p in ALL)
    assert r[Protocol.TLSv1_3].accepted is True
    assert r[Protocol.TLSv1_3].broad_cipher and r[Protocol.TLSv1_3].broad_cipher.startswith("TLS_")


def test_no_cloudfront_suite_but_version_spoken(tls_origin) -> None:
    server = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2",
                        ciphers="ECDHE-RSA-CHACHA20-POLY1305")
    r = scan(server.port, enabled=(Protocol.TLSv1_2,))[Protocol.TLSv1_2]
    assert r.accepted is True
    assert r.accepted_ciphers == ()
    assert r.cipher is None
    assert r.broad_cipher == "ECDHE-RSA-CHACHA20-POLY1305"
    assert r.error == "sslv3 alert handshake failure"
    assert [a.purpose for a in r.attempts] == [Purpose.CLOUDFRONT, Purpose.BROAD]
    assert not r.attempts[0].version_refused  # a handshake_failure says nothing of versions
    # each attempt keeps the hello it sent: CloudFront's curves, then every known one
    cloudfront, broad = (a.hello_spec for a in r.attempts)
    assert cloudfront.groups == profile.CLOUDFRONT_GROUPS
    assert broad.groups == profile.BROAD_GROUPS
    assert broad.suites == r.attempts[1].offered and broad.sni == NAME


def test_ecdsa_leaf_gets_ecdsa_suites(tls_origin, pki: SessionPki) -> None:
    server = tls_origin(pki.ecdsa_leaf, min_version="TLSv1.2", max_version="TLSv1.2",
                        ciphers="ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA:"
                        "ECDHE-RSA-AES128-GCM-SHA256")
    r = scan(server.port, enabled=(Protocol.TLSv1_2,))[Protocol.TLSv1_2]
    assert accepted(r) == {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA"}
    first = r.attempts[0]
    assert first.flight is not None and first.flight.key_exchange is not None
    assert first.flight.key_exchange.named_group in (0x001D, 0x0017, 0x0018)


def test_sslv3_rc4_md5_and_3des_through_tlslite(tlslite_server) -> None:
    server = tlslite_server(min_version=(3, 0), max_version=(3, 0),
                            cipher_names=("rc4", "3des"), mac_names=("md5", "sha"))
    r = scan(server.port)
    sslv3 = r[Protocol.SSLv3]
    assert sslv3.accepted is True
    assert accepted(sslv3) == {"RC4-MD5", "DES-CBC3-SHA"}
    assert all(a.sni is None for a in sslv3.attempts)  # SSLv3 carries no extensions
    assert r[Protocol.TLSv1_2].accepted is False


def test_tlslite_tls12_with_3des_only(tlslite_server) -> None:
    server = tlslite_server(min_version=(3, 3), max_version=(3, 3),
                            cipher_names=("3des",), mac_names=("sha",))
    r = scan(server.port, enabled=(Protocol.TLSv1_2,))
    assert accepted(r[Protocol.TLSv1_2]) == {"DES-CBC3-SHA"}


def test_client_certificate_request_is_seen(tls_origin, pki: SessionPki) -> None:
    server = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2", client_ca=pki.client_ca)
    r = scan(server.port, enabled=(Protocol.TLSv1_2,))[Protocol.TLSv1_2]
    first = r.attempts[0]
    assert first.accepted
    assert first.flight and first.flight.certificate_request is not None
    assert 64 in first.flight.certificate_request.certificate_types  # ECDSA sign


def test_sni_selects_the_certificate(s_server, pki: SessionPki) -> None:
    other = pki.issue("other.example.com")
    server = s_server(flags=("-no_tls1_3",), sni=("other.example.com", other))
    with_sni = scan(server.port, enabled=(Protocol.TLSv1_2,), sni="other.example.com")
    default = scan(server.port, enabled=(Protocol.TLSv1_2,), sni=NAME)
    got = with_sni[Protocol.TLSv1_2].attempts[0].flight
    assert got is not None and got.certificates[0] == other.der
    base = default[Protocol.TLSv1_2].attempts[0].flight
    assert base is not None and base.certificates[0] == pki.leaf.der


def test_plain_http_is_not_tls(plain_http_origin) -> None:
    server = plain_http_origin()
    r = scan(server.port, enabled=(Protocol.TLSv1_2,))[Protocol.TLSv1_2]
    assert r.attempts[0].outcome is Outcome.NOT_TLS
    assert r.accepted is False  # reached, and it answers in something else than TLS


@pytest.mark.parametrize(("behaviour", "outcome"), [
    (send_bytes(b"\x00\x01garbage" * 10), Outcome.NOT_TLS),
    (reset_after_read(), Outcome.RESET),
    (close_immediately(), (Outcome.CLOSED, Outcome.RESET)),
])
def test_broken_peers(raw_peer, behaviour, outcome) -> None:
    peer = raw_peer(behaviour)
    result = scan_protocol(Endpoint("127.0.0.1", peer.port, 2, 2), Protocol.TLSv1_2, NAME, True)
    expected = outcome if isinstance(outcome, tuple) else (outcome,)
    assert result.attempts[0].outcome in expected
    assert result.accepted in (None, False)


def test_peer_that_never_answers_times_out_on_time(raw_peer) -> None:
    peer = raw_peer(never_answer())
    start = time.monotonic()
    result = scan_protocol(Endpoint("127.0.0.1", peer.port, 1, 1), Protocol.TLSv1_2, NAME, True)
    assert time.monotonic() - start < 3.5  # one CloudFront hello + one broad hello, 1 s each
    assert result.attempts[0].outcome is Outcome.TIMEOUT


def test_connection_refused_is_not_tried(raw_peer) -> None:
    peer = raw_peer(close_immediately())
    port = peer.port
    peer.stop()
    result = scan_protocol(Endpoint("127.0.0.1", port, 1, 1), Protocol.TLSv1_2, NAME, True)
    assert result.attempts[0].outcome is Outcome.CONNECT_FAILED
    assert result.accepted is None
    assert result.error == "connection refused"


def _no_violation(results: dict[Protocol, ProtocolResult]) -> None:
    for r in results.values():
        for a in r.attempts:
            assert a.violation is None, (r.protocol, a.purpose, a.violation)


def test_healthy_origins_send_first_flights_a_real_client_accepts(
        tls_origin, s_server, tlslite_server, pki: SessionPki) -> None:
    """Python ssl (ECDHE, DHE-less RSA, ECDSA), s_server and tlslite (SSLv3, RC4, 3DES)
    answer with renegotiation_info, extended_master_secret, ec_point_formats: all
    offered, so no attempt of theirs is a violation."""
    scans = [
        scan(tls_origin(min_version="TLSv1", ciphers="DEFAULT:@SECLEVEL=0").port),
        scan(tls_origin(pki.ecdsa_leaf, min_version="TLSv1.2").port),
        scan(s_server(flags=("-no_tls1_3",), cipher="DEFAULT:@SECLEVEL=0").port),
        scan(tlslite_server(min_version=(3, 0), max_version=(3, 3),
                            cipher_names=("rc4", "3des", "aes128"),
                            mac_names=("md5", "sha")).port),
    ]
    for results in scans:
        assert any(r.cloudfront_works for r in results.values())
        _no_violation(results)


def test_not_tls_answers_are_not_spoken_on_every_version(raw_peer) -> None:
    peer = raw_peer(send_bytes(b"HTTP/1.1 400 Bad Request\r\n\r\n"))
    results = scan(peer.port)
    assert {r.accepted for r in results.values()} == {False}
