"""Run every stage CloudFront goes through for one origin, reporting progress as events.

Each stage is a unit: it gathers facts (and posts them as a StageFinished with
Status.DONE), and an unexpected exception inside it becomes that stage's error,
never a crash of the check. The verdict is computed once, from all the facts, when
the last stage is done; it then decides each stage's final status.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from cftui.engine import profile, verdict
from cftui.engine.model import ProtocolAttempt, ProtocolResult, Target
from cftui.engine.net import dns
from cftui.engine.net.budget import Budget
from cftui.engine.net.connect import Cancelled, Endpoint
from cftui.engine.net.tcp import tcp_connect
from cftui.engine.profile import Protocol, sni_name
from cftui.engine.results import (
    AddressesResolved,
    AddressReport,
    AttemptFinished,
    CheckFinished,
    Event,
    HttpOutcome,
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
from cftui.engine.tls import scan

OnEvent = Callable[[Event], None]


@dataclass(frozen=True)
class Facts:
    """What a stage's work found: a one-line summary, detail lines, and whether the
    stage had nothing to do after all (every request skipped)."""

    summary: str
    details: tuple[str, ...] = ()
    skipped: bool = False


def _ignore(_: Event) -> None:
    pass


class _Run:
    def __init__(self, target: Target, on_event: OnEvent, cancel: threading.Event) -> None:
        self.target = target
        self.on_event = on_event
        self.cancel = cancel
        self.stages: list[StageResult] = []
        self.errors: dict[Stage, str] = {}
        self.addresses: tuple[str, ...] = ()
        self.reports: dict[str, AddressReport] = {}
        self.budget = Budget(target.max_connections)
        # started at once for every address, each stage waits for its own
        self.tcp: dict[str, Future[TcpResult]] = {}
        self.scans: dict[str, Future[tuple[ProtocolResult, ...]]] = {}
        self.fetches: dict[str, Future[HttpResult]] = {}
        self.started = time.monotonic()
        self.started_at = time.time()

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled

    def stage(self, stage: Stage, work: Callable[[], Facts]) -> None:
        """Run one stage; its facts (or its error) become a StageResult with Status.DONE."""
        self.check_cancel()
        self.on_event(StageStarted(stage))
        start = time.monotonic()
        try:
            facts = work()
        except Cancelled:
            raise
        except Exception as exc:  # a bug or a surprise must not take the whole check down
            error = f"{type(exc).__name__}: {exc}"
            self.errors[stage] = error
            facts = Facts(f"could not finish: {error}")
        result = StageResult(stage, Status.SKIPPED if facts.skipped else Status.DONE,
                             facts.summary, (time.monotonic() - start) * 1000, facts.details)
        self.stages.append(result)
        self.on_event(StageFinished(result))

    def skip(self, stage: Stage, why: str) -> None:
        result = StageResult(stage, Status.SKIPPED, why)
        self.stages.append(result)
        self.on_event(StageFinished(result))

    def endpoint(self, address: str) -> Endpoint:
        t = self.target
        return Endpoint(address, t.port, t.connect_timeout, t.connect_timeout,
                        cancel=self.cancel, budget=self.budget,
                        attempts=t.connection_attempts)

    def cancel_pending(self) -> None:
        """Work nobody will wait for (a stage cancelled or broken) is not started."""
        for futures in (self.tcp, self.scans, self.fetches):
            for future in futures.values():
                future.cancel()

    def live(self) -> list[str]:
        return [a for a, r in self.reports.items() if r.tcp and r.tcp.connected]


def check(target: Target, *, on_event: OnEvent = _ignore,
          cancel: threading.Event | None = None) -> Report:
    """Check one origin. Blocks; call it from a worker thread. Never raises for anything
    an origin or a file can do: a stage that fails unexpectedly says so in the report."""
    run = _Run(target, on_event, cancel or threading.Event())
    addresses: tuple[str, ...] = ()
    dns_error: str | None = None
    cancelled = False
    try:
        addresses, dns_error = _dns(run)
        run.addresses = addresses
        if addresses:
            # every stage's network work starts now, side by side: at internet latency
            # the round trips in sequence are what the user waits for
            with ThreadPoolExecutor(max_workers=3 * len(addresses),
                                    thread_name_prefix="cftui") as pool:
                try:
                    _launch(run, pool)
                    for step in (_tcp, _tls, _certificate, _http):
                        step(run)
                finally:
                    run.cancel_pending()
        else:
            for stage in (Stage.TCP, Stage.TLS, Stage.CERTIFICATE, Stage.HTTP):
                run.skip(stage, "no address to connect to")
    except Cancelled:
        cancelled = True
    per_address = tuple(run.reports.get(a, AddressReport(a)) for a in addresses)
    outcome = verdict.decide(target, per_address, dns_error, run.errors,
                             client_cert_problems=_client_cert_problems(target))
    done = {s.stage for s in run.stages}
    facts = run.stages + [StageResult(s, Status.SKIPPED, "cancelled" if cancelled else "not run")
                          for s in Stage if s not in done]
    report = Report(
        target=target,
        addresses=addresses,
        stages=verdict.judge_stages(sorted(facts, key=lambda s: list(Stage).index(s.stage)),
                                    outcome, addresses),
        per_address=per_address,
        verdict=outcome,
        started_at=run.started_at,
        duration_ms=(time.monotonic() - run.started) * 1000,
        dns_error=dns_error,
        cancelled=cancelled,
        connections=run.budget.made,
    )
    on_event(CheckFinished(report))
    return report


def _dns(run: _Run) -> tuple[tuple[str, ...], str | None]:
    target = run.target
    found: list[tuple[str, ...]] = []
    error: list[str] = []

    def work() -> Facts:
        if target.connect_to:
            found.append(tuple(target.connect_to))
            return Facts(f"using {', '.join(target.connect_to)} (not resolved)")
        try:
            addresses = dns.resolve(target.domain, target.port, target.connect_timeout,
                                    run.cancel, target.ip_address_type)
        except dns.ResolveError as exc:
            error.append(str(exc))
            return Facts(str(exc))
        found.append(addresses)
        plural = "es" if len(addresses) > 1 else ""
        return Facts(f"{len(addresses)} address{plural}: {', '.join(addresses)} "
                     f"(IpAddressType {target.ip_address_type})")

    run.stage(Stage.DNS, work)
    if found:
        run.on_event(AddressesResolved(found[0]))
        return found[0], None
    return (), error[0] if error else run.errors.get(Stage.DNS, "no address")


def _launch(run: _Run, pool: ThreadPoolExecutor) -> None:
    """Start the TCP check, the protocol scan and the real handshake with its request for
    every address; the stages then wait for their own results, in CloudFront's order."""
    target = run.target

    def on_attempt(attempt: ProtocolAttempt) -> None:
        run.on_event(AttemptFinished(attempt))

    def scan_one(address: str) -> tuple[ProtocolResult, ...]:
        results = scan.scan_address(
            run.endpoint(address), lambda p: sni_name(target.domain, target.host_header, p),
            target.protocols, run.cancel, on_attempt, singles=target.max_connections)
        for r in results:
            run.on_event(ProtocolFinished(r))
        return results

    for address in run.addresses:
        run.tcp[address] = pool.submit(tcp_connect, run.endpoint(address))
        run.scans[address] = pool.submit(scan_one, address)
        if target.http:
            run.fetches[address] = pool.submit(
                _fetch, run.endpoint(address), sni=target.sni, host=target.sni,
                path=target.path, protocols=target.protocols, read_timeout=target.read_timeout,
                client_cert=target.client_cert, client_key=target.client_key,
                completion_timeout=target.response_completion_timeout,
                http_version=target.http_version)


def _fetch(endpoint: Endpoint, **options: Any) -> HttpResult:
    # imported here, in the worker: loading OpenSSL's bindings overlaps the scan's first
    # round trips instead of delaying them
    from cftui.engine.http import fetch

    return fetch(endpoint, **options)


def _tcp(run: _Run) -> None:
    def work() -> Facts:
        results = [run.tcp[a].result() for a in run.addresses]
        for r in results:
            run.reports[r.address] = AddressReport(r.address, tcp=r)
        lines = tuple(f"{r.address}:{r.port} connected in {r.duration_ms:.0f} ms" if r.connected
                      else f"{r.address}:{r.port} {r.error}" for r in results)
        if all(r.connected for r in results):
            took = max(r.duration_ms for r in results)
            return Facts(f"port {run.target.port} open ({took:.0f} ms)", lines)
        return Facts(_combine(lines), lines)

    run.stage(Stage.TCP, work)


def _tls(run: _Run) -> None:
    live = run.live()
    if not live:
        run.skip(Stage.TLS, "no TCP connection")
        return

    def work() -> Facts:
        for address in live:
            run.reports[address] = replace(run.reports[address],
                                           protocols=run.scans[address].result())
        run.check_cancel()
        lines = tuple(f"{a}: {_tls_facts(run.reports[a].protocols)}" for a in live)
        return Facts(_combine(lines), lines)

    run.stage(Stage.TLS, work)


def _tls_facts(results: Sequence[ProtocolResult]) -> str:
    working = [r for r in results if r.enabled and r.cloudfront_works]
    if working:
        best = working[-1]
        return f"{best.protocol.value} {best.cipher}"
    spoken = [r for r in results if r.enabled and r.accepted]
    if spoken:
        return (f"speaks {spoken[-1].protocol.value}, but no handshake with CloudFront's "
                "offer completes")
    return "no handshake with CloudFront's offer"


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


def _certificate(run: _Run) -> None:
    target = run.target
    reports = run.reports
    chains = {a: c for a, r in reports.items() if (c := chain_for(r.protocols))}
    tls13_only = [a for a, r in reports.items() if a not in chains and any(
        p.protocol is Protocol.TLSv1_3 and p.accepted for p in r.protocols)]
    if not chains and not tls13_only:
        run.skip(Stage.CERTIFICATE, "no certificate received")
        return

    def work() -> Facts:
        from cftui.engine.tls import tls13chain
        from cftui.engine.x509.info import CertificateParseError
        from cftui.engine.x509.judge import judge

        # TLS 1.3 encrypts the Certificate message: a real TLS 1.3 handshake reads it.
        for address in tls13_only:
            run.check_cancel()
            if chain := tls13chain.fetch_chain(run.endpoint(address), target.sni):
                chains[address] = chain
        lines = []
        for address, chain in chains.items():
            run.check_cancel()
            try:
                cert = judge(chain, target.expected_name, target.ca_file, address=address)
            except CertificateParseError as exc:
                reports[address] = replace(reports[address], certificate_error=str(exc))
                lines.append(f"{address}: the certificate does not parse: {exc}")
                continue
            reports[address] = replace(reports[address], certificate=cert)
            leaf = cert.chain[0]
            lines.append(f"{address}: {len(cert.chain)} sent, leaf {leaf.key_type} "
                         f"{leaf.key_bits}, {cert.days_left} days left, covers "
                         f"{target.expected_name}: {'yes' if cert.name_match else 'no'}")
        if not lines:
            return Facts("no certificate received (the TLS 1.3 handshake did not complete)",
                         skipped=True)
        return Facts(_combine(lines), tuple(lines))

    run.stage(Stage.CERTIFICATE, work)


_LOCAL_SUITES = frozenset(s.openssl_name for s in profile.LOCAL_SUITES)


def _locally_reachable(report: AddressReport) -> bool:
    """Whether the local OpenSSL can finish a handshake the origin accepts from CloudFront."""
    return any(r.enabled and r.protocol is not Protocol.SSLv3
               and _LOCAL_SUITES.intersection(r.accepted_ciphers) for r in report.protocols)


def _asks_client_cert(report: AddressReport) -> bool:
    return any(a.flight is not None and a.flight.certificate_request is not None
               for r in report.protocols if r.enabled for a in r.attempts if a.accepted)


def _client_cert_problems(target: Target) -> tuple[str, ...]:
    """What an origin is likely to refuse in the supplied client certificate."""
    if target.client_cert is None or target.client_key is None:
        return ()
    from cftui.engine.x509 import client

    try:
        return tuple(client.problems(client.load(target.client_cert, target.client_key)))
    except ValueError as exc:
        return (str(exc),)


def _http(run: _Run) -> None:
    target = run.target
    if not target.http:
        run.skip(Stage.HTTP, "skipped (--no-http)")
        return
    ready = [a for a, r in run.reports.items()
             if any(p.enabled and p.cloudfront_works for p in r.protocols)]
    if not ready:
        run.skip(Stage.HTTP, "no working TLS handshake to send a request over")
        return

    def one(address: str) -> HttpResult:
        if target.mtls and target.client_cert is None and _asks_client_cert(
                run.reports[address]):
            return HttpResult(address, HttpOutcome.SKIPPED, error="request not sent: the "
                              "origin asks for a client certificate (origin mTLS) and none "
                              "was supplied (--client-cert, --client-key)")
        if not _locally_reachable(run.reports[address]):
            return HttpResult(address, HttpOutcome.SKIPPED, error="request not sent: the "
                              "origin speaks CloudFront's offer only with SSLv3, RC4-MD5 or "
                              "DES-CBC3-SHA, which the local OpenSSL cannot")
        return run.fetches[address].result()

    def work() -> Facts:
        results = [one(a) for a in ready]
        for r in results:
            run.reports[r.address] = replace(run.reports[r.address], http=r)
        lines = [f"{r.address}: {_http_facts(r)}" for r in results]
        return Facts(_combine(lines), tuple(lines),
                     skipped=all(r.outcome is HttpOutcome.SKIPPED for r in results))

    run.stage(Stage.HTTP, work)


def _http_facts(r: HttpResult) -> str:
    if r.outcome is HttpOutcome.RESPONSE:
        return f"{r.status_line} in {r.duration_ms:.0f} ms"
    return r.error or r.outcome.value


def _combine(lines: Sequence[str]) -> str:
    """One summary for several addresses: the line itself when there is one address."""
    if len(lines) == 1:
        return lines[0].split(": ", 1)[-1]
    first = lines[0].split(": ", 1)[-1]
    if all(line.split(": ", 1)[-1] == first for line in lines):
        return f"all {len(lines)} addresses: {first}"
    return f"{len(lines)} addresses: " + "; ".join(lines)


__all__ = ["chain_for", "check"]
