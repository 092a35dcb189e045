"""Run every stage CloudFront goes through for one origin, reporting progress as events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from cftui.engine import verdict
from cftui.engine.http import fetch
from cftui.engine.model import ProtocolAttempt, ProtocolResult, Target
from cftui.engine.net import dns
from cftui.engine.net.connect import Cancelled, Endpoint
from cftui.engine.net.tcp import tcp_connect
from cftui.engine.profile import Protocol, sni_name
from cftui.engine.results import (
    AddressesResolved,
    AddressReport,
    AttemptFinished,
    CertificateReport,
    CheckFinished,
    Event,
    HttpResult,
    ProtocolFinished,
    Report,
    Stage,
    StageFinished,
    StageResult,
    StageStarted,
    Status,
    TcpResult,
)
from cftui.engine.tls import scan, tls13chain
from cftui.engine.tls.handshake import LOCAL_SUITES
from cftui.engine.x509.info import CertificateParseError
from cftui.engine.x509.judge import TrustStoreError, judge

OnEvent = Callable[[Event], None]


def _ignore(_: Event) -> None:
    pass


class _Run:
    def __init__(self, target: Target, on_event: OnEvent, cancel: threading.Event) -> None:
        self.target = target
        self.on_event = on_event
        self.cancel = cancel
        self.stages: list[StageResult] = []
        self.started = time.monotonic()
        self.started_at = time.time()

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled

    def stage(self, stage: Stage, work: Callable[[], tuple[Status, str, tuple[str, ...]]]) -> None:
        self.check_cancel()
        self.on_event(StageStarted(stage))
        start = time.monotonic()
        status, summary, details = work()
        result = StageResult(stage, status, summary, (time.monotonic() - start) * 1000, details)
        self.stages.append(result)
        self.on_event(StageFinished(result))

    def skip(self, stage: Stage, why: str) -> None:
        result = StageResult(stage, Status.SKIPPED, why)
        self.stages.append(result)
        self.on_event(StageFinished(result))

    def endpoint(self, address: str) -> Endpoint:
        t = self.target
        return Endpoint(address, t.port, t.connect_timeout, t.connect_timeout)


def check(target: Target, *, on_event: OnEvent = _ignore,
          cancel: threading.Event | None = None) -> Report:
    """Check one origin. Blocks; call it from a worker thread. Never raises for network
    trouble; raises TrustStoreError when the extra CA file cannot be read."""
    run = _Run(target, on_event, cancel or threading.Event())
    reports: dict[str, AddressReport] = {}
    addresses: tuple[str, ...] = ()
    dns_error: str | None = None
    cancelled = False
    with ThreadPoolExecutor(max_workers=16, thread_name_prefix="cftui") as pool:
        try:
            addresses, dns_error = _dns(run)
            if addresses:
                _tcp(run, addresses, reports, pool)
                _tls(run, reports, pool)
                _certificate(run, reports)
                _http(run, reports, pool)
            else:
                for stage in (Stage.TCP, Stage.TLS, Stage.CERTIFICATE, Stage.HTTP):
                    run.skip(stage, "no address to connect to")
        except Cancelled:
            cancelled = True
    per_address = tuple(reports.get(a, AddressReport(a)) for a in addresses)
    report = Report(
        target=target,
        addresses=addresses,
        stages=tuple(run.stages),
        per_address=per_address,
        verdict=verdict.decide(target, per_address, dns_error),
        started_at=run.started_at,
        duration_ms=(time.monotonic() - run.started) * 1000,
        dns_error=dns_error,
        cancelled=cancelled,
    )
    on_event(CheckFinished(report))
    return report


def _dns(run: _Run) -> tuple[tuple[str, ...], str | None]:
    target = run.target
    found: list[tuple[str, ...]] = []
    error: list[str] = []

    def work() -> tuple[Status, str, tuple[str, ...]]:
        if target.connect_to:
            found.append(tuple(target.connect_to))
            return (Status.PASS, f"using {', '.join(target.connect_to)} (not resolved)", ())
        try:
            addresses = dns.resolve(target.domain, target.port, target.connect_timeout)
        except dns.ResolveError as exc:
            error.append(str(exc))
            return Status.FAIL, str(exc), ()
        found.append(addresses)
        plural = "es" if len(addresses) > 1 else ""
        return Status.PASS, f"{len(addresses)} address{plural}: {', '.join(addresses)}", ()

    run.stage(Stage.DNS, work)
    if found:
        run.on_event(AddressesResolved(found[0]))
        return found[0], None
    return (), error[0] if error else "no address"


def _tcp(run: _Run, addresses: Sequence[str], reports: dict[str, AddressReport],
         pool: ThreadPoolExecutor) -> None:
    def work() -> tuple[Status, str, tuple[str, ...]]:
        results = list(pool.map(lambda a: tcp_connect(run.endpoint(a)), addresses))
        for r in results:
            reports[r.address] = AddressReport(r.address, tcp=r)
        details = tuple(_tcp_line(r) for r in results)
        if all(r.connected for r in results):
            took = max(r.duration_ms for r in results)
            return Status.PASS, f"port {run.target.port} open ({took:.0f} ms)", details
        statuses = [Status.PASS if r.connected else
                    Status.WARN if r.outcome == "no-route-here" else Status.FAIL
                    for r in results]
        lines = [f"{r.address}: " + (f"port {r.port} open" if r.connected else
                                     f"{r.error} (not tested from here)"
                                     if r.outcome == "no-route-here" else f"{r.error}")
                 for r in results]
        return _worst(statuses), _combine(statuses, lines), details

    run.stage(Stage.TCP, work)


def _tcp_line(r: TcpResult) -> str:
    if r.connected:
        return f"{r.address}:{r.port} connected in {r.duration_ms:.0f} ms"
    return f"{r.address}:{r.port} {r.error}"


def _tls(run: _Run, reports: dict[str, AddressReport], pool: ThreadPoolExecutor) -> None:
    target = run.target
    live = [a for a, r in reports.items() if r.tcp and r.tcp.connected]
    if not live:
        run.skip(Stage.TLS, "no TCP connection")
        return

    def on_attempt(attempt: ProtocolAttempt) -> None:
        run.on_event(AttemptFinished(attempt))

    def one(address: str) -> tuple[str, tuple[ProtocolResult, ...]]:
        results = scan.scan_address(
            run.endpoint(address),
            lambda p: sni_name(target.domain, target.host_header, p),
            target.protocols, run.cancel, on_attempt)
        for r in results:
            run.on_event(ProtocolFinished(r))
        return address, results

    def work() -> tuple[Status, str, tuple[str, ...]]:
        for address, results in pool.map(one, live):
            reports[address] = replace(reports[address], protocols=results)
        run.check_cancel()
        return _tls_summary(target, [reports[a] for a in live])

    run.stage(Stage.TLS, work)


def _tls_summary(target: Target, reports: Sequence[AddressReport]
                 ) -> tuple[Status, str, tuple[str, ...]]:
    statuses, lines = [], []
    for report in reports:
        causes = verdict.tls_causes(target, report)
        working = [r for r in report.protocols if r.enabled and r.cloudfront_works]
        if any(c.blocking for c in causes) or not working:
            statuses.append(Status.FAIL)
            lines.append(f"{report.address}: {causes[0].message if causes else 'fails'}")
        else:
            statuses.append(Status.WARN if causes else Status.PASS)
            best = working[-1]
            lines.append(f"{report.address}: {best.protocol.value} {best.cipher}")
    return _worst(statuses), _combine(statuses, lines), tuple(lines)


def _worst(statuses: Sequence[Status]) -> Status:
    for status in (Status.FAIL, Status.WARN, Status.PASS):
        if status in statuses:
            return status
    return Status.SKIPPED


def _combine(statuses: Sequence[Status], lines: Sequence[str]) -> str:
    """One summary for several addresses: the first failing line, and how many fail."""
    if len(lines) == 1:
        return lines[0].split(": ", 1)[1]
    bad = [i for i, s in enumerate(statuses) if s in (Status.FAIL, Status.WARN)]
    if not bad:
        return f"all {len(lines)} addresses: {lines[0].split(': ', 1)[1]}"
    return f"{len(bad)} of {len(lines)} addresses: {lines[bad[0]]}"


def chain_for(results: Sequence[ProtocolResult]) -> tuple[bytes, ...]:
    """The chain to judge: from CloudFront's own accepted handshake if there is one,
    else from any attempt that got a certificate (a broad hello, another version)."""
    ordered = sorted(results, key=lambda r: (not r.enabled, -r.protocol.wire))
    for want_accepted in (True, False):
        for r in ordered:
            for a in r.attempts:
                if a.flight and a.flight.certificates and (a.accepted or not want_accepted):
                    return a.flight.certificates
    return ()


def _certificate(run: _Run, reports: dict[str, AddressReport]) -> None:
    target = run.target
    chains: dict[str, tuple[bytes, ...]] = {}
    for address, report in reports.items():
        chain = chain_for(report.protocols)
        if not chain and any(r.protocol is Protocol.TLSv1_3 and r.accepted
                             for r in report.protocols):
            # encrypted in TLS 1.3: a real TLS 1.3 handshake reads it
            chain = tls13chain.fetch_chain(run.endpoint(address), target.sni)
        if chain:
            chains[address] = chain
    if not chains:
        run.skip(Stage.CERTIFICATE, "no certificate received")
        return

    def work() -> tuple[Status, str, tuple[str, ...]]:
        judged: dict[str, CertificateReport] = {}
        lines = []
        for address, chain in chains.items():
            try:
                judged[address] = judge(chain, target.expected_name, target.ca_file,
                                        address=address)
            except CertificateParseError as exc:
                reports[address] = replace(reports[address], certificate_error=str(exc))
                lines.append(f"{address}: the certificate does not parse: {exc}")
        for address, cert in judged.items():
            reports[address] = replace(reports[address], certificate=cert)
        statuses = []
        for address in chains:
            causes = verdict.certificate_causes(reports[address])
            if address not in judged:
                statuses.append(Status.FAIL)
                continue
            statuses.append(Status.FAIL if any(c.blocking for c in causes)
                            else Status.WARN if causes else Status.PASS)
            leaf = judged[address].chain[0]
            lines.append(f"{address}: " + (causes[0].message if causes else
                                           f"valid for {target.expected_name}, trusted, "
                                           f"{judged[address].days_left} days left "
                                           f"({leaf.key_type} {leaf.key_bits})"))
        return _worst(statuses), _combine(statuses, lines), tuple(lines)

    run.stage(Stage.CERTIFICATE, work)


_LOCAL_SUITES = frozenset(s.openssl_name for s in LOCAL_SUITES)


def _locally_reachable(report: AddressReport) -> bool:
    """Whether the local OpenSSL can finish a handshake the origin accepts from CloudFront."""
    return any(r.enabled and r.protocol is not Protocol.SSLv3
               and _LOCAL_SUITES.intersection(r.accepted_ciphers) for r in report.protocols)


def _http(run: _Run, reports: dict[str, AddressReport], pool: ThreadPoolExecutor) -> None:
    target = run.target
    if not target.http:
        run.skip(Stage.HTTP, "skipped (--no-http)")
        return
    ready = [a for a, r in reports.items()
             if any(p.enabled and p.cloudfront_works for p in r.protocols)]
    if not ready:
        run.skip(Stage.HTTP, "no working TLS handshake to send a request over")
        return

    def one(address: str) -> HttpResult:
        if not _locally_reachable(reports[address]):
            return HttpResult(address, "skipped", error="request not sent: the origin speaks "
                              "CloudFront's offer only with SSLv3, RC4-MD5 or DES-CBC3-SHA, "
                              "which the local OpenSSL cannot")
        return fetch(run.endpoint(address), sni=target.sni, host=target.sni, path=target.path,
                     protocols=target.protocols, read_timeout=target.read_timeout)

    def work() -> tuple[Status, str, tuple[str, ...]]:
        results = list(pool.map(one, ready))
        statuses, lines = [], []
        for r in results:
            reports[r.address] = replace(reports[r.address], http=r)
            causes = verdict.http_causes(target, reports[r.address])
            if r.outcome == "skipped":
                statuses.append(Status.SKIPPED)
                lines.append(f"{r.address}: {r.error}")
                continue
            statuses.append(Status.FAIL if any(c.blocking for c in causes)
                            else Status.WARN if causes else Status.PASS)
            lines.append(f"{r.address}: " + (causes[0].message if causes else
                                             f"{r.status_line} in {r.duration_ms:.0f} ms"))
        return _worst(statuses), _combine(statuses, lines), tuple(lines)

    run.stage(Stage.HTTP, work)


__all__ = ["TrustStoreError", "chain_for", "check"]
