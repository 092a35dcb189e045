"""Causes from the DNS and TCP facts."""

from __future__ import annotations

from collections.abc import Sequence

from cftui.engine.causes import CauseCode
from cftui.engine.net.dns import is_public
from cftui.engine.results import AddressReport, Cause, HttpOutcome, TcpOutcome
from cftui.engine.target import Target
from cftui.engine.verdict.build import cause

_HTTP_FAILED = frozenset({HttpOutcome.ERROR, HttpOutcome.TLS_FAILED, HttpOutcome.CLOSED})


def dns_cause(target: Target, error: str) -> Cause:
    return cause(CauseCode.DNS_UNRESOLVED, error, domain=target.domain)


def tcp_causes(target: Target, report: AddressReport) -> list[Cause]:
    tcp = report.tcp
    if tcp is None or tcp.connected:
        return []
    where = f"{report.address} port {target.port}"
    if tcp.outcome is TcpOutcome.NO_ROUTE_HERE:
        return [cause(CauseCode.ADDRESS_UNTESTED,
                      f"this machine has no route to {report.address} ({tcp.error}), so "
                      "cftui could not test it; CloudFront may still reach it")]
    if tcp.outcome is TcpOutcome.TIMEOUT:
        wait = target.connection_attempts * target.connect_timeout
        return [cause(CauseCode.TCP_TIMEOUT,
                      f"no TCP connection to {where} within {target.connect_timeout:g} s: "
                      f"packets are silently dropped (CloudFront tries "
                      f"{target.connection_attempts} times, about {wait:g} s, then answers "
                      "504)", port=target.port)]
    return [cause(CauseCode.TCP_REFUSED,
                  f"{where} refused the connection ({tcp.error or tcp.outcome.value})",
                  port=target.port)]


def public_causes(target: Target, address: str,
                  addresses: Sequence[str] = ()) -> list[Cause]:
    """A resolved address CloudFront cannot reach from the internet (504). An explicit
    --connect-to address is the user's own routing and is left alone. The message names
    every such address of `addresses` (the target's), so that it reads the same on each
    of them and the merge of several addresses shows it once."""
    if target.connect_to or is_public(address):
        return []
    private = [a for a in addresses if not is_public(a)] or [address]
    one = len(private) == 1
    return [cause(CauseCode.ORIGIN_NOT_PUBLIC,
                  f"{target.domain} resolves to {', '.join(private)}, which "
                  f"{'is' if one else 'are'} not on the public internet (private, loopback, "
                  f"link-local, CGNAT or unique-local): CloudFront cannot connect to "
                  f"{'it' if one else 'them'} unless the origin is a VPC origin",
                  domain=target.domain)]


def flaky_causes(target: Target, report: AddressReport) -> list[Cause]:
    """Connections that were refused or reset, then worked when tried again: CloudFront's
    retries hide it, until every attempt of one request fails."""
    tries = [(r.retries, r.connected) for r in (report.tcp,) if r is not None]
    tries += [(a.retries, a.bytes_read > 0) for p in report.protocols for a in p.attempts]
    if report.http is not None:
        tries += [(report.http.retries, report.http.outcome not in _HTTP_FAILED)]
    rescued = [retries for retries, worked in tries if retries and worked]
    if not rescued:
        return []
    seen = sorted({error for retries in rescued for error in retries})
    failed = sum(len(retries) for retries, _ in tries)
    return [cause(CauseCode.ORIGIN_FLAKY,
                  f"{failed} of {failed + len(tries)} connections to {report.address} "
                  f"port {target.port} failed at first ({', '.join(seen)}) and worked when "
                  f"tried again; CloudFront makes {target.connection_attempts} attempts, so "
                  "viewers get a 502 whenever all of them fail")]
