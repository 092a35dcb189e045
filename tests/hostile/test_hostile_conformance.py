"""First flights a real client rejects though every byte parses: judged by
`tls/conformance.py`, blocking even when no HTTP request is sent (--no-http, or a suite
the local OpenSSL cannot finish), with a message that names what the origin did."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from answers import (
    ALPN_H2,
    BRAINPOOLP256R1,
    RENEGOTIATION_INFO,
    RSA_PSS_RSAE_SHA256,
    SESSION_TICKET,
    ecdhe_key_exchange,
    key_exchange_flight,
    only_3des_without_certificate,
    with_extensions,
    without_certificate,
)
from peers import Hello, answer, good_flight
from support import SessionPki
from support.hostile import Hostile, RunCheck

from cftui.engine.causes import CauseCode
from cftui.engine.results import Stage, Status

Build = Callable[[Hello], bytes]


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[SessionPki], Build]
    says: str  # in the blocking cause's message
    fix: str  # the fix variant of tls-handshake-failed


CASES = [
    Case("rsa-suite-without-certificate", lambda p: without_certificate("RSA"),
         "sends no Certificate", "certificate"),
    Case("ecdhe-suite-without-certificate", lambda p: without_certificate("ECDHE-RSA"),
         "sends no Certificate", "certificate"),
    Case("ecdhe-without-server-key-exchange",
         lambda p: key_exchange_flight(p, "ECDHE-RSA", b""), "sends no ServerKeyExchange",
         "key_exchange"),
    Case("server-key-exchange-for-plain-rsa",
         lambda p: key_exchange_flight(p, "RSA", ecdhe_key_exchange()),
         "sends a ServerKeyExchange it must not send", "key_exchange"),
    Case("curve-not-offered",
         lambda p: key_exchange_flight(p, "ECDHE-RSA", ecdhe_key_exchange(BRAINPOOLP256R1)),
         "which was not offered (X25519", "key_exchange"),
    Case("signature-scheme-not-offered",
         lambda p: key_exchange_flight(p, "ECDHE-RSA",
                                       ecdhe_key_exchange(scheme=RSA_PSS_RSAE_SHA256)),
         "rsa_pss_rsae_sha256, which was not offered", "key_exchange"),
    Case("alpn-not-offered", lambda p: with_extensions(p, RENEGOTIATION_INFO + ALPN_H2),
         "application_layer_protocol_negotiation (16), which the client did not offer",
         "extension"),
    Case("session-ticket-not-offered", lambda p: with_extensions(p, SESSION_TICKET),
         "session_ticket (35)", "extension"),
    Case("extension-twice", lambda p: with_extensions(p, RENEGOTIATION_INFO * 2),
         "renegotiation_info 2 times", "extension"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("http", [False, True], ids=["no-http", "http"])
def test_first_flight_a_real_client_rejects(case: Case, http: bool, pki: SessionPki,
                                            hostile: Hostile, run_check: RunCheck) -> None:
    peer = hostile(answer(case.make(pki)))
    got = run_check(peer.port, http=http)
    assert got.blocking == {"tls-handshake-failed"}, got.report.verdict.causes
    first = next(c for c in got.report.verdict.causes if c.blocking)
    assert case.says in first.message and "a real client" in first.message, first.message
    assert first.fix == CauseCode.TLS_HANDSHAKE_FAILED.rule.fixes[case.fix]
    tls = got.report.stage(Stage.TLS)
    assert tls is not None and tls.status is Status.FAIL, tls
    assert got.elapsed < 3.0


def test_3des_only_origin_without_certificate_fails(hostile: Hostile,
                                                    run_check: RunCheck) -> None:
    """The local OpenSSL cannot send DES-CBC3-SHA, so the HTTP stage is skipped: only the
    first flight itself shows that no client can finish this handshake."""
    peer = hostile(answer(only_3des_without_certificate))
    got = run_check(peer.port)
    assert got.blocking == {"tls-handshake-failed"}, got.report.verdict.causes
    assert "DES-CBC3-SHA, which needs a certificate" in got.cause("tls-handshake-failed")
    http = got.report.stage(Stage.HTTP)
    assert http is not None and http.status is Status.SKIPPED


def test_renegotiation_info_alone_is_fine(pki: SessionPki, hostile: Hostile,
                                          run_check: RunCheck) -> None:
    """The control: the same peer with only the extension cftui sent passes."""
    peer = hostile(answer(with_extensions(pki, RENEGOTIATION_INFO)))
    got = run_check(peer.port, http=False)
    assert got.blocking == set(), got.report.verdict.causes


def _s_client_sends_key_exchange(port: int) -> bool:
    """Whether `openssl s_client`, offering what CloudFront offers (no ticket, no ALPN),
    took the origin's first flight and went on to its ClientKeyExchange."""
    from cftui.engine import profile
    from cftui.engine.profile import Protocol

    done = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2", "-msg",
         "-servername", "origin.example.com", "-no_ticket",
         "-cipher", profile.cloudfront_cipher_string(Protocol.TLSv1_2),
         "-groups", profile.CLOUDFRONT_GROUPS_OPENSSL,
         "-sigalgs", profile.cloudfront_sigalgs_openssl()],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    return "ClientKeyExchange" in done.stdout


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_openssl_rejects_the_same_first_flight(case: Case, pki: SessionPki,
                                               hostile: Hostile) -> None:
    """The differential half: OpenSSL refuses each of these flights before its own key
    exchange, as cftui says a real client would."""
    assert not _s_client_sends_key_exchange(hostile(answer(case.make(pki))).port)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")
def test_openssl_takes_a_sound_first_flight(pki: SessionPki, hostile: Hostile) -> None:
    """The control: the same peer machinery with a sound flight (AES128-SHA, the chain)
    gets OpenSSL's ClientKeyExchange, so the test above can fail."""
    chain = [pki.leaf.der, pki.pki.intermediate.der]
    peer = hostile(answer(lambda hello: good_flight(hello, chain, suite=0x002F)))
    assert _s_client_sends_key_exchange(peer.port)
