"""Reports for people and scripts: the contract's JSON (cftui.report/1), text, Markdown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cftui import __version__
from cftui.engine.causes import CauseCode
from cftui.engine.model import ProtocolResult
from cftui.engine.results import (
    Cause,
    CertificateReport,
    CertInfo,
    HttpResult,
    Report,
    Stage,
    Status,
)
from cftui.engine.verdict.group import GroupVerdict
from cftui.textsafe import one_line

SCHEMA = "cftui.report/1"
SCHEMA_MANY = "cftui.reports/1"


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _protocol_json(r: ProtocolResult) -> dict[str, Any]:
    return {
        "protocol": r.protocol.value,
        "enabled": r.enabled,
        "accepted": r.accepted,
        "cipher": r.cipher,
        "accepted_ciphers": list(r.accepted_ciphers),
        "error": r.error,
        "broad_cipher": r.broad_cipher,
        "address": r.address,
        "connections": len(r.attempts),
    }


def _cert_json(c: CertInfo) -> dict[str, Any]:
    return {
        "subject": c.subject, "issuer": c.issuer, "serial": c.serial,
        "not_before": c.not_before, "not_after": c.not_after, "san": list(c.san),
        "key_type": c.key_type, "key_bits": c.key_bits,
        "signature_algorithm": c.signature_algorithm, "sha256": c.sha256,
        "common_name": c.common_name, "curve": c.curve, "is_ca": c.is_ca,
        "self_signed": c.self_signed, "ca_issuers": list(c.ca_issuers),
    }


def _certificate_json(c: CertificateReport | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "chain": [_cert_json(info) for info in c.chain],
        "name_match": c.name_match, "matched_name": c.matched_name,
        "trusted": c.trusted, "chain_complete": c.chain_complete,
        "missing_issuer": c.missing_issuer, "days_left": c.days_left,
        "expected_name": c.expected_name, "cn_only": c.cn_only,
        "missing_issuer_url": c.missing_issuer_url, "in_order": c.in_order,
        "extra_certs": list(c.extra_certs), "expired": c.expired,
        "not_yet_valid": c.not_yet_valid, "key_problem": c.key_problem,
        "trust_error": c.trust_error, "path": list(c.path), "address": c.address,
    }


def _http_json(h: HttpResult | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {"outcome": h.outcome, "status_code": h.status_code, "status_line": h.status_line,
            "protocol": h.protocol, "cipher": h.cipher, "error": h.error,
            "duration_ms": round(h.duration_ms, 2), "address": h.address,
            "retries": list(h.retries), "body_bytes": h.body_bytes,
            "complete_ms": None if h.complete_ms is None else round(h.complete_ms, 2),
            "body_note": h.body_note, "alpn": h.alpn, "http_version": h.http_version}


def to_json(report: Report) -> dict[str, Any]:
    """The contract's report. Field names are fixed; new fields are only ever added."""
    target = report.target
    primary = report.primary
    stages = {s.stage: s for s in report.stages}
    return {
        "schema": SCHEMA,
        "target": {
            "domain": target.domain, "port": target.port, "sni": target.sni,
            "host_header": target.host_header,
            "protocols": [p.value for p in target.protocols],
            "addresses": list(report.addresses),
            "label": target.label,
            "ip_address_type": target.ip_address_type,
            "mtls": target.mtls,
            "client_certificate": target.client_cert is not None,
            "http_version": target.http_version,
            "response_completion_timeout": target.response_completion_timeout,
            "connection_attempts": target.connection_attempts,
            "host_header_source": target.host_header_source,
            "notes": list(target.notes),
            "edge_functions": list(target.edge_functions),
        },
        "stages": [
            {"id": stage.value,
             "status": stages[stage].status.value if stage in stages else "skipped",
             "summary": stages[stage].summary if stage in stages else
             ("cancelled" if report.cancelled else "not run"),
             "duration_ms": round(stages[stage].duration_ms, 2) if stage in stages else 0.0}
            for stage in Stage
        ],
        "protocols": [_protocol_json(r) for r in primary.protocols] if primary else [],
        "certificate": _certificate_json(primary.certificate) if primary else None,
        "http": _http_json(primary.http) if primary else None,
        "verdict": {
            "would_fail": report.verdict.would_fail,
            "http_status": report.verdict.http_status,
            "causes": [_cause_json(c) for c in report.verdict.causes],
        },
        "per_address": [
            {"address": a.address,
             "tcp": {"connected": a.tcp.connected, "outcome": a.tcp.outcome,
                     "error": a.tcp.error} if a.tcp else None,
             "protocols": [_protocol_json(r) for r in a.protocols],
             "certificate": _certificate_json(a.certificate),
             "certificate_error": a.certificate_error,
             "http": _http_json(a.http)}
            for a in report.per_address
        ],
        "started_at": _iso(report.started_at),
        "duration_ms": round(report.duration_ms, 2),
        "cancelled": report.cancelled,
        "connections": report.connections,
        "cftui_version": __version__,
    }


def _cause_json(c: Cause) -> dict[str, Any]:
    return {"code": c.code, "severity": c.severity, "stage": c.stage.value,
            "message": c.message, "fix": c.fix, "address": c.address}


def group_json(g: GroupVerdict) -> dict[str, Any]:
    """One origin group of cftui.reports/1, judged as a whole."""
    return {
        "id": g.spec.id, "primary": g.spec.primary, "secondary": g.spec.secondary,
        "would_fail": g.would_fail, "http_status": g.http_status, "label": g.spec.label,
        "failover_status_codes": list(g.spec.failover_status_codes),
        "primary_fails": g.primary.fails, "primary_answer": g.primary.answer,
        "secondary_fails": g.secondary.fails if g.secondary else None,
        "secondary_answer": g.secondary.answer if g.secondary else None,
        "causes": [_cause_json(c) for c in g.causes],
        "notes": list(g.notes),
    }


def many_to_json(reports: Sequence[Report],
                 groups: Sequence[GroupVerdict] = ()) -> dict[str, Any]:
    return {"schema": SCHEMA_MANY, "reports": [to_json(r) for r in reports],
            "groups": [group_json(g) for g in groups]}


def group_text(g: GroupVerdict) -> str:
    """A group's lines for the text report."""
    name = one_line(g.spec.label or g.spec.id)
    if g.would_fail:
        head = f"origin group {name}: CloudFront would answer {g.http_status} (group-failing)"
    elif g.causes:
        head = f"origin group {name}: works through failover, with warnings: " + ", ".join(
            c.code.value for c in g.causes)
    else:
        head = f"origin group {name}: primary and secondary work"
    lines = [head, f"  primary {one_line(g.spec.primary)}: {one_line(g.primary.answer)}"]
    if g.secondary is not None:
        lines.append(f"  secondary {one_line(g.secondary.origin)}: "
                     f"{one_line(g.secondary.answer)}")
    for c in g.causes:
        lines.append(f"  {'error  ' if c.blocking else 'warning'} {c.code.value}: "
                     f"{one_line(c.message)}")
        lines.append(f"          fix: {one_line(c.fix)}")
    lines += [f"  note: {one_line(n)}" for n in g.notes]
    return "\n".join(lines)


# --- text for people ---------------------------------------------------------------

_MARK = {Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL",
         Status.SKIPPED: "SKIP", Status.PENDING: "....", Status.RUNNING: "...."}
_COLOUR = {Status.PASS: "32", Status.WARN: "33", Status.FAIL: "31", Status.SKIPPED: "2"}


def verdict_line(report: Report) -> str:
    v = report.verdict
    name = one_line(report.target.label or report.target.domain)
    if report.cancelled:
        return f"{name}: check cancelled"
    if v.would_fail:
        first = next(c for c in v.causes if c.blocking)
        return f"{name}: CloudFront would answer {v.http_status} ({first.code.value})"
    incomplete = [c for c in v.causes if c.code is CauseCode.CHECK_INCOMPLETE]
    if incomplete:
        return f"{name}: check incomplete ({one_line(incomplete[0].message)})"
    warnings = [c.code.value for c in v.causes]
    suffix = f", with warnings: {', '.join(warnings)}" if warnings else ""
    return f"{name}: CloudFront can reach this origin over HTTPS{suffix}"


def to_text(report: Report, colour: bool = False) -> str:
    """What `cftui check` prints: the verdict first, then each stage, then the fixes."""

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    v = report.verdict
    lines = [paint(verdict_line(report), "1;31" if v.would_fail else "1;32")]
    target = report.target
    lines.append(f"  origin {one_line(target.domain)}:{target.port}, SNI {one_line(target.sni)}, "
                 f"protocols {','.join(p.value for p in target.protocols)}")
    if target.host_header_source:
        lines.append(f"  Host: {one_line(target.host_header_source)}")
    lines += [f"  note: {one_line(n)}" for n in target.notes]
    lines.append("")
    for s in report.stages:
        mark = paint(f"{_MARK[s.status]:<4}", _COLOUR.get(s.status, "0"))
        lines.append(f"  {mark} {s.stage.label:<12} {one_line(s.summary)}")
        if len(s.details) > 1:
            lines += [f"{'':20}{one_line(d)}" for d in s.details]
    primary = report.primary
    if primary and primary.protocols:
        lines.append("")
        lines.append("  Protocols (CloudFront's offer):")
        for r in primary.protocols:
            lines.append("    " + protocol_line(r))
    if v.causes:
        lines.append("")
        for c in v.causes:
            tag = paint("error  " if c.blocking else "warning", "31" if c.blocking else "33")
            lines.append(f"  {tag} {c.code.value}: {one_line(c.message)}")
            lines.append(f"          fix: {one_line(c.fix)}")
    return "\n".join(lines)


def protocol_line(r: ProtocolResult) -> str:
    flag = "enabled " if r.enabled else ("info    " if r.protocol.value == "TLSv1.3"
                                         else "disabled")
    if r.accepted_ciphers:
        more = f" (+{len(r.accepted_ciphers) - 1} more)" if len(r.accepted_ciphers) > 1 else ""
        what = f"accepts {r.accepted_ciphers[0]}{more}"
    elif r.accepted and r.broad_cipher:
        what = f"speaks it, but only with {r.broad_cipher}"
    elif r.accepted:
        what = "speaks it"
    elif r.accepted is None:
        what = f"not tried ({one_line(r.error or '')})"
    else:
        what = f"refused: {one_line(r.error or 'no answer')}"
    return f"{r.protocol.value:<8} {flag} {what}"


def to_markdown(report: Report) -> str:
    """A report to paste into a ticket or a chat."""
    v = report.verdict
    target = report.target

    def md(text: str) -> str:
        return one_line(text).replace("|", "\\|").replace("`", "'")

    out = [f"# cftui report: {md(target.label or target.domain)}", "",
           f"**{md(verdict_line(report))}**", "",
           f"- origin: `{md(target.domain)}:{target.port}`, SNI `{md(target.sni)}`",
           f"- protocols enabled: {', '.join(p.value for p in target.protocols)}",
           f"- addresses: {', '.join(report.addresses) or 'none'}",
           *([f"- Host: {md(target.host_header_source)}"] if target.host_header_source else []),
           *[f"- note: {md(n)}" for n in target.notes],
           f"- checked: {_iso(report.started_at)} in {report.duration_ms:.0f} ms", "",
           "## Stages", "", "| stage | status | summary |", "| --- | --- | --- |"]
    out += [f"| {s.stage.label} | {s.status.value} | {md(s.summary)} |" for s in report.stages]
    several = len(report.per_address) > 1
    for address in report.per_address:  # every address: each may fail on its own
        where = f" of {address.address}" if several else ""
        if address.protocols:
            out += ["", f"## Protocols{where}", "", "| protocol | enabled | accepted | suites |",
                    "| --- | --- | --- | --- |"]
            for r in address.protocols:
                suites = ", ".join(r.accepted_ciphers) or md(r.error or r.broad_cipher or "")
                accepted = {True: "yes", False: "no", None: "not tried"}[r.accepted]
                out.append(f"| {r.protocol.value} | {'yes' if r.enabled else 'no'} | "
                           f"{accepted} | {suites} |")
        if address.certificate:
            out += ["", f"## Certificate chain{where} (as sent)", ""]
            for i, c in enumerate(address.certificate.chain):
                out.append(f"{i}. `{md(c.subject)}` issued by `{md(c.issuer)}`, {c.key_type} "
                           f"{c.key_bits}, until {c.not_after}")
    if v.causes:
        out += ["", "## Causes and fixes", ""]
        for cause in v.causes:
            out.append(f"- **{cause.code.value}** ({cause.severity.value}): "
                       f"{md(cause.message)}  \n  fix: {md(cause.fix)}")
    return "\n".join(out) + "\n"
