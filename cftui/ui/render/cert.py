"""The certificate panel: the chain as sent (leaf first), name match, trust path, gaps."""

from __future__ import annotations

from textual.content import Content

from cftui.engine.results import CertificateReport, CertInfo, Report
from cftui.ui.format import plain, safe
from cftui.ui.glyphs import Glyphs

OK, BAD, WARN, MUTED = "$success bold", "$error bold", "$warning bold", "$text-muted"


def _date(iso: str) -> str:
    return iso[:10]


def cert_lines(cert: CertInfo, index: int, report: CertificateReport) -> list[Content]:
    """Three or four lines for one certificate of the chain."""
    role = "leaf" if index == 0 else ("root" if cert.self_signed else "CA" if cert.is_ca
                                       else "not a CA")
    extra = index in report.extra_certs
    lines = [
        Content.assemble((f"{index:>2} ", "bold"), safe(cert.subject, "bold"),
                         (f"  {role}" + ("  (off the path)" if extra else ""), MUTED)),
        Content.assemble(("   issuer ", MUTED), safe(cert.issuer)),
        Content.assemble(
            ("   ", ""),
            (plain(f"{cert.key_type} {cert.key_bits}"
                   + (f" {cert.curve}" if cert.curve else "")), ""),
            (f"  {plain(cert.signature_algorithm)}  ", MUTED),
            (plain(f"{_date(cert.not_before)} to {_date(cert.not_after)}"), ""),
        ),
    ]
    if cert.san:
        shown = ", ".join(cert.san[:4]) + (f" +{len(cert.san) - 4}" if len(cert.san) > 4 else "")
        lines.append(Content.assemble(("   SAN ", MUTED), safe(shown)))
    return lines


def check_line(label: str, ok: bool | None, text: str, glyphs: Glyphs) -> Content:
    """`name  ✓ text`: a judgement with glyph and word."""
    mark, style = ((glyphs.ok, OK) if ok else (glyphs.info, MUTED) if ok is None
                   else (glyphs.bad, BAD))
    return Content.assemble((f"{label:<7}", "bold"), (f"{mark} ", style), safe(text))


def judgement_lines(report: CertificateReport, glyphs: Glyphs) -> list[Content]:
    """Name match, validity, trust path and what is missing."""
    if report.name_match:
        how = "CN only, no SAN covers it" if report.cn_only else "SAN"
        name = check_line("name", True, f"{report.expected_name} matches {how} "
                          f"{report.matched_name or ''}".rstrip(), glyphs)
    else:
        name = check_line("name", False, f"{report.expected_name} is not covered by the "
                          "certificate", glyphs)
    if report.expired:
        ago = report.expired_days_ago if report.expired_days_ago is not None else -report.days_left
        valid = check_line("dates", False, f"expired {ago} days ago", glyphs)
    elif report.not_yet_valid:
        valid = check_line("dates", False, "not valid yet", glyphs)
    else:
        valid = check_line("dates", True, f"{report.days_left} days left", glyphs)
    lines = [name, valid, _trust_line(report, glyphs)]
    if report.trusted and report.path:
        arrow = f" {glyphs.to} "
        lines.append(Content.assemble(("path   ", "bold"), safe(arrow.join(report.path))))
    if not report.in_order:
        lines.append(check_line("order", False, "sent out of order (leaf first, then each "
                                "issuer)", glyphs))
    if report.extra_certs:
        numbers = ", ".join(f"#{i}" for i in report.extra_certs)
        lines.append(check_line("extra", None, f"{numbers} not needed on the path", glyphs))
    if report.key_problem:
        lines.append(check_line("key", False, report.key_problem, glyphs))
    return lines


def _trust_line(report: CertificateReport, glyphs: Glyphs) -> Content:
    if report.trusted and report.chain_complete:
        return check_line("trust", True, "chains to a trusted root", glyphs)
    if not report.chain_complete and report.missing_issuer:
        where = f" (caIssuers {report.missing_issuer_url})" if report.missing_issuer_url else ""
        return check_line("trust", False, f"chain incomplete: the origin does not send "
                          f"{report.missing_issuer}{where}", glyphs)
    if report.self_signed:
        return check_line("trust", False, "self-signed", glyphs)
    return check_line("trust", False, report.trust_error or "not trusted", glyphs)


def certificate_body(report: Report, glyphs: Glyphs) -> list[Content]:
    """Every address's chain; an address sending the same leaf as an earlier one is one line."""
    lines: list[Content] = []
    shown: dict[str, str] = {}
    several = len([a for a in report.per_address if a.certificate]) > 1
    for address in report.per_address:
        cert = address.certificate
        if cert is None or not cert.chain:
            continue
        leaf = cert.chain[0].sha256
        if several:
            if leaf in shown:
                lines.append(Content.assemble((plain(address.address), "bold underline"),
                                              (f"  same chain as {shown[leaf]}", MUTED)))
                continue
            lines.append(Content.styled(plain(address.address), "bold underline"))
        shown[leaf] = address.address
        for index, info in enumerate(cert.chain):
            lines.extend(cert_lines(info, index, cert))
        lines.extend(judgement_lines(cert, glyphs))
    return lines
