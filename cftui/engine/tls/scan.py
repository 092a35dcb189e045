"""Which protocols and which of CloudFront's suites an origin accepts.

Per protocol: offer CloudFront's suites and record the pick (the suite CloudFront
would get); for an enabled protocol, then offer every other suite on its own, all at
once, to learn which ones the origin accepts.
When the origin refuses CloudFront's offer outright, one broad hello tells "no
protocol in common" from "no suite in common".
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Generator, Iterable
from typing import Any

from cftui.engine import profile
from cftui.engine.model import Outcome, ProtocolAttempt, ProtocolResult, Purpose
from cftui.engine.net.connect import Cancelled, Endpoint
from cftui.engine.pending import Pending
from cftui.engine.profile import Protocol
from cftui.engine.tls import hello
from cftui.engine.tls.loop import probe_loop
from cftui.engine.tls.probe import attempt
from cftui.engine.tls.registry import alert_reason

OnAttempt = Callable[[ProtocolAttempt], None]
OnProtocol = Callable[[ProtocolResult], None]

SCANNED = profile.SCANNED_PROTOCOLS


def _ignore(_: object) -> None:
    pass


def attempt_error(a: ProtocolAttempt) -> str | None:
    """Why an attempt did not get an acceptable ServerHello, in s_client's words."""
    if a.accepted:
        return None
    if a.outcome is Outcome.ALERT and a.flight and a.flight.alert:
        return alert_reason(a.flight.alert.description)
    if a.outcome is Outcome.SERVER_HELLO:
        violation = a.violation
        if violation:
            return violation
        got = a.negotiated
        if a.server_hello and a.server_hello.is_hello_retry_request:
            return "the origin asked for another key share (HelloRetryRequest)"
        return f"the origin answered with {got.value if got else 'another version'} instead"
    return a.error or a.outcome.value


def broken_flight_error(a: ProtocolAttempt) -> str | None:
    """Why an attempt that got an acceptable ServerHello still did not finish its first
    flight (reset, closed, stalled, malformed, too large), or None when it did."""
    if not a.accepted or a.outcome is Outcome.SERVER_HELLO:
        return None
    if a.outcome is Outcome.ALERT and a.flight and a.flight.alert:
        return f"{alert_reason(a.flight.alert.description)} after the ServerHello"
    return f"{a.error or a.outcome.value} after the ServerHello"


Offers = list[tuple[hello.HelloSpec, Purpose]]
#: One protocol's scan: yields the ClientHellos to send next (each on its own
#: connection, all at once), receives their attempts in the same order, and returns
#: the protocol's result. The driver decides how the connections are made.
Steps = Generator[Offers, list[ProtocolAttempt], ProtocolResult]


def _steps(endpoint: Endpoint, protocol: Protocol, sni: str | None, enabled: bool,
           alpn: tuple[bytes, ...] = ()) -> Steps:
    """`alpn`: what CloudFront's hello offers in ALPN (`profile.CLOUDFRONT_ALPN`); every
    hello of the scan carries it, so the origin answers the hello CloudFront sends."""
    if protocol is Protocol.TLSv1_3:
        (a,) = yield [(hello.tls13_hello(sni, alpn), Purpose.INFO)]
        spoken = a.outcome is Outcome.SERVER_HELLO and a.negotiated is Protocol.TLSv1_3
        reached = a.outcome is not Outcome.CONNECT_FAILED  # NOT_TLS: reached, no TLS: False
        return _result(protocol, False, spoken if reached else None, (), [a], endpoint,
                       error=None if spoken else attempt_error(a),
                       broad=a.cipher if spoken and a.server_hello
                       and not a.server_hello.is_hello_retry_request else None)

    suites = [s.code for s in profile.cloudfront_suites_for(protocol)]
    (last,) = yield [(hello.cloudfront_hello(protocol, sni, suites, alpn), Purpose.CLOUDFRONT)]
    attempts = [last]
    if last.accepted:
        accepted = [last.cipher or 0]
        broken = broken_flight_error(last)
        if enabled and broken is None:
            # CloudFront's pick is known; every other suite is offered on its own, all at
            # once, instead of one removal at a time (2 round trips, not 2 per suite).
            specs = [hello.cloudfront_hello(protocol, sni, [code], alpn)
                     for code in suites if code != last.cipher]
            singles = yield [(spec, Purpose.ENUMERATE) for spec in specs]
            # A connection limit or rate limit on the origin refuses or resets some of a
            # burst; such an answer says nothing about the suite: asked again, alone.
            for i, spec in enumerate(specs):
                if _turned_away(singles[i]):
                    (singles[i],) = yield [(spec, Purpose.ENUMERATE)]
            attempts += singles  # in CloudFront's order, not as they finished
            for single in singles:
                if single.accepted:
                    accepted.append(single.cipher or 0)
                    broken = broken or broken_flight_error(single)
        return _result(protocol, enabled, True, accepted, attempts, endpoint, error=broken)
    error = attempt_error(last)
    if last.outcome is Outcome.CONNECT_FAILED:  # never reached: unknown
        return _result(protocol, enabled, None, (), attempts, endpoint, error=error)
    if last.outcome is Outcome.NOT_TLS:  # reached, and it answers in something else
        return _result(protocol, enabled, False, (), attempts, endpoint, error=error)
    if last.version_refused:
        return _result(protocol, enabled, False, (), attempts, endpoint, error=error)
    (broad,) = yield [(hello.broad_hello(protocol, sni, alpn), Purpose.BROAD)]
    attempts.append(broad)
    if broad.accepted:
        return _result(protocol, enabled, True, (), attempts, endpoint, error=error,
                       broad=broad.cipher)
    return _result(protocol, enabled, False, (), attempts, endpoint, error=error)


def scan_protocol(
    endpoint: Endpoint,
    protocol: Protocol,
    sni: str | None,
    enabled: bool,
    cancel: threading.Event | None = None,
    on_attempt: OnAttempt = _ignore,
    alpn: tuple[bytes, ...] = (),
) -> ProtocolResult:
    """Probe one protocol version on one address, one connection after another (a whole
    check starts every offer of a step at once: `start_scan`)."""
    steps = _steps(endpoint, protocol, sni, enabled, alpn)
    sent: list[ProtocolAttempt] | None = None
    while True:
        try:
            offers = steps.send(sent)  # type: ignore[arg-type]  # None starts it
        except StopIteration as stop:
            result: ProtocolResult = stop.value
            return result
        sent = []
        for spec, purpose in offers:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            sent.append(attempt(endpoint, spec, purpose))
            on_attempt(sent[-1])


class _Driver:
    """Feeds each protocol's steps the attempts it asked for. Replies arrive on the
    probe loop's thread and the next offers leave from there: no thread waits per
    connection. Nothing here may raise into the loop; the first error ends the scan."""

    def __init__(self, endpoint: Endpoint, scans: dict[Protocol, Steps],
                 cancel: threading.Event | None, on_attempt: OnAttempt,
                 on_protocol: OnProtocol = _ignore) -> None:
        self.endpoint, self.scans, self.cancel = endpoint, scans, cancel
        self.on_attempt, self.on_protocol = on_attempt, on_protocol
        self.loop = probe_loop()
        self.results: dict[Protocol, ProtocolResult] = {}
        self.answers: dict[Protocol, list[ProtocolAttempt | None]] = {}
        self.error: BaseException | None = None
        self.done: Pending[dict[Protocol, ProtocolResult]] = Pending()
        self.lock = threading.Lock()

    def start(self) -> Pending[dict[Protocol, ProtocolResult]]:
        with self.lock:
            for protocol in self.scans:
                self._advance(protocol, None)
            self._settle()
        return self.done

    def _advance(self, protocol: Protocol, sent: list[ProtocolAttempt] | None) -> None:
        if self.error is not None:
            return
        try:
            offers = self.scans[protocol].send(sent)  # type: ignore[arg-type]  # None: start
        except StopIteration as stop:
            self.results[protocol] = stop.value
            self._tell(self.on_protocol, stop.value)
            return
        except BaseException as exc:  # a bug in a step: the scan's error, not the loop's
            self.error = exc
            return
        if self.cancel is not None and self.cancel.is_set():
            self.error = Cancelled()
            return
        self.answers[protocol] = [None] * len(offers)
        for i, (spec, purpose) in enumerate(offers):
            self.loop.submit(self.endpoint, spec, purpose,
                             functools.partial(self._reply, protocol, i))

    def _tell(self, listener: Callable[[Any], None], what: object) -> None:
        try:
            listener(what)
        except BaseException as exc:
            self.error = self.error or exc

    def _reply(self, protocol: Protocol, i: int,
               answer: ProtocolAttempt | BaseException) -> None:
        with self.lock:
            if isinstance(answer, BaseException):
                # Cancelled when the check is; probes still out end on their own
                self.error = self.error or answer
            elif self.error is None:
                self._tell(self.on_attempt, answer)
                got = self.answers[protocol]
                got[i] = answer
                if all(a is not None for a in got):
                    del self.answers[protocol]
                    self._advance(protocol, [a for a in got if a is not None])
            self._settle()

    def _settle(self) -> None:
        if self.error is not None:
            self.done.set_exception(self.error)
        elif len(self.results) == len(self.scans):
            self.done.set_result(self.results)


def _turned_away(a: ProtocolAttempt) -> bool:
    """No TLS answer at all: refused, or reset before a single byte came back."""
    return a.outcome is Outcome.CONNECT_FAILED or (
        a.outcome is Outcome.RESET and a.bytes_read == 0)


def _result(protocol: Protocol, enabled: bool, accepted: bool | None, ciphers: Iterable[int],
            attempts: list[ProtocolAttempt], endpoint: Endpoint, error: str | None = None,
            broad: int | None = None) -> ProtocolResult:
    names = tuple(profile.suite_name(c) for c in ciphers)
    return ProtocolResult(
        protocol=protocol,
        enabled=enabled,
        accepted=accepted,
        cipher=names[0] if names else None,
        accepted_ciphers=names,
        error=error,
        broad_cipher=profile.suite_name(broad) if broad is not None else None,
        attempts=tuple(attempts),
        address=endpoint.address,
    )


def start_scan(
    endpoint: Endpoint,
    sni_for: Callable[[Protocol], str | None],
    enabled: Iterable[Protocol],
    cancel: threading.Event | None = None,
    on_attempt: OnAttempt = _ignore,
    on_protocol: OnProtocol = _ignore,
    alpn: tuple[bytes, ...] = (),
) -> Pending[dict[Protocol, ProtocolResult]]:
    """Start all protocols on one address, side by side on the probe loop, and return at
    once. Every single-suite offer of an enumeration starts together (the endpoint's
    budget caps the connections in flight). `on_attempt` and `on_protocol` are called
    on the loop's thread as answers come: they must only hand them over. `alpn` is what
    CloudFront offers in ALPN (`profile.CLOUDFRONT_ALPN[target.http_version]`)."""
    enabled_set = set(enabled)
    return _Driver(endpoint, {p: _steps(endpoint, p, sni_for(p), p in enabled_set, alpn)
                              for p in SCANNED}, cancel, on_attempt, on_protocol).start()


def scan_address(
    endpoint: Endpoint,
    sni_for: Callable[[Protocol], str | None],
    enabled: Iterable[Protocol],
    cancel: threading.Event | None = None,
    on_attempt: OnAttempt = _ignore,
    alpn: tuple[bytes, ...] = (),
) -> tuple[ProtocolResult, ...]:
    """All protocols on one address; results in SCANNED order."""
    results = start_scan(endpoint, sni_for, enabled, cancel, on_attempt, alpn=alpn).result()
    return in_order(results)


def in_order(results: dict[Protocol, ProtocolResult]) -> tuple[ProtocolResult, ...]:
    return tuple(results[p] for p in SCANNED)
