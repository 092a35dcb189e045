"""The hostile-origin corpus: misbehaving loopback peers, each with its exact cause code.

Every check runs with 1 s timeouts and must end within the timeouts that peer can
make expire one after the other, plus one second. A peer can make at most these
expire in sequence: per protocol (protocols run concurrently) the CloudFront offer
and then the broad offer when the first is not accepted, or one offer when the
origin picks a suite and then breaks off; then the HTTP stage's handshake
(connect timeout) and its response (read timeout).
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from answers import (
    chain,
    close_at_once,
    compression_not_offered,
    cut_certificate,
    data_before_hello,
    empty_certificate_list,
    flight_of,
    handshake_longer_than_record,
    hello_only,
    long_session_id,
    record_over_limit,
    reset_after_client_hello,
    second_server_hello,
    several_megabytes,
    silent_forever,
    tls13_answer_to_anything,
    truncated_record,
    unoffered_suite,
    unparseable_certificate,
    version_above_offer,
)
from peers import (
    Step,
    alert,
    answer,
    banner,
    flood,
    good_flight,
    handshake,
    quietly,
    record,
    trickle,
)
from support import SessionPki
from support.hostile import CONNECT_TIMEOUT, READ_TIMEOUT, Checked, Hostile, RunCheck, TlsOrigins

from cftui.demo.behaviours import drain, finish, read_head
from cftui.demo.servers import TlsOrigin
from cftui.engine import report as report_mod
from cftui.engine.profile import MAX_RESPONSE_HEADER_BYTES, Protocol
from cftui.engine.results import Stage, Status

HANDSHAKE_FAILED = frozenset({"tls-handshake-failed"})
NOT_TLS = frozenset({"not-tls"})
BAD_RESPONSE = frozenset({"origin-bad-response"})
READ_TIMEOUT_CODE = frozenset({"origin-read-timeout"})
REAL_CLIENT = "a real client"


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[SessionPki], Step]
    codes: frozenset[str]
    stalls: int = 0  # connect timeouts that can expire one after the other
    says: str | None = None  # in the first blocking cause's message


CASES = [
    Case("garbage-bytes", lambda p: answer(lambda h: b"\x00\xffno TLS here\x1b[2J" * 40),
         NOT_TLS, says="not TLS"),
    Case("plain-http-answer", lambda p: answer(lambda h: b"HTTP/1.1 400 Bad Request\r\n\r\n"),
         NOT_TLS, says="plain HTTP"),
    Case("ssh-banner-first", lambda p: banner(b"SSH-2.0-OpenSSH_9.6\r\n"), NOT_TLS),
    Case("sslv2-server-hello", lambda p: answer(lambda h: b"\x80\x2e\x04\x00\x01" + bytes(60)),
         NOT_TLS),
    Case("close-before-reading", lambda p: quietly(close_at_once), HANDSHAKE_FAILED),
    Case("reset-after-client-hello", lambda p: quietly(reset_after_client_hello),
         HANDSHAKE_FAILED, says="reset"),
    Case("reset-after-server-hello", lambda p: answer(hello_only, "reset"), HANDSHAKE_FAILED,
         says="reset"),
    Case("reset-mid-certificate", lambda p: answer(cut_certificate(p), "reset"),
         HANDSHAKE_FAILED, says="reset"),
    Case("fin-mid-certificate", lambda p: answer(cut_certificate(p), "close"),
         HANDSHAKE_FAILED),
    Case("slowloris-one-byte-a-second", lambda p: trickle(flight_of(p)), HANDSHAKE_FAILED,
         stalls=2, says="timed out"),
    Case("server-hello-then-silence", lambda p: answer(hello_only, "hold"), HANDSHAKE_FAILED,
         stalls=2),
    Case("accepts-and-never-closes", lambda p: quietly(silent_forever), HANDSHAKE_FAILED,
         stalls=2, says="timed out"),
    Case("truncated-record-then-close", lambda p: answer(truncated_record, "close"),
         HANDSHAKE_FAILED, says="truncated"),
    Case("truncated-record-then-silence", lambda p: answer(truncated_record, "hold"),
         HANDSHAKE_FAILED, stalls=2),
    Case("record-over-tls-limit", lambda p: answer(record_over_limit, "hold"),
         HANDSHAKE_FAILED, says="over the TLS limit"),
    Case("handshake-longer-than-record", lambda p: answer(handshake_longer_than_record(p)),
         HANDSHAKE_FAILED),
    Case("zero-length-records-forever", lambda p: flood(lambda h: b"", record(22, b"")),
         HANDSHAKE_FAILED, says="empty records"),
    Case("zero-length-records-after-hello", lambda p: flood(hello_only, record(22, b"")),
         HANDSHAKE_FAILED),
    Case("alert-unknown-description", lambda p: answer(lambda h: alert(2, 255)),
         HANDSHAKE_FAILED, says="255"),
    Case("alert-unknown-level", lambda p: answer(lambda h: alert(9, 40)), HANDSHAKE_FAILED),
    Case("warning-alerts-forever", lambda p: flood(hello_only, alert(1, 112)),
         HANDSHAKE_FAILED),
    Case("hello-requests-forever",
         lambda p: flood(hello_only, record(22, handshake(0, b"") * 1000)), HANDSHAKE_FAILED,
         stalls=1),  # OpenSSL skips HelloRequests in its handshake until the deadline
    Case("suite-not-offered", lambda p: answer(unoffered_suite(p)), HANDSHAKE_FAILED,
         says=REAL_CLIENT),
    Case("version-not-offered", lambda p: answer(version_above_offer(p)), HANDSHAKE_FAILED,
         says=REAL_CLIENT),
    Case("compression-not-offered", lambda p: answer(compression_not_offered(p)),
         HANDSHAKE_FAILED),
    Case("chain-of-several-megabytes", lambda p: answer(several_megabytes(p)),
         HANDSHAKE_FAILED),
    Case("empty-certificate-list", lambda p: answer(empty_certificate_list), HANDSHAKE_FAILED),
    Case("second-server-hello", lambda p: answer(second_server_hello), HANDSHAKE_FAILED),
    Case("data-before-server-hello", lambda p: answer(data_before_hello), HANDSHAKE_FAILED),
    Case("session-id-of-33-bytes", lambda p: answer(long_session_id), HANDSHAKE_FAILED),
]


def within(checked: Checked, stalls: int, reads: int = 0) -> None:
    worst = stalls * CONNECT_TIMEOUT + reads * READ_TIMEOUT
    assert checked.elapsed < worst + 1.0, f"took {checked.elapsed:.2f} s, worst case {worst} s"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_peer(case: Case, pki: SessionPki, hostile: Hostile,
                      run_check: RunCheck) -> None:
    peer = hostile(case.make(pki))
    got = run_check(peer.port)
    assert got.blocking == case.codes, got.report.verdict.causes
    assert got.report.verdict.would_fail
    assert not got.report.cancelled
    within(got, case.stalls)
    if case.says:
        first = next(c for c in got.report.verdict.causes if c.blocking)
        assert case.says in first.message


#: Peers that pick a suite, then break their first flight: the HTTP stage's real
#: handshake fails too, but the verdict must not depend on it (--no-http, or a suite the
#: local OpenSSL cannot finish).
BROKEN_AFTER_HELLO = ("reset-after-server-hello", "reset-mid-certificate", "fin-mid-certificate",
                      "server-hello-then-silence", "warning-alerts-forever",
                      "chain-of-several-megabytes", "compression-not-offered")


@pytest.mark.parametrize("case", [c for c in CASES if c.id in BROKEN_AFTER_HELLO],
                         ids=lambda c: c.id)
def test_broken_first_flight_fails_without_the_http_stage(case: Case, pki: SessionPki,
                                                          hostile: Hostile,
                                                          run_check: RunCheck) -> None:
    peer = hostile(case.make(pki))
    got = run_check(peer.port, http=False)
    assert got.blocking == case.codes, got.report.verdict.causes
    tls = got.report.stage(Stage.TLS)
    assert tls is not None and tls.status is Status.FAIL, tls
    within(got, 1)


def test_tls13_answer_to_a_tls12_offer_is_a_violation_first(hostile: Hostile,
                                                            run_check: RunCheck) -> None:
    """A stack that answers TLS 1.3 whatever is offered: the first cause is the violation."""
    peer = hostile(answer(tls13_answer_to_anything, "hold"))
    got = run_check(peer.port)
    first = next(c for c in got.report.verdict.causes if c.blocking)
    assert first.code == "tls-handshake-failed"
    assert REAL_CLIENT in first.message and "TLSv1.3" in first.message
    assert got.blocking <= {"tls-handshake-failed", "tls-protocol-mismatch"}
    within(got, 1)  # a real TLS 1.3 handshake may try to read the chain, and stall


def test_unparseable_certificate_is_cert_malformed(hostile: Hostile,
                                                   run_check: RunCheck) -> None:
    peer = hostile(answer(unparseable_certificate))
    got = run_check(peer.port)
    assert "cert-malformed" in got.blocking, got.report.verdict.causes
    cause = next(c for c in got.report.verdict.causes if c.code == "cert-malformed")
    assert cause.stage.value == "certificate"
    assert got.blocking <= {"cert-malformed", "tls-handshake-failed"}
    within(got, 0)


# --- a real TLS handshake, then a hostile HTTP answer ----------------------------------------


def _head_then(data: bytes) -> Callable[[ssl.SSLSocket], None]:
    def behave(tls: ssl.SSLSocket) -> None:
        read_head(tls)
        tls.sendall(data)
        finish(tls)

    return behave


def _endless_headers(tls: ssl.SSLSocket) -> None:
    read_head(tls)
    tls.sendall(b"HTTP/1.1 200 OK\r\n")
    for i in range(10_000):  # the client hangs up after 20 KB
        tls.sendall(f"X-Header-{i}: {'v' * 100}\r\n".encode())


def _trickle_status(stopping: threading.Event) -> Callable[[ssl.SSLSocket], None]:
    def behave(tls: ssl.SSLSocket) -> None:
        read_head(tls)
        for byte in b"HTTP/1.1 200 OK\r\n\r\n":
            tls.sendall(bytes((byte,)))
            if stopping.wait(1.0):
                return

    return behave


def _interim_then_silence(stopping: threading.Event) -> Callable[[ssl.SSLSocket], None]:
    def behave(tls: ssl.SSLSocket) -> None:
        read_head(tls)
        tls.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        drain(tls, stopping)

    return behave


MakeBehaviour = Callable[[threading.Event], Callable[[ssl.SSLSocket], None]]
HTTP_CASES: list[tuple[str, MakeBehaviour, frozenset[str], int]] = [
    ("headers-of-100-kb", lambda s: _head_then(
        b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 100_000 + b"\r\n\r\nok"), BAD_RESPONSE, 0),
    ("head-just-over-the-limit", lambda s: _head_then(
        b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 25_000 + b"\r\n\r\nok"), BAD_RESPONSE, 0),
    ("headers-without-end", lambda s: _endless_headers, BAD_RESPONSE, 0),
    ("status-with-unicode-digits", lambda s: _head_then(
        "HTTP/1.1 ²²² OK\r\n\r\n".encode("latin-1")), BAD_RESPONSE, 0),
    ("garbage-instead-of-http", lambda s: _head_then(b"\x00\x1b[2J\xff" * 20), BAD_RESPONSE, 0),
    ("close-without-response", lambda s: lambda tls: (read_head(tls), finish(tls)),
     BAD_RESPONSE, 0),
    ("accepts-request-never-answers", lambda s: lambda tls: drain(tls, s), READ_TIMEOUT_CODE, 1),
    ("status-line-one-byte-a-second", _trickle_status, READ_TIMEOUT_CODE, 1),
    # CloudFront waits for the final response after an interim one
    ("100-continue-then-silence", _interim_then_silence, READ_TIMEOUT_CODE, 1),
    ("early-hints-then-200", lambda s: _head_then(
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), frozenset(), 0),
    ("switching-protocols-unasked", lambda s: _head_then(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"), BAD_RESPONSE, 0),
    ("status-000", lambda s: _head_then(b"HTTP/1.1 000 Zero\r\n\r\n"), BAD_RESPONSE, 0),
]


@pytest.mark.parametrize(("name", "make", "codes", "reads"), HTTP_CASES,
                         ids=[c[0] for c in HTTP_CASES])
def test_hostile_http_answer(name: str, make: MakeBehaviour, codes: frozenset[str], reads: int,
                             pki: SessionPki, _servers: contextlib.ExitStack,
                             run_check: RunCheck) -> None:
    origin = TlsOrigin(pki.leaf, io_timeout=5.0, min_version="TLSv1.2", max_version="TLSv1.2")
    origin.behaviour = make(origin.stopping)  # set first thing in stop(): no wait left
    _servers.enter_context(origin)
    got = run_check(origin.port)
    assert got.blocking == codes, got.report.verdict.causes
    within(got, 0, reads)
    if "origin-bad-response" in codes and name == "headers-of-100-kb":
        assert str(MAX_RESPONSE_HEADER_BYTES) in got.cause("origin-bad-response")


# --- certificates whose every text field is hostile -----------------------------------------

HOSTILE = "[@click=app.quit]x[/] \x1b[2J\x1b]0;owned\x07 \u202eevil\u202c \x00nul [/"
HOSTILE_DNS = ("[@click=app.quit]x[/].example.com", "\x1b]0;owned\x07.example.com",
               "nul\x00byte.example.com", "\x1b[2Jclear.example.com")


def _unsafe(text: str) -> list[str]:
    """Characters a terminal would act on: C0/C1 controls (but newline) and bidi controls."""
    bidi = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C}
    return [c for c in text if c != "\n"
            and (unicodedata.category(c) == "Cc" or ord(c) in bidi)]


def _assert_outputs_safe(got: Checked) -> None:
    report = got.report
    assert _unsafe(report_mod.to_text(report)) == []
    assert _unsafe(report_mod.to_markdown(report)) == []
    assert json.dumps(report_mod.to_json(report)).isascii()


def _hostile_leaf(pki: SessionPki, *, trusted: bool):
    from cftui.demo.pki import make_name

    subject = make_name(HOSTILE, organization=HOSTILE, organizational_unit=HOSTILE)
    names = ("origin.example.com", *HOSTILE_DNS) if trusted else HOSTILE_DNS
    return pki.issue(*names, subject=subject, self_signed=not trusted, key_index=7)


def test_hostile_text_in_a_trusted_certificate(pki: SessionPki, tls_origin: TlsOrigins,
                                               run_check: RunCheck) -> None:
    leaf = _hostile_leaf(pki, trusted=True)
    origin = tls_origin(leaf, io_timeout=5.0)
    got = run_check(origin.port)
    assert got.blocking == set(), got.report.verdict.causes
    cert = got.report.per_address[0].certificate
    assert cert is not None and cert.trusted and cert.name_match
    _assert_outputs_safe(got)
    within(got, 0)


def test_hostile_text_in_a_self_signed_mismatched_certificate(pki: SessionPki,
                                                               tls_origin: TlsOrigins,
                                                               run_check: RunCheck) -> None:
    leaf = _hostile_leaf(pki, trusted=False)
    origin = tls_origin(leaf, extra=(), io_timeout=5.0)
    got = run_check(origin.port, protocols=(Protocol.TLSv1_2,))
    assert got.blocking == {"cert-name-mismatch", "cert-untrusted"}, got.report.verdict.causes
    _assert_outputs_safe(got)
    within(got, 0)


def test_origin_that_ignores_a_narrower_offer_only_warns(pki: SessionPki, hostile,
                                                          run_check) -> None:
    """It always answers AES128-SHA: right for CloudFront's whole offer (which holds it),
    wrong once enumeration has taken it out. CloudFront itself would connect."""
    aes128_sha = 0x002F
    peer = hostile(answer(lambda hello: good_flight(hello, chain(pki), suite=aes128_sha)))
    got = run_check(peer.port, http=False)
    assert got.blocking == set(), got.report.verdict.causes
    assert "tls-offer-ignored" in got.codes
    assert "AES128-SHA" in got.cause("tls-offer-ignored")
