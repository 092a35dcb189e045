"""The work of each stage after DNS, as units: each waits for its own results (started
side by side by `run._launch`) and returns the facts it found; none of them judges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cftui.engine import profile
from cftui.engine.model import ProtocolResult
from cftui.engine.profile import Protocol
from cftui.engine.results import AddressReport, HttpOutcome, HttpResult, Stage
from cftui.engine.target import Target
from cftui.engine.tls import scan

if TYPE_CHECKING:
    from cftui.engine.run import _Run as Run


@dataclass(frozen=True)
class Facts:
    """What a stage's work found: a one-line summary, detail lines, and whether the
    stage had nothing to do after all (every request skipped)."""

    summary: str
    details: tuple[str, ...] = ()
    skipped: bool = False
    took_ms: float | None = None  # work done before the stage began (an early DNS lookup)


def tcp(run: Run) -> None:
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


def tls(run: Run) -> None:
    live = run.live()
    if not live:
        run.skip(Stage.TLS, "no TCP connection")
        return

    def work() -> Facts:
        for address in live:
            run.reports[address] = replace(
                run.reports[address], protocols=scan.in_order(run.scans[address].result()))
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
            for a in r.attempts:  # certificates: parsed from the flight on each access
                if (a.accepted or not want_accepted) and a.flight and (
                        certs := a.flight.certificates):
                    return certs
    return ()


def certificate(run: Run) -> None:
    target = run.target
    reports = run.reports
    chains = {a: c for a, r in reports.items() if (c := chain_for(r.protocols))}
    tls13_only = [a for a, r in reports.items() if a not in chains and any(
        p.protocol is Protocol.TLSv1_3 and p.accepted for p in r.protocols)]
    if not chains and not tls13_only:
        run.skip(Stage.CERTIFICATE, "no certificate received")
        return

    def work() -> Facts:
        from cftui.engine.x509.info import CertificateParseError
        from cftui.engine.x509.judge import judge

        # TLS 1.3 encrypts the Certificate message: a real TLS 1.3 handshake reads it.
        for address in tls13_only:
            from cftui.engine.tls import tls13chain

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


def client_cert_problems(target: Target) -> tuple[str, ...]:
    """What an origin is likely to refuse in the supplied client certificate."""
    if target.client_cert is None or target.client_key is None:
        return ()
    from cftui.engine.x509 import client

    try:
        return tuple(client.problems(client.load(target.client_cert, target.client_key)))
    except ValueError as exc:
        return (str(exc),)


def http(run: Run) -> None:
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
        if target.mtls and target.client_cert is None and \
                run.reports[address].asks_client_certificate:
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
