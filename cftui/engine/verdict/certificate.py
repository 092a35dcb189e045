"""Causes from the certificate facts: the chain as the origin sent it, judged."""

from __future__ import annotations

from cftui.engine import profile
from cftui.engine.causes import CauseCode
from cftui.engine.results import AddressReport, Cause
from cftui.engine.verdict.build import cause


def certificate_causes(report: AddressReport) -> list[Cause]:
    if report.certificate_error is not None:
        return [cause(CauseCode.CERT_MALFORMED, "the origin's certificate does not parse "
                      f"({report.certificate_error})")]
    cert = report.certificate
    if cert is None:
        return []
    causes: list[Cause] = []
    leaf = cert.chain[0]
    name = cert.expected_name
    if not cert.name_match:
        covered = ", ".join(leaf.san[:5]) or (f"CN {leaf.common_name}" if leaf.common_name
                                              else "no names")
        served = (" — it is a CA certificate: the origin serves an intermediate or a root "
                  "in place of its own certificate" if leaf.is_ca else "")
        causes.append(cause(CauseCode.CERT_NAME_MISMATCH, f"the certificate does not cover "
                            f"{name} (it names {covered}){served}", name=name))
    elif cert.cn_only:
        causes.append(cause(CauseCode.CERT_NAME_CN_ONLY, f"{name} matches only the "
                            "certificate's CN; no SAN entry covers it", name=name))
    if cert.expired:
        causes.append(cause(CauseCode.CERT_EXPIRED,
                            f"the certificate expired on {leaf.not_after}"))
    elif cert.not_yet_valid:
        causes.append(cause(CauseCode.CERT_NOT_YET_VALID,
                            f"the certificate is valid only from {leaf.not_before}"))
    elif cert.days_left < profile.EXPIRY_WARNING_DAYS:
        causes.append(cause(CauseCode.CERT_EXPIRING_SOON, f"the certificate expires in "
                            f"{cert.days_left} days ({leaf.not_after})"))
    if not cert.trusted:
        causes.append(_trust_cause(report))
    elif cert.leaf_problem:
        causes.append(cause(CauseCode.CERT_UNTRUSTED, "the certificate is not a TLS server "
                            f"certificate: {cert.leaf_problem}"))
    if cert.weak_signature:
        which, _, algorithm = cert.weak_signature.rpartition(": ")
        causes.append(cause(CauseCode.CERT_SIGNATURE_WEAK,
                            f"'{which}' is signed with {algorithm}; TLS stacks at their default "
                            "security level (OpenSSL 3, AWS-LC) refuse MD5 and SHA-1 signatures",
                            which=f"'{which}'"))
    if not cert.in_order:
        causes.append(cause(CauseCode.CERT_CHAIN_ORDER,
                            "the origin sends its chain out of order"))
    if cert.key_problem:
        causes.append(cause(CauseCode.CERT_KEY_UNSUPPORTED,
                            f"the certificate has a {cert.key_problem}"))
    if cert.extra_certs:
        which = ", ".join(f"#{i}" for i in cert.extra_certs)
        causes.append(cause(CauseCode.CERT_EXTRA_CERTS, "the origin sends certificates off "
                            f"the path or the root ({which})"))
    return causes


#: What OpenSSL's verify error (X509_V_ERR_*) means for the origin's chain.
_VERIFY_WHY: dict[int, str] = {
    7: "a signature in the chain does not verify",
    10: "a certificate in the chain has expired",
    9: "a certificate in the chain is not yet valid",
    24: "a certificate in the chain is not a valid CA",
    26: "a certificate in the chain may not be used for TLS servers",
    66: "the certificate's key is too weak",
    67: "a CA certificate's key is too weak",
}


def _trust_cause(report: AddressReport) -> Cause:
    cert = report.certificate
    assert cert is not None
    if not cert.chain_complete:
        where = (f"; download it from {cert.missing_issuer_url}"
                 if cert.missing_issuer_url else "")
        return cause(CauseCode.CERT_CHAIN_INCOMPLETE, "the origin does not send the "
                     f"intermediate certificate '{cert.missing_issuer}'",
                     issuer=cert.missing_issuer, where=where)
    why = ("the certificate is self-signed" if cert.self_signed else
           _VERIFY_WHY.get(cert.verify_error or 0,
                           "the chain ends at a root that is not on Mozilla's list"))
    return cause(CauseCode.CERT_UNTRUSTED, f"{why} ({cert.trust_error or 'no trusted path'})")
