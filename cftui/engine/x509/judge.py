"""Judge the origin's certificate chain the way CloudFront does.

The chain is taken exactly as the origin sent it. Trust is decided by
cryptography's X.509 path builder against Mozilla's list (certifi) plus any
extra anchors; only the intermediates the origin sent are used (CloudFront does
not fetch missing ones through AIA). When no path exists, the code says why.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.x509 import verification as xv

from cftui.engine import profile
from cftui.engine.results import CertificateReport, CertInfo
from cftui.engine.x509.info import CertificateParseError, cert_info, quiet_parsing
from cftui.engine.x509.names import openssl_name

_SHA256 = SHA256()


class TrustStoreError(Exception):
    """An extra CA file could not be read."""


@functools.lru_cache(maxsize=8)
@quiet_parsing()
def _load_pem_file(path: str) -> tuple[x509.Certificate, ...]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TrustStoreError(f"cannot read CA file {path}: {exc.strerror or exc}") from exc
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise TrustStoreError(f"CA file {path} holds no PEM certificate") from exc
    return tuple(certs)


def trust_anchors(ca_file: str | None) -> tuple[x509.Certificate, ...]:
    """Mozilla's roots (what CloudFront trusts) plus the extra anchors given."""
    roots = _load_pem_file(certifi.where())
    return roots + _load_pem_file(ca_file) if ca_file else roots


# --- names -------------------------------------------------------------------


def _ascii(name: str) -> str | None:
    try:
        return name.strip().rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def name_matches(pattern: str, name: str) -> bool:
    """RFC 6125: exact (case-insensitive) or a wildcard for one whole left-most label."""
    pattern_a, name_a = _ascii(pattern), _ascii(name)
    if not pattern_a or not name_a:
        return False
    if pattern_a == name_a:
        return True
    if not pattern_a.startswith("*."):
        return False
    suffix = pattern_a[2:]
    if suffix.count(".") < 1:  # no "*.com"
        return False
    head, _, rest = name_a.partition(".")
    return bool(head) and rest == suffix


def match_name(info: CertInfo, expected: str) -> tuple[str | None, bool]:
    """(the certificate name that covers `expected`, True when only the CN does)."""
    for san in info.san:
        if name_matches(san, expected):
            return san, False
    if info.common_name and name_matches(info.common_name, expected):
        return info.common_name, True
    return None, False


# --- keys --------------------------------------------------------------------


def key_problem(info: CertInfo) -> str | None:
    """Why CloudFront cannot use this leaf key, or None."""
    if info.key_type == "RSA":
        if info.key_bits > profile.RSA_MAX_BITS:
            return f"RSA key of {info.key_bits} bits (CloudFront takes at most 4096)"
        if info.key_bits < profile.RSA_MIN_BITS:
            return f"RSA key of {info.key_bits} bits (too small)"
        return None
    if info.key_type == "EC":
        if info.curve in profile.ECDSA_CURVES:
            return None
        return f"ECDSA key on {info.curve} (CloudFront takes P-256 or P-384)"
    return f"{info.key_type} key (CloudFront takes RSA or ECDSA P-256/P-384)"


# --- the chain ----------------------------------------------------------------


def _issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except Exception:  # any failure means "not this issuer"
        return False
    return True


@functools.lru_cache(maxsize=8)
def _store(anchors: tuple[x509.Certificate, ...]) -> xv.Store:
    """Building a Store of Mozilla's ~150 roots is the costly part: once per CA set."""
    return xv.Store(list(anchors))


def _verify(leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
            anchors: Sequence[x509.Certificate],
            when: dt.datetime) -> tuple[list[x509.Certificate] | None, str | None]:
    builder = (
        xv.PolicyBuilder()
        .store(_store(tuple(anchors)))
        .time(when)
        .extension_policies(
            ca_policy=xv.ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=xv.ExtensionPolicy.permit_all(),
        )
    )
    try:
        verified = builder.build_client_verifier().verify(leaf, list(intermediates))
    except xv.VerificationError as exc:
        return None, str(exc)
    except ValueError as exc:
        return None, str(exc)
    return list(verified.chain), None


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@quiet_parsing()
def judge(chain_der: Sequence[bytes], expected_name: str, ca_file: str | None = None,
          now: dt.datetime | None = None, address: str = "") -> CertificateReport:
    """Judge a chain as sent (leaf first). Raises CertificateParseError if the leaf
    does not parse and TrustStoreError if the extra CA file cannot be read."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if not chain_der:
        raise CertificateParseError("the origin sent no certificate")
    infos = tuple(cert_info(der) for der in chain_der)
    certs = [x509.load_der_x509_certificate(der) for der in chain_der]
    leaf, leaf_info = certs[0], infos[0]
    anchors = trust_anchors(ca_file)

    matched, cn_only = match_name(leaf_info, expected_name)
    not_before = _utc(leaf.not_valid_before_utc)
    not_after = _utc(leaf.not_valid_after_utc)
    expired, not_yet = now > not_after, now < not_before
    days_left = (not_after - now).days

    path, trust_error = _verify(leaf, certs[1:], anchors, now)
    if path is None and (expired or not_yet):
        # The dates are reported on their own; judge the chain at a moment the leaf
        # was valid, so an expired leaf does not hide (or fake) a chain problem.
        for when in _instants_in(certs):
            path, _ = _verify(leaf, certs[1:], anchors, when)
            if path is not None:
                break
        if path is None:  # no instant fits every certificate: link them by signature
            path = _path_ignoring_dates(certs, anchors)
    trusted = path is not None
    missing, missing_url = None, None
    self_signed = leaf_info.self_signed
    in_order, extra = True, ()
    chain_complete = True
    if path is not None:
        on_path = {c.fingerprint(_SHA256) for c in path[:-1]} if len(path) > 1 else set()
        root = path[-1]
        extra = tuple(i for i, c in enumerate(certs)  # the leaf itself is never extra
                      if i > 0 and (c.fingerprint(_SHA256) not in on_path or c == root))
        in_order = _sent_in_order(certs, path)
    else:
        chain_complete, missing, missing_url = _find_gap(certs, infos, anchors)
        in_order = _sent_in_order(certs, None)
    return CertificateReport(
        chain=infos, expected_name=expected_name, name_match=matched is not None,
        matched_name=matched, cn_only=cn_only, trusted=trusted, chain_complete=chain_complete,
        missing_issuer=missing, missing_issuer_url=missing_url, in_order=in_order,
        extra_certs=extra, days_left=days_left, expired=expired, not_yet_valid=not_yet,
        key_problem=key_problem(leaf_info), trust_error=None if trusted else trust_error,
        self_signed=self_signed,
        path=tuple(openssl_name(c.subject) for c in path) if path else (),
        address=address,
    )


def _instants_in(certs: Sequence[x509.Certificate]) -> list[dt.datetime]:
    """Moments inside the leaf's validity, latest first, also inside the others' if can be."""
    leaf_nb, leaf_na = _utc(certs[0].not_valid_before_utc), _utc(certs[0].not_valid_after_utc)
    latest_start = max(_utc(c.not_valid_before_utc) for c in certs)
    earliest_end = min(_utc(c.not_valid_after_utc) for c in certs)
    second = dt.timedelta(seconds=1)
    moments = [leaf_na - second, leaf_nb + second]
    if latest_start < earliest_end:
        moments.insert(0, latest_start + (earliest_end - latest_start) / 2)
    return moments


def _path_ignoring_dates(certs: Sequence[x509.Certificate],
                         anchors: Sequence[x509.Certificate]) -> list[x509.Certificate] | None:
    """Leaf to trusted root through what was sent, by names and signatures alone."""
    path = [certs[0]]
    while len(path) <= len(certs):
        current = path[-1]
        anchor = next((a for a in anchors if _issued(current, a)), None)
        if anchor is not None:
            return path if anchor == current else [*path, anchor]
        parent = next((c for c in certs if c not in path and _issued(current, c)), None)
        if parent is None:
            return None
        path.append(parent)
    return None


def _sent_in_order(certs: Sequence[x509.Certificate],
                   path: Sequence[x509.Certificate] | None) -> bool:
    """Each certificate on the path is followed by its issuer, leaf first."""
    if path is not None:
        position = {c.fingerprint(_SHA256): i for i, c in enumerate(certs)}
        indices = [position[c.fingerprint(_SHA256)] for c in path
                   if c.fingerprint(_SHA256) in position]
        return indices == sorted(indices) and (not indices or indices[0] == 0)
    # No trusted path: still, the issuer of each sent certificate should come next.
    for i, cert in enumerate(certs):
        issuers = [j for j, other in enumerate(certs) if j != i and _issued(cert, other)]
        if issuers and i + 1 not in issuers:
            return False
    return True


def _find_gap(certs: Sequence[x509.Certificate], infos: Sequence[CertInfo],
              anchors: Sequence[x509.Certificate]) -> tuple[bool, str | None, str | None]:
    """Walk up from the leaf through what was sent; report the first issuer that is
    neither sent nor trusted. (complete, missing issuer, its caIssuers URL)."""
    by_subject = {a.subject for a in anchors}
    current, info = certs[0], infos[0]
    seen = {current.fingerprint(_SHA256)}
    while True:
        if current.issuer == current.subject:
            return True, None, None  # self-signed: complete, but not trusted
        if current.issuer in by_subject:
            return True, None, None  # issuer is an anchor: the path exists by name
        parent = next((c for c in certs if c.fingerprint(_SHA256) not in seen
                       and _issued(current, c)), None)
        if parent is None:
            if current is not certs[0] and info.is_ca:
                return True, None, None  # sent CAs end at a root outside the trust store
            url = info.ca_issuers[0] if info.ca_issuers else None
            return False, info.issuer, url
        seen.add(parent.fingerprint(_SHA256))
        current, info = parent, infos[certs.index(parent)]
