"""Deterministic engine objects for render tests and snapshots (no sockets, no clocks)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from cftui.engine import profile
from cftui.engine.causes import CauseCode, Severity
from cftui.engine.model import (
    Alert,
    FlightEnd,
    FlightMessage,
    Outcome,
    ProtocolAttempt,
    ProtocolResult,
    Purpose,
    ServerFlight,
    ServerHello,
)
from cftui.engine.profile import Protocol
from cftui.engine.results import (
    AddressesResolved,
    AddressReport,
    AttemptFinished,
    Cause,
    CertificateReport,
    CertInfo,
    CheckFinished,
    Event,
    ProtocolFinished,
    Report,
    Stage,
    StageFinished,
    StageResult,
    StageStarted,
    Status,
    TcpOutcome,
    TcpResult,
    Verdict,
)
from cftui.engine.target import Target

ADDRESS = "192.0.2.10"
TARGET = Target(domain="origin.example.com", port=443, protocols=(Protocol.TLSv1_2,),
                connect_to=(ADDRESS,), label="E2EXAMPLE / shop-origin")
CLIENT_HELLO = bytes.fromhex("160301") + (196).to_bytes(2, "big") + bytes(range(196))
ALERT_RAW = bytes([2, 40])
CHACHA = 0xCCA8


def _alert_flight(description: int) -> ServerFlight:
    message = FlightMessage("Alert", 21, 0x0303, None, bytes([2, description]))
    return ServerFlight((message,), FlightEnd.ALERT, 7, alert=Alert(2, description))


def _hello_flight() -> ServerFlight:
    hello = ServerHello(0x0303, bytes(32), b"", CHACHA, 0)
    messages = (
        FlightMessage("ServerHello", 22, 0x0303, 2, bytes.fromhex("02000026") + bytes(38)),
        FlightMessage("Certificate", 22, 0x0303, 11, bytes.fromhex("0b000010") + bytes(16)),
        FlightMessage("ServerHelloDone", 22, 0x0303, 14, bytes.fromhex("0e000000")),
    )
    return ServerFlight(messages, FlightEnd.HELLO_DONE, 80, server_hello=hello,
                        hello_done=True)


def attempt(protocol: Protocol, outcome: Outcome, flight: ServerFlight | None,
            purpose: Purpose = Purpose.CLOUDFRONT, offered: tuple[int, ...] | None = None,
            error: str | None = None) -> ProtocolAttempt:
    suites = offered if offered is not None else tuple(
        s.code for s in profile.cloudfront_suites_for(protocol))
    return ProtocolAttempt(protocol, ADDRESS, 443, "origin.example.com", purpose, suites,
                           CLIENT_HELLO, outcome, flight, error, duration_ms=12.0)


def protocol_results() -> tuple[ProtocolResult, ...]:
    refused = "tlsv1 alert protocol version"
    cf = attempt(Protocol.TLSv1_2, Outcome.ALERT, _alert_flight(40),
                 error="sslv3 alert handshake failure")
    # then each other suite alone (the engine enumerates in parallel): refused, not errors
    one = attempt(Protocol.TLSv1_2, Outcome.ALERT, _alert_flight(40), Purpose.ENUMERATE,
                  offered=(0xC02F,), error="sslv3 alert handshake failure")
    broad = attempt(Protocol.TLSv1_2, Outcome.SERVER_HELLO, _hello_flight(), Purpose.BROAD,
                    offered=(CHACHA,))
    rows = [ProtocolResult(Protocol.TLSv1_2, True, True, None, (), "sslv3 alert handshake "
                           "failure", "ECDHE-RSA-CHACHA20-POLY1305", (cf, one, broad), ADDRESS)]
    for p in (Protocol.TLSv1_1, Protocol.TLSv1, Protocol.SSLv3, Protocol.TLSv1_3):
        a = attempt(p, Outcome.ALERT, _alert_flight(70),
                    Purpose.INFO if p is Protocol.TLSv1_3 else Purpose.CLOUDFRONT)
        rows.append(ProtocolResult(p, False, False, None, (), refused, None, (a,), ADDRESS))
    return tuple(rows)


def cert_info(subject: str, issuer: str, *, ca: bool = False) -> CertInfo:
    return CertInfo(subject=subject, issuer=issuer, serial="01", not_before="2025-01-01T00:00:00Z",
                    not_after="2026-01-01T00:00:00Z",
                    san=() if ca else ("origin.example.com",), key_type="RSA", key_bits=2048,
                    signature_algorithm="sha256WithRSAEncryption", sha256=subject,
                    is_ca=ca)


def certificate(subject: str = "CN=origin.example.com") -> CertificateReport:
    chain = (cert_info(subject, "CN=Example Intermediate CA"),
             cert_info("CN=Example Intermediate CA", "CN=Example Root CA", ca=True))
    return CertificateReport(
        chain=chain, expected_name="origin.example.com", name_match=True,
        matched_name="origin.example.com", cn_only=False, trusted=True, chain_complete=True,
        missing_issuer=None, missing_issuer_url=None, in_order=True, extra_certs=(),
        days_left=200, expired=False, not_yet_valid=False, key_problem=None, trust_error=None,
        path=("CN=origin.example.com", "CN=Example Intermediate CA", "CN=Example Root CA"),
        address=ADDRESS)


CAUSE = Cause(CauseCode.TLS_CIPHER_MISMATCH, Severity.ERROR, Stage.TLS,
              "the origin speaks TLSv1.2 but accepts none of CloudFront's cipher suites",
              "enable an ECDHE-RSA-AES128-GCM-SHA256 or ECDHE-RSA-AES256-GCM-SHA384 suite "
              "on the origin")


def failing_report(target: Target = TARGET, cert: CertificateReport | None = None) -> Report:
    stages = (
        StageResult(Stage.DNS, Status.PASS, f"using {ADDRESS} (not resolved)", 1.0),
        StageResult(Stage.TCP, Status.PASS, "port 443 open (1 ms)", 1.0,
                    (f"{ADDRESS}:443 connected in 1 ms",)),
        StageResult(Stage.TLS, Status.FAIL, CAUSE.message, 30.0),
        # what the engine says of stages CloudFront never reaches (TLS blocks)
        StageResult(Stage.CERTIFICATE, Status.SKIPPED, "not reached by CloudFront; the origin "
                    "itself: valid for origin.example.com, trusted", 2.0),
        StageResult(Stage.HTTP, Status.SKIPPED, "not reached by CloudFront; the origin itself: "
                    "HTTP/1.1 200 OK", 5.0, (f"{ADDRESS}: HTTP/1.1 200 OK",)),
    )
    address = AddressReport(ADDRESS, TcpResult(ADDRESS, 443, True, TcpOutcome.CONNECTED),
                            protocol_results(), cert or certificate())
    return Report(target, (ADDRESS,), stages, (address,),
                  Verdict(True, 502, (CAUSE,)), started_at=1_700_000_000.0, duration_ms=40.0)


def events_of(report: Report) -> list[Event]:
    """The events the engine would post for this report, in order."""
    events: list[Event] = []
    for result in report.stages:
        events.append(StageStarted(result.stage))
        if result.stage is Stage.TLS:
            for address in report.per_address:
                for r in address.protocols:
                    events.extend(AttemptFinished(a) for a in r.attempts)
                    events.append(ProtocolFinished(r))
        events.append(StageFinished(result))
        if result.stage is Stage.DNS:
            events.append(AddressesResolved(report.addresses))
    events.append(CheckFinished(report))
    return events


def replaying(report: Report) -> Callable[..., Report]:
    """A checker that replays a report's events (for snapshots)."""

    def check(target: Target, *, on_event: Callable[[Event], None] = lambda e: None,
              cancel: threading.Event | None = None) -> Report:
        result = replace(report, target=target)
        for event in events_of(result):
            on_event(event)
        return result

    return check
