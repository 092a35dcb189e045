"""Every cause code of the contract, produced by `check()` against a real loopback server.

Each test starts a server on 127.0.0.0/8 that is broken in one way, runs the whole
engine on it as CloudFront's settings say, and asserts the exact cause codes and the
status CloudFront would answer with. Healthy configurations must give no blocking cause.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import struct
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from support import SessionPki
from support.corpus import Made, resign
from support.tlslite_server import TlsliteServer

from cftui.demo import pki as pkimod
from cftui.demo.behaviours import (
    close_immediately,
    finish,
    never_answer,
    read_head,
    reset_after_read,
    send_bytes,
)
from cftui.demo.loopback import free_port_on
from cftui.demo.servers import GARBAGE, TlsOrigin
from cftui.engine import report as report_mod
from cftui.engine import verdict
from cftui.engine.causes import CauseCode
from cftui.engine.profile import Protocol
from cftui.engine.results import AddressReport, Cause, Report, Stage, Status, TcpOutcome, TcpResult
from cftui.engine.target import Target

NAME = "origin.example.com"
TLS12 = {"min_version": "TLSv1.2", "max_version": "TLSv1.2"}
AIA_URL = "http://pki.example.invalid/intermediate.crt"

Check = Callable[..., Report]


def codes(report: Report) -> list[str]:
    return [c.code for c in report.verdict.causes]


def cause(report: Report, code: str) -> Cause:
    return next(c for c in report.verdict.causes if c.code == code)


def assert_fails(report: Report, expected: list[str], status: int = 502) -> None:
    assert codes(report) == expected, [(c.code, c.message) for c in report.verdict.causes]
    assert report.verdict.would_fail is True
    assert report.verdict.http_status == status
    for c in report.verdict.causes:
        assert c.message and c.fix, c


def assert_works(report: Report, warnings: list[str] | None = None) -> None:
    assert codes(report) == (warnings or []), [(c.code, c.message)
                                               for c in report.verdict.causes]
    assert all(c.severity == "warning" for c in report.verdict.causes)
    assert report.verdict.would_fail is False
    assert report.verdict.http_status is None


def stage_status(report: Report, stage: Stage) -> Status:
    found = report.stage(stage)
    assert found is not None, stage
    return found.status


# --- DNS and TCP -----------------------------------------------------------------------


def test_dns_unresolved_fails_fast_under_invalid(run_check: Check) -> None:
    start = time.monotonic()
    report = run_check(443, domain="no-such-origin.cftui.invalid", connect_to=())
    assert time.monotonic() - start < 2.5  # resolution fails (or gives up) within 1 s
    assert_fails(report, ["dns-unresolved"])
    assert cause(report, "dns-unresolved").stage is Stage.DNS
    assert report.addresses == ()
    for stage in (Stage.TCP, Stage.TLS, Stage.CERTIFICATE, Stage.HTTP):
        assert stage_status(report, stage) is Status.SKIPPED


def test_tcp_refused_on_a_closed_port(run_check: Check) -> None:
    report = run_check(free_port_on("127.0.0.1"))
    assert_fails(report, ["tcp-refused"])
    assert stage_status(report, Stage.TCP) is Status.FAIL
    assert stage_status(report, Stage.TLS) is Status.SKIPPED


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: Linux then drops further SYNs, as a firewall
    would. Skips where the kernel answers instead of dropping."""
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(8):
            filler = stack.enter_context(socket.socket())
            filler.settimeout(0.3)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break  # the queue is full and SYNs are dropped
            except OSError as exc:
                pytest.skip(f"a full accept queue answers here ({exc})")
        else:
            pytest.skip("the accept queue never filled up")
        yield port


def test_tcp_timeout_when_syns_are_dropped(run_check: Check, full_backlog: int) -> None:
    start = time.monotonic()
    report = run_check(full_backlog)
    assert time.monotonic() - start < 2.5
    assert_fails(report, ["tcp-timeout"], status=504)
    assert "within 1 s" in cause(report, "tcp-timeout").message


def test_tcp_timeout_verdict_is_504_with_a_firewall_fix() -> None:
    target = Target(NAME, port=8443, connect_timeout=3)
    report = AddressReport("192.0.2.1", tcp=TcpResult("192.0.2.1", 8443, False,
                                                      TcpOutcome.TIMEOUT,
                                                      "timed out", 3000.0))
    causes = verdict.tcp_causes(target, report)
    assert [c.code for c in causes] == ["tcp-timeout"]
    assert "8443" in causes[0].fix and "prefix list" in causes[0].fix
    decided = verdict.decide(target, [report])
    assert (decided.would_fail, decided.http_status) == (True, 504)


# --- TLS -------------------------------------------------------------------------------


def test_plain_http_is_not_tls(run_check: Check, plain_http_origin) -> None:
    report = run_check(plain_http_origin().port)
    assert_fails(report, ["not-tls"])
    assert cause(report, "not-tls").message.startswith("plain HTTP")
    assert stage_status(report, Stage.HTTP) is Status.SKIPPED


def test_garbage_is_not_tls(run_check: Check, raw_peer) -> None:
    report = run_check(raw_peer(send_bytes(GARBAGE)).port)
    assert_fails(report, ["not-tls"])
    assert "not TLS" in cause(report, "not-tls").message


def test_tls13_only_origin_is_a_protocol_mismatch(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin(min_version="TLSv1.3").port)
    assert_fails(report, ["tls-protocol-mismatch"])
    c = cause(report, "tls-protocol-mismatch")
    assert "TLSv1.3" in c.message and "TLS 1.2" in c.fix
    # the chain is encrypted in TLS 1.3, but read through a real TLS 1.3 handshake; CloudFront
    # never gets that far, so the stage is not reached, and says what the origin sends
    assert stage_status(report, Stage.CERTIFICATE) is Status.SKIPPED
    summary = report.stage(Stage.CERTIFICATE).summary
    assert "not reached" in summary and "covers origin.example.com: yes" in summary


def test_tls12_only_origin_with_old_protocols_enabled(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin(**TLS12).port, protocols=(Protocol.TLSv1, Protocol.TLSv1_1))
    assert_fails(report, ["tls-protocol-mismatch"])
    fix = cause(report, "tls-protocol-mismatch").fix
    assert "OriginSslProtocols" in fix and "TLSv1.2" in fix


def test_no_common_cipher(run_check: Check, tls_origin) -> None:
    server = tls_origin(ciphers="ECDHE-RSA-CHACHA20-POLY1305", **TLS12)
    report = run_check(server.port)
    assert_fails(report, ["tls-cipher-mismatch"])
    assert "ECDHE-RSA-CHACHA20-POLY1305" in cause(report, "tls-cipher-mismatch").message


def test_client_certificate_required(run_check: Check, tls_origin, pki: SessionPki) -> None:
    report = run_check(tls_origin(client_ca=pki.client_ca, **TLS12).port)
    # the failing full handshake of the HTTP stage is the same problem, reported once
    assert_fails(report, ["tls-client-cert-required"])
    assert "OriginMtlsConfig" in cause(report, "tls-client-cert-required").fix


def test_optional_client_certificate_still_counts(run_check: Check, pki: SessionPki) -> None:
    # AWS: "If an origin requests a client-side certificate, CloudFront drops the request",
    # whether or not the origin would go on without one.
    server = TlsOrigin(pki.leaf, client_ca=pki.client_ca, **TLS12)
    server.context.verify_mode = ssl.CERT_OPTIONAL
    with server:
        report = run_check(server.port)
    assert_fails(report, ["tls-client-cert-required"])


@pytest.mark.parametrize(("behaviour", "error"), [
    (reset_after_read(), "reset"),
    (close_immediately(), None),
    (never_answer(), "timed out"),
], ids=["reset-after-hello", "close-at-once", "never-answers"])
def test_broken_handshakes(run_check: Check, raw_peer, behaviour, error: str | None) -> None:
    start = time.monotonic()
    report = run_check(raw_peer(behaviour).port, connect_timeout=0.5)
    assert time.monotonic() - start < 2.5
    assert_fails(report, ["tls-handshake-failed"])
    if error:
        assert error in cause(report, "tls-handshake-failed").message


def test_fatal_alert_on_every_version_is_not_a_protocol_question(run_check: Check, s_server,
                                                                   pki: SessionPki) -> None:
    # s_server -servername_fatal: an SNI it does not know gets a fatal unrecognized_name
    server = s_server(sni=("www.example.com", pki.issue("www.example.com")),
                      flags=("-servername_fatal",))
    report = run_check(server.port)
    assert_fails(report, ["tls-handshake-failed"])
    assert "unrecognized name" in cause(report, "tls-handshake-failed").message


def _server_hello(suite: int) -> bytes:
    body = b"\x03\x03" + os.urandom(32) + b"\x00" + struct.pack(">H", suite) + b"\x00"
    message = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x03" + struct.pack(">H", len(message)) + message


def test_server_hello_with_a_suite_never_offered(run_check: Check, raw_peer) -> None:
    report = run_check(raw_peer(send_bytes(_server_hello(0x1301))).port)
    assert_fails(report, ["tls-handshake-failed"])
    assert "not offered" in cause(report, "tls-handshake-failed").message


def test_curve_cloudfront_does_not_offer(run_check: Check, pki: SessionPki) -> None:
    server = TlsOrigin(pki.leaf, ciphers="ECDHE-RSA-AES128-GCM-SHA256", **TLS12)
    server.context.set_ecdh_curve("secp521r1")
    with server:
        report = run_check(server.port)
    assert_fails(report, ["tls-handshake-failed"])
    assert "curve" in cause(report, "tls-handshake-failed").message


def test_legacy_tls10_only_origin(run_check: Check, tls_origin) -> None:
    server = tls_origin(min_version="TLSv1", max_version="TLSv1", ciphers="DEFAULT:@SECLEVEL=0")
    report = run_check(server.port, protocols=(Protocol.TLSv1, Protocol.TLSv1_2))
    assert_works(report, ["legacy-protocol"])
    assert "TLSv1" in cause(report, "legacy-protocol").message
    assert stage_status(report, Stage.HTTP) is Status.PASS


def test_sslv3_only_origin_with_sslv3_enabled(run_check: Check, pki: SessionPki) -> None:
    with TlsliteServer(pki.leaf, min_version=(3, 0), max_version=(3, 0)) as server:
        report = run_check(server.port, protocols=(Protocol.SSLv3, Protocol.TLSv1_2))
    # the local OpenSSL cannot speak SSLv3: the request is not sent, nothing is blamed
    assert_works(report, ["legacy-protocol"])
    assert stage_status(report, Stage.HTTP) is Status.SKIPPED


# --- certificate -------------------------------------------------------------------------


def test_name_mismatch(run_check: Check, tls_origin, pki: SessionPki) -> None:
    report = run_check(tls_origin(pki.issue("other.example.com")).port)
    assert_fails(report, ["cert-name-mismatch"])
    assert "other.example.com" in cause(report, "cert-name-mismatch").message


def test_name_only_in_the_cn_is_a_warning(run_check: Check, tls_origin, pki: SessionPki) -> None:
    report = run_check(tls_origin(pki.issue(common_name=NAME)).port)
    assert_works(report, ["cert-name-cn-only"])


def test_missing_intermediate_names_the_aia_url(run_check: Check, tls_origin,
                                                pki: SessionPki) -> None:
    server = tls_origin(pki.issue(NAME, aia_ca_issuers=AIA_URL), ())
    report = run_check(server.port)
    assert_fails(report, ["cert-chain-incomplete"])
    c = cause(report, "cert-chain-incomplete")
    assert "cftui Test Intermediate CA" in c.message
    assert AIA_URL in c.fix


@pytest.fixture(scope="module")
def two_level(pki: SessionPki) -> tuple[pkimod.Issued, pkimod.Issued, pkimod.Issued]:
    """root -> policy CA -> issuing CA -> leaf: (leaf, policy CA, issuing CA)."""
    policy = pkimod.intermediate_ca(pki.root, "cftui Test Policy CA", key_index=5,
                                    path_length=1)
    issuing = pkimod.intermediate_ca(policy, "cftui Test Issuing CA", key_index=6)
    return pkimod.leaf(issuing, [NAME]), policy, issuing


def test_chain_out_of_order(run_check: Check, tls_origin, two_level) -> None:
    leaf, policy, issuing = two_level
    report = run_check(tls_origin(leaf, (policy, issuing)).port)
    assert_fails(report, ["cert-chain-order"])


def test_two_intermediates_in_order_are_fine(run_check: Check, tls_origin, two_level) -> None:
    leaf, policy, issuing = two_level
    assert_works(run_check(tls_origin(leaf, (issuing, policy)).port))


def test_self_signed_leaf_is_untrusted(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin(pkimod.leaf(None, [NAME]), ()).port)
    assert_fails(report, ["cert-untrusted"])
    assert "self-signed" in cause(report, "cert-untrusted").message


def test_chain_to_a_root_outside_the_trust_store(run_check: Check, tls_origin) -> None:
    other = pkimod.Pki.create("cftui Elsewhere")
    report = run_check(tls_origin(other.issue(NAME)).port)
    assert_fails(report, ["cert-untrusted"])
    assert "root" in cause(report, "cert-untrusted").message


def test_expired(run_check: Check, tls_origin, pki: SessionPki) -> None:
    leaf = pki.issue(NAME, not_before=timedelta(days=-100), not_after=timedelta(days=-10))
    report = run_check(tls_origin(leaf).port)
    assert_fails(report, ["cert-expired"])  # and the chain itself is not blamed


def test_not_yet_valid(run_check: Check, tls_origin, pki: SessionPki) -> None:
    leaf = pki.issue(NAME, not_before=timedelta(days=10), not_after=timedelta(days=100))
    assert_fails(run_check(tls_origin(leaf).port), ["cert-not-yet-valid"])


def test_expiring_soon_is_a_warning(run_check: Check, tls_origin, pki: SessionPki) -> None:
    report = run_check(tls_origin(pki.issue(NAME, not_after=timedelta(days=10))).port)
    assert_works(report, ["cert-expiring-soon"])
    assert report.per_address[0].certificate is not None
    assert report.per_address[0].certificate.days_left in (9, 10)


def test_root_sent_too_is_an_extra_cert(run_check: Check, tls_origin, pki: SessionPki) -> None:
    report = run_check(tls_origin(pki.leaf, (pki.intermediate, pki.root)).port)
    assert_works(report, ["cert-extra-certs"])
    assert "#2" in cause(report, "cert-extra-certs").message


def test_unrelated_cert_sent_is_an_extra_cert(run_check: Check, tls_origin,
                                              pki: SessionPki) -> None:
    report = run_check(tls_origin(pki.leaf, (pki.intermediate, pki.client_ca)).port)
    assert_works(report, ["cert-extra-certs"])


@pytest.mark.parametrize(("key_type", "stage"), [
    # no EdDSA signature scheme and no P-521 group in CloudFront's offer: the handshake
    # itself fails, and the certificate (seen through a broad hello) says why
    ("ed25519", Stage.TLS),
    ("ec:secp521r1", Stage.TLS),
    # an RSA key over 4096 bits completes the handshake; CloudFront refuses the certificate
    ("rsa:5120", Stage.CERTIFICATE),
])
def test_key_cloudfront_cannot_use(run_check: Check, tls_origin, pki: SessionPki,
                                   key_type: str, stage: Stage) -> None:
    report = run_check(tls_origin(pki.issue(NAME, key_type=key_type)).port)
    assert_fails(report, ["cert-key-unsupported"])
    found = cause(report, "cert-key-unsupported")
    assert found.stage is stage
    assert "P-256" in found.fix
    assert stage_status(report, stage) is Status.FAIL
    # one truth: the TLS stage names the key; the certificate stage, which CloudFront
    # never reaches then, does not contradict it
    if stage is Stage.TLS:
        assert stage_status(report, Stage.CERTIFICATE) is Status.SKIPPED
        assert "not reached" in report.stage(Stage.CERTIFICATE).summary


# --- HTTP --------------------------------------------------------------------------------


def test_slow_origin_is_a_read_timeout(run_check: Check, tls_origin) -> None:
    start = time.monotonic()
    report = run_check(tls_origin(behaviour="delay:5").port)
    assert time.monotonic() - start < 2.5
    assert_fails(report, ["origin-read-timeout"], status=504)
    assert stage_status(report, Stage.HTTP) is Status.FAIL


@pytest.mark.parametrize("behaviour", ["close", "garbage"])
def test_unusable_response(run_check: Check, tls_origin, behaviour: str) -> None:
    report = run_check(tls_origin(behaviour=behaviour).port)
    assert_fails(report, ["origin-bad-response"])


def _head_of(size: int) -> Callable[[ssl.SSLSocket], None]:
    """Behaviour: answer with a response head of about `size` bytes (one long header)."""

    def behave(tls: ssl.SSLSocket) -> None:
        read_head(tls)
        tls.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
        finish(tls)

    return behave


def test_response_head_far_over_cloudfronts_limit(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin(behaviour=_head_of(100_000)).port)
    assert_fails(report, ["origin-bad-response"])
    assert "20480" in cause(report, "origin-bad-response").message


def test_response_head_just_over_cloudfronts_limit(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin(behaviour=_head_of(25_000)).port)
    assert_fails(report, ["origin-bad-response"])


def test_origin_error_status_is_passed_on_not_blamed(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin(status=502).port)
    assert_works(report, ["origin-error-status"])
    assert "502" in cause(report, "origin-error-status").message


# --- several addresses --------------------------------------------------------------------


def test_one_address_with_a_stale_certificate(run_check: Check, tls_origin,
                                              pki: SessionPki) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    tls_origin(host="127.0.0.1", port=port)
    tls_origin(pki.issue("stale.example.com"), host="127.0.0.2", port=port)
    report = run_check(port, connect_to=("127.0.0.1", "127.0.0.2"))
    assert_fails(report, ["cert-name-mismatch", "address-inconsistent"])
    mismatch = cause(report, "cert-name-mismatch")
    assert mismatch.address == "127.0.0.2"
    assert mismatch.message.startswith("127.0.0.2: ")
    assert "127.0.0.2" in cause(report, "address-inconsistent").message
    assert report.primary is not None and report.primary.address == "127.0.0.2"


def test_one_address_refusing(run_check: Check, tls_origin) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    tls_origin(host="127.0.0.1", port=port)
    report = run_check(port, connect_to=("127.0.0.1", "127.0.0.2"))
    assert_fails(report, ["tcp-refused", "address-inconsistent"])
    refused = cause(report, "tcp-refused")
    assert refused.address == "127.0.0.2"
    assert refused.message.count("127.0.0.2") == 1
    # one refusing backend is a blocking cause (intermittent 502s): the stage fails, as the
    # certificate and TLS stages do when one address of several fails
    assert stage_status(report, Stage.TCP) is Status.FAIL


def test_two_addresses_refusing_alike_are_consistent(run_check: Check) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    report = run_check(port, connect_to=("127.0.0.1", "127.0.0.2"))
    # the messages name each address, but both behave the same: no address-inconsistent
    assert_fails(report, ["tcp-refused", "tcp-refused"])
    assert [c.address for c in report.verdict.causes] == ["127.0.0.1", "127.0.0.2"]
    assert stage_status(report, Stage.TCP) is Status.FAIL


def test_two_identical_addresses_are_consistent(run_check: Check, tls_origin) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    tls_origin(host="127.0.0.1", port=port)
    tls_origin(host="127.0.0.2", port=port)
    assert_works(run_check(port, connect_to=("127.0.0.1", "127.0.0.2")))


# --- healthy configurations -----------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["rsa:2048", "ec:secp256r1", "ec:secp384r1"])
def test_healthy_key_types(run_check: Check, tls_origin, pki: SessionPki,
                           key_type: str) -> None:
    report = run_check(tls_origin(pki.issue(NAME, key_type=key_type), **TLS12).port)
    assert_works(report)
    assert [s.status for s in report.stages] == [Status.PASS] * 5
    http = report.per_address[0].http
    assert http is not None and http.status_code == 200


def test_healthy_tls12_with_several_suites(run_check: Check, tls_origin) -> None:
    server = tls_origin(ciphers="ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
                        "AES128-SHA:AES256-SHA", **TLS12)
    report = run_check(server.port)
    assert_works(report)
    tls12 = next(r for r in report.per_address[0].protocols if r.protocol is Protocol.TLSv1_2)
    assert set(tls12.accepted_ciphers) == {"ECDHE-RSA-AES128-GCM-SHA256",
                                           "ECDHE-RSA-AES256-GCM-SHA384", "AES128-SHA",
                                           "AES256-SHA"}


def test_healthy_modern_server_with_tls10_also_enabled(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin().port, protocols=(Protocol.TLSv1, Protocol.TLSv1_2))
    assert_works(report)


def test_healthy_sni_server_with_the_forwarded_host(run_check: Check, tls_origin,
                                                    pki: SessionPki) -> None:
    server = tls_origin(pki.issue("default.example.com"),
                        sni={"www.example.com": pki.issue("www.example.com")})
    report = run_check(server.port, host_header="www.example.com")
    assert_works(report)
    assert "www.example.com" in server.server_names
    # without the forwarded Host, the default certificate does not fit
    assert_fails(run_check(server.port), ["cert-name-mismatch"])


def test_healthy_with_the_full_chain_via_s_server(run_check: Check, s_server) -> None:
    assert_works(run_check(s_server(flags=("-no_tls1_3",)).port))


@pytest.mark.parametrize("cipher", ["3des", "rc4"])
def test_healthy_suites_the_local_openssl_lacks(run_check: Check, pki: SessionPki,
                                                cipher: str) -> None:
    macs = ("md5",) if cipher == "rc4" else ("sha",)
    with TlsliteServer(pki.leaf, min_version=(3, 3), max_version=(3, 3), cipher_names=(cipher,),
                       mac_names=macs) as server:
        report = run_check(server.port)
    assert_works(report)
    assert stage_status(report, Stage.HTTP) is Status.SKIPPED


def test_no_http_skips_the_request(run_check: Check, tls_origin) -> None:
    report = run_check(tls_origin(behaviour="close").port, http=False)
    assert_works(report)
    assert stage_status(report, Stage.HTTP) is Status.SKIPPED


def test_address_this_machine_cannot_reach_is_untested_not_blamed() -> None:
    """A bastion without IPv6: the AAAA address fails locally (ENETUNREACH). That is no
    evidence against the origin; the other address decides."""
    target = Target(domain=NAME, port=443)
    v4 = AddressReport("192.0.2.10", TcpResult("192.0.2.10", 443, True, TcpOutcome.CONNECTED))
    v6 = AddressReport("2001:db8::10", TcpResult("2001:db8::10", 443, False,
                                                  TcpOutcome.NO_ROUTE_HERE,
                                                  "Network is unreachable"))
    v = verdict.decide(target, [v4, v6])
    assert [c.code for c in v.causes] == ["address-untested"]
    assert not v.would_fail and v.http_status is None


def test_tcp_timeout_message_counts_connection_attempts() -> None:
    target = Target(domain=NAME, port=443, connect_timeout=10, connection_attempts=3)
    report = AddressReport("192.0.2.10", TcpResult("192.0.2.10", 443, False, TcpOutcome.TIMEOUT))
    (cause_,) = verdict.tcp_causes(target, report)
    assert cause_.code == "tcp-timeout" and "3 times, about 30 s" in cause_.message


# --- stages are units ------------------------------------------------------------------


def test_a_stage_that_cannot_finish_is_reported_not_raised(run_check: Check, tls_origin,
                                                           tmp_path: Path) -> None:
    """check() never raises for what a file can do: an unreadable CA file stops the
    certificate stage only, and the report says the check is incomplete."""
    broken = tmp_path / "ca.pem"
    broken.write_text("not a certificate\n")
    report = run_check(tls_origin().port, ca_file=str(broken))
    c = cause(report, "check-incomplete")
    assert c.stage is Stage.CERTIFICATE and "TrustStoreError" in c.message
    assert "--ca-file" in c.fix
    assert stage_status(report, Stage.CERTIFICATE) is Status.WARN
    assert stage_status(report, Stage.TLS) is Status.PASS
    assert stage_status(report, Stage.HTTP) is Status.PASS  # the other stages still ran
    assert "check incomplete" in report_mod.verdict_line(report)


def test_every_cause_code_has_a_rule_and_a_fix_for_each_variant() -> None:
    for code in CauseCode:
        rule = code.rule
        assert rule.blocking == (rule.http_status in (502, 504)), code
        assert "default" in rule.fixes, code
        for template in rule.fixes.values():
            assert template.strip() and not template.endswith(" "), code


# --- certificates CloudFront's TLS stack refuses though `openssl verify` accepts them -----


def test_sha1_signed_leaf_is_cert_signature_weak(run_check: Check, tls_origin,
                                                 pki: SessionPki) -> None:
    sound = pki.issue(NAME)
    assert sound.issuer is not None
    weak = resign(Made(sound.der, sound.key), sound.issuer.key, "sha1")
    leaf = pkimod.Issued(weak.cert, sound.key, sound.issuer)
    report = run_check(tls_origin(leaf, ciphers="DEFAULT:@SECLEVEL=0").port)
    assert_fails(report, ["cert-signature-weak"])
    c = cause(report, "cert-signature-weak")
    assert "sha1WithRSAEncryption" in c.message and NAME in c.message
    assert "cert-chain-incomplete" not in {x.code for x in report.verdict.causes}


def test_client_auth_leaf_is_not_a_server_certificate(run_check: Check, tls_origin,
                                                      pki: SessionPki) -> None:
    leaf = pki.issue(NAME, client=True)
    report = run_check(tls_origin(leaf).port)
    assert_fails(report, ["cert-untrusted"])
    assert "not a TLS server certificate" in cause(report, "cert-untrusted").message


# --- an origin that speaks a version only with suites outside CloudFront's list -------------


@pytest.mark.parametrize("cipher", ["aNULL:@SECLEVEL=0", "eNULL:@SECLEVEL=0"],
                         ids=["anonymous-only", "null-only"])
def test_version_spoken_only_with_null_or_anonymous_suites_is_a_cipher_mismatch(
        run_check: Check, s_server, cipher: str) -> None:
    """The broad hello offers every suite there is, so the fix does not send the owner to
    enable a protocol the origin already speaks."""
    report = run_check(s_server(flags=("-no_tls1_3",), cipher=cipher).port)
    assert_fails(report, ["tls-cipher-mismatch"])
    tls12 = next(p for p in report.per_address[0].protocols if p.protocol is Protocol.TLSv1_2)
    assert tls12.accepted is True and tls12.broad_cipher
    assert ("NULL" in tls12.broad_cipher or tls12.broad_cipher.startswith(("ADH", "AECDH")))
    assert all(a.violation is None for a in tls12.attempts)


def test_a_chain_over_the_local_openssl_limit_is_not_the_origins_fault(
        run_check: Check, tls_origin, pki: SessionPki) -> None:
    """10,000 SANs (about 190 KB) pass the raw probe; the local OpenSSL refuses the message
    in the real handshake. That is a limitation here, never tls-handshake-failed."""
    names = [NAME] + [f"h{i}.example.com" for i in range(10_000)]
    report = run_check(tls_origin(pki.issue(*names), **TLS12).port)
    assert_works(report)
    http = report.per_address[0].http
    assert http is not None and http.outcome.value == "skipped"
    assert "local OpenSSL" in (http.error or "")
    assert stage_status(report, Stage.HTTP) is Status.SKIPPED
