"""Causes from the DNS and TCP facts."""

from __future__ import annotations

from cftui.engine.causes import CauseCode
from cftui.engine.model import Target
from cftui.engine.net.dns import is_public
from cftui.engine.results import AddressReport, Cause, TcpOutcome
from cftui.engine.verdict.build import cause


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


def public_causes(target: Target, address: str) -> list[Cause]:
    """A resolved address CloudFront cannot reach from the internet (504). An explicit
    --connect-to address is the user's own routing and is left alone."""
    if target.connect_to or is_public(address):
        return []
    return [cause(CauseCode.ORIGIN_NOT_PUBLIC,
                  f"{target.domain} resolves to {address}, which is not on the public "
                  "internet (private, loopback, link-local, CGNAT or unique-local): "
                  "CloudFront cannot connect to it unless it is a VPC origin",
                  domain=target.domain)]
