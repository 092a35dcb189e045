"""Causes from the TLS facts: what the origin answered to CloudFront's ClientHellos."""

from __future__ import annotations

from collections.abc import Sequence

from cftui.engine import profile
from cftui.engine.causes import CauseCode
from cftui.engine.model import Outcome, ProtocolAttempt, ProtocolResult, Purpose
from cftui.engine.profile import Protocol
from cftui.engine.results import AddressReport, Cause, Stage
from cftui.engine.target import Target
from cftui.engine.verdict.build import cause, names

#: What a plain-HTTP answer starts with.
_HTTP_STARTS = (b"HTTP", b"<html", b"<!DOC")


def _cloudfront_attempts(results: Sequence[ProtocolResult]) -> list[ProtocolAttempt]:
    return [a for r in results if r.enabled for a in r.attempts]


def tls_causes(target: Target, report: AddressReport) -> list[Cause]:
    results = report.protocols
    if not results:
        return []
    enabled = [r for r in results if r.enabled]
    attempts = _cloudfront_attempts(results)
    working = [r for r in enabled if r.cloudfront_works]

    not_tls = next((a for a in attempts if a.outcome is Outcome.NOT_TLS), None)
    if not_tls is not None:
        first = not_tls.flight.first_bytes if not_tls.flight else b""
        what = "plain HTTP" if first.startswith(_HTTP_STARTS) else "something that is not TLS"
        return [cause(CauseCode.NOT_TLS, f"{what} answers on port {target.port}, not TLS",
                      port=target.port)]

    causes = _violations(attempts)
    broken = next((r for r in enabled if r.cloudfront_works and r.error), None)
    if broken is not None and not any(c.blocking for c in causes):
        causes.append(cause(CauseCode.TLS_HANDSHAKE_FAILED,
                            f"the origin picks {broken.cipher} at {broken.protocol.value}, then "
                            f"its first flight breaks off: {broken.error}", fix="broken_flight"))
    if not target.mtls and report.asks_client_certificate:
        causes.append(cause(CauseCode.TLS_CLIENT_CERT_REQUIRED,
                            "the origin asks for a client certificate; CloudFront sends none"))
    if working:
        if all(r.protocol is not Protocol.TLSv1_2 for r in working):
            causes.append(cause(CauseCode.LEGACY_PROTOCOL, "the origin works only through "
                                f"{names(r.protocol for r in working)}"))
        return causes

    spoken = [r for r in enabled if r.accepted]
    if spoken:
        causes.append(_cipher_or_profile_cause(spoken, report))
        return causes
    # A mismatch needs evidence about versions: some version is spoken, or one is
    # refused as such. Resets, silence or a bare alert on every version are a failed
    # handshake, not a protocol question.
    version_evidence = any(r.accepted for r in results) or any(
        a.version_refused for a in attempts)
    if enabled and all(r.accepted is False for r in enabled) and version_evidence:
        causes.append(_protocol_mismatch(target, enabled, results))
        return causes
    failed = next((r for r in enabled if r.error), None)
    causes.append(cause(CauseCode.TLS_HANDSHAKE_FAILED, "the TLS handshake fails: "
                        f"{failed.error if failed else 'no answer'}"))
    return causes


def _violations(attempts: Sequence[ProtocolAttempt]) -> list[Cause]:
    """CloudFront always sends its whole offer: only an answer to that one blocks. An
    origin that misbehaves only toward a narrower enumeration offer is odd, not fatal."""
    judged = [(a, v) for a in attempts if (v := a.judgement) is not None]
    full = next(((a, v) for a, v in judged if a.purpose is not Purpose.ENUMERATE), None)
    if full is not None:
        a, v = full
        return [cause(CauseCode.TLS_HANDSHAKE_FAILED,
                      f"{v.message} ({a.protocol.value}); a real client, CloudFront "
                      "included, aborts the handshake", fix=v.fix)]
    odd = next(((a, v) for a, v in judged if a.purpose is Purpose.ENUMERATE), None)
    if odd is not None:
        a, v = odd
        return [cause(CauseCode.TLS_OFFER_IGNORED,
                      f"offered fewer suites at {a.protocol.value}, {v.message}; "
                      "CloudFront's full offer works, but a client with a narrower offer would "
                      "abort", fix="default" if v.about_offer else v.fix)]
    return []


def _cipher_or_profile_cause(spoken: Sequence[ProtocolResult], report: AddressReport) -> Cause:
    first = spoken[0]
    broad = first.broad_cipher
    suite = profile.suite_by_name(broad) if broad else None
    if suite is not None and suite.code in profile.CLOUDFRONT_SUITE_CODES:
        cert = report.certificate
        if cert is not None and cert.key_problem:
            # The key itself makes CloudFront's handshake impossible: the TLS stage fails.
            return cause(CauseCode.CERT_KEY_UNSUPPORTED,
                         f"the origin's certificate has a {cert.key_problem}, so no handshake "
                         "with CloudFront's offer completes", stage=Stage.TLS)
        return cause(CauseCode.TLS_HANDSHAKE_FAILED,
                     f"the origin accepts {broad} at {first.protocol.value} only with a curve or "
                     "signature scheme CloudFront does not offer", fix="profile",
                     groups=profile.CLOUDFRONT_GROUPS_OPENSSL.replace(":", ", "))
    offered = ", ".join(f"{r.protocol.value} ({r.broad_cipher or 'no suite cftui knows'})"
                        for r in spoken)
    return cause(CauseCode.TLS_CIPHER_MISMATCH,
                 f"the origin speaks {offered}, but accepts none of CloudFront's cipher suites")


def _protocol_mismatch(target: Target, enabled: Sequence[ProtocolResult],
                       results: Sequence[ProtocolResult]) -> Cause:
    others = [r for r in results if not r.enabled and r.cloudfront_works]
    tls13 = next((r for r in results if r.protocol is Protocol.TLSv1_3), None)
    speaks = [r.protocol for r in results if r.accepted]
    message = (f"the origin accepts none of the enabled protocols "
               f"({names(r.protocol for r in enabled)}); it speaks {names(speaks)}")
    if others:
        setting = names(sorted({*target.protocols, *(r.protocol for r in others)},
                               key=lambda p: p.wire))
        return cause(CauseCode.TLS_PROTOCOL_MISMATCH, message, fix="setting", setting=setting,
                     enabled=names(r.protocol for r in enabled))
    if tls13 and tls13.accepted:
        return cause(CauseCode.TLS_PROTOCOL_MISMATCH,
                     message + " (CloudFront does not use TLS 1.3 toward origins)",
                     fix="tls13_only")
    return cause(CauseCode.TLS_PROTOCOL_MISMATCH, message)


def mtls_causes(target: Target, problems: Sequence[str]) -> list[Cause]:
    """Origin mTLS configured: untested without a client certificate; the supplied one
    judged (validity, purpose) as the origin will judge it."""
    if not target.mtls:
        return []
    if target.client_cert is None:
        return [cause(CauseCode.MTLS_UNVERIFIED, "origin mTLS is configured, but no client "
                      "certificate was supplied, so cftui could not test that the origin "
                      "accepts CloudFront's")]
    if problems:
        return [cause(CauseCode.MTLS_CLIENT_CERT_INVALID, "the client certificate presented "
                      f"for origin mTLS: {'; '.join(problems)}")]
    return []
