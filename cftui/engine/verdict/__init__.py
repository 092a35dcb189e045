"""Pure: all the facts of a check -> causes, CloudFront's answer, and each stage's status.

Causes are computed once, here, from every stage's facts; a stage's status is the
worst severity among the causes attributed to it. While a check runs, stages carry
facts only (Status.DONE).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cftui.engine.causes import CauseCode, Severity
from cftui.engine.results import AddressReport, Cause, StageResult, Verdict
from cftui.engine.stage import Stage, Status
from cftui.engine.target import Target
from cftui.engine.verdict.build import cause
from cftui.engine.verdict.certificate import certificate_causes
from cftui.engine.verdict.connection import (
    dns_cause,
    flaky_causes,
    public_causes,
    tcp_causes,
)
from cftui.engine.verdict.http import http_causes
from cftui.engine.verdict.source import source_causes
from cftui.engine.verdict.tls import mtls_causes, tls_causes

__all__ = ["address_causes", "certificate_causes", "decide", "http_causes", "judge_stages",
           "tcp_causes", "tls_causes"]

_STAGE_ORDER = {s: i for i, s in enumerate(Stage)}
#: Codes that already explain a failed real handshake.
_TLS_CODES = frozenset({CauseCode.TLS_PROTOCOL_MISMATCH, CauseCode.TLS_CIPHER_MISMATCH,
                        CauseCode.TLS_CLIENT_CERT_REQUIRED, CauseCode.TLS_HANDSHAKE_FAILED,
                        CauseCode.CERT_KEY_UNSUPPORTED})


def address_causes(target: Target, report: AddressReport,
                   addresses: Sequence[str] = ()) -> list[Cause]:
    """Every cause for one address (of `addresses`, the target's), one per code."""
    causes = public_causes(target, report.address, addresses) + tcp_causes(target, report)
    causes += tls_causes(target, report)
    causes += certificate_causes(report) + flaky_causes(target, report)
    codes = {c.code for c in causes}
    causes += [c for c in http_causes(target, report)
               if not (c.code is CauseCode.TLS_HANDSHAKE_FAILED and codes & _TLS_CODES)]
    seen: set[CauseCode] = set()
    unique = []
    for c in causes:
        if c.code not in seen:
            seen.add(c.code)
            unique.append(c)
    return unique


def decide(target: Target, reports: Sequence[AddressReport], dns_error: str | None = None,
           stage_errors: Mapping[Stage, str] | None = None, *,
           client_cert_problems: Sequence[str] = ()) -> Verdict:
    """All causes for all addresses, and the status CloudFront would answer with.
    `client_cert_problems`: what `x509.client.problems` found in the origin mTLS
    certificate supplied (read by the run, so that this stays pure)."""
    incomplete = [cause(CauseCode.CHECK_INCOMPLETE, f"cftui could not finish the "
                        f"{stage.label} stage ({error}); the verdict does not cover it",
                        stage=stage, fix=_incomplete_fix(error))
                  for stage, error in (stage_errors or {}).items()]
    incomplete += mtls_causes(target, client_cert_problems)
    incomplete += source_causes(target)
    if dns_error is not None:
        return _verdict([dns_cause(target, dns_error), *incomplete])
    addresses = [r.address for r in reports]
    per_address = [(r.address, address_causes(target, r, addresses)) for r in reports]
    if len(per_address) == 1:
        return _verdict(per_address[0][1] + incomplete)
    return _verdict(_merge(target, per_address) + incomplete)


def _incomplete_fix(error: str) -> str:
    return "ca_file" if error.startswith("TrustStoreError") else "default"


def _verdict(causes: list[Cause]) -> Verdict:
    causes.sort(key=lambda c: (c.severity is not Severity.ERROR, _STAGE_ORDER[c.stage]))
    blocking = [c for c in causes if c.blocking]
    status = blocking[0].code.rule.http_status if blocking else None
    return Verdict(bool(blocking), status, tuple(causes))


def _merge(target: Target, per_address: Sequence[tuple[str, list[Cause]]]) -> list[Cause]:
    """Causes every address shares appear once; the others name their address."""
    common = set.intersection(*({(c.code, c.message) for c in cs} for _, cs in per_address))
    causes: list[Cause] = []
    shared_added: set[tuple[CauseCode, str]] = set()
    for address, cs in per_address:
        for c in cs:
            key = (c.code, c.message)
            if key in common:
                if key not in shared_added:
                    shared_added.add(key)
                    causes.append(c)
            else:
                message = (c.message if c.message.startswith(f"{address} ")
                           else f"{address}: {c.message}")
                causes.append(Cause(c.code, c.severity, c.stage, message, c.fix, address))
    # Same codes everywhere is the same behaviour, even if the texts name the address;
    # an address this machine could not reach says nothing about the origin.
    tested = [(a, cs) for a, cs in per_address
              if not any(c.code is CauseCode.ADDRESS_UNTESTED for c in cs)]
    common_codes = (set.intersection(*({c.code for c in cs} for _, cs in tested))
                    if tested else set())
    odd = [address for address, cs in tested if any(c.code not in common_codes for c in cs)]
    if odd:
        causes.append(cause(CauseCode.ADDRESS_INCONSISTENT,
                            f"the addresses behind {target.domain} do not behave the same "
                            f"(differences on {', '.join(odd)}): viewers get intermittent "
                            f"errors{_family_exposure(target, per_address, common_codes)}"))
    return causes


def _family_exposure(target: Target, per_address: Sequence[tuple[str, list[Cause]]],
                     common_codes: set[CauseCode]) -> str:
    """With dualstack, how CloudFront is exposed when only one address family works.
    A blocking cause every address shares (origin-not-public) is no family's fault."""
    if target.ip_address_type != "dualstack":
        return ""
    failing = {a for a, cs in per_address
               if any(c.blocking and c.code not in common_codes for c in cs)}
    families = {"IPv6": {a for a, _ in per_address if ":" in a},
                "IPv4": {a for a, _ in per_address if ":" not in a}}
    for bad, good in (("IPv6", "IPv4"), ("IPv4", "IPv6")):
        if families[bad] and families[good] and failing == families[bad]:
            return (f"; IpAddressType dualstack: {good} works, {bad} fails, and CloudFront "
                    f"uses both, so every request it sends over {bad} fails (set "
                    f"IpAddressType to {good.lower()} or fix the {bad} addresses)")
    return ""


# --- stage statuses ------------------------------------------------------------

_MARK = {Severity.ERROR: Status.FAIL, Severity.WARNING: Status.WARN}


def judge_stages(facts: Sequence[StageResult], verdict: Verdict,
                 addresses: Sequence[str]) -> tuple[StageResult, ...]:
    """Each stage's final status and summary, from the verdict's causes.

    A stage with causes shows the worst one; a stage without causes that CloudFront
    never reaches (an earlier stage blocks for every address) is skipped, its summary
    still saying what the origin itself answered; otherwise it passes.
    """
    judged = []
    for result in facts:
        own = [c for c in verdict.causes if c.stage is result.stage]
        if not own and result.status is Status.SKIPPED:
            judged.append(result)
        elif own:
            worst = min(own, key=lambda c: c.severity is not Severity.ERROR)
            more = f" (+{len(own) - 1} more)" if len(own) > 1 else ""
            judged.append(StageResult(result.stage, _MARK[worst.severity],
                                      worst.message + more, result.duration_ms,
                                      result.details))
        elif _blocked_before(result.stage, verdict, addresses):
            judged.append(StageResult(result.stage, Status.SKIPPED,
                                      f"not reached by CloudFront; the origin itself: "
                                      f"{result.summary}", result.duration_ms, result.details))
        else:
            judged.append(StageResult(result.stage, Status.PASS, result.summary,
                                      result.duration_ms, result.details))
    return tuple(judged)


def _blocked_before(stage: Stage, verdict: Verdict, addresses: Sequence[str]) -> bool:
    """Every address has a blocking cause at an earlier stage."""
    earlier = [c for c in verdict.causes
               if c.blocking and _STAGE_ORDER[c.stage] < _STAGE_ORDER[stage]]
    if any(c.address is None for c in earlier):
        return True
    blocked = {c.address for c in earlier}
    return bool(addresses) and all(a in blocked for a in addresses)
