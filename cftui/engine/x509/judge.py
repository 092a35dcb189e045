"""Judge the origin's certificate chain the way CloudFront's TLS stack does.

The chain is taken exactly as the origin sent it. Trust is decided by libcrypto's
own X509_verify_cert (pyOpenSSL's X509StoreContext, default flags) against Mozilla's
list (certifi) plus any extra anchors, with what the origin sent as the untrusted
certificates (CloudFront does not fetch missing ones through AIA). Names are compared
as X509_check_host does. On top of that, cftui says why a chain fails (missing issuer,
order, extra certificates) and adds CloudFront's own rules (key limits, CN or SAN,
chain order). docs/certificate-rules.md lists the rules and their sources.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives.hashes import SHA256
from OpenSSL import crypto

from cftui.engine import profile
from cftui.engine.results import CertificateReport, CertInfo
from cftui.engine.x509.anchors import Anchors, trust_anchors
from cftui.engine.x509.der import DerError, Tbs, san_dns_names
from cftui.engine.x509.info import CertificateParseError, cert_info, quiet_parsing
from cftui.engine.x509.names import host_matches, name_values_utf8, openssl_name
from cftui.engine.x509.usage import leaf_problem, weak_signature

_SHA256 = SHA256()


# --- names -------------------------------------------------------------------


def name_matches(pattern: str, name: str) -> bool:
    """One certificate name against the host, as OpenSSL's X509_check_host compares them."""
    return host_matches(pattern.encode("utf-8", "surrogatepass"), name.encode("utf-8"))


def _names(info: CertInfo) -> tuple[list[bytes] | None, list[bytes | None]]:
    """(raw dNSNames of the SAN or None, CNs as OpenSSL converts them to UTF-8)."""
    if not info.der:  # a CertInfo made by hand: only the decoded names are known
        return ([n.encode() for n in info.san] or None,
                [info.common_name.encode()] if info.common_name else [])
    try:
        tbs = Tbs(info.der)
    except DerError:
        return None, []
    return san_dns_names(tbs), name_values_utf8(tbs.subject, "2.5.4.3")


def match_name(info: CertInfo, expected: str) -> tuple[str | None, bool]:
    """(the certificate name that covers `expected`, True when only a CN does).

    The SAN's dNSNames first, as OpenSSL does. OpenSSL then looks at the CN only when
    the SAN has no dNSName; CloudFront takes a name "in CN or SAN", so cftui looks at
    the CN either way and says when only the CN matched (`cn_only`).
    """
    host = expected.encode("utf-8")
    sans, cns = _names(info)
    for san in sans or ():
        if host_matches(san, host):
            return san.decode("ascii", "replace"), False
    for cn in cns:
        if cn is None:  # OpenSSL stops at a CN it cannot convert to UTF-8
            break
        if host_matches(cn, host):
            return cn.decode("ascii", "replace"), True
    return None, False


def openssl_name_match(info: CertInfo, expected: str) -> bool:
    """What `openssl x509 -checkhost` answers (no CN once the SAN has a dNSName)."""
    matched, cn_only = match_name(info, expected)
    return matched is not None and not (cn_only and _names(info)[0])


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


# --- dates ---------------------------------------------------------------------


def whole_days(start: dt.datetime, end: dt.datetime) -> int:
    """Whole days from `start` to `end`, floored: negative when `end` is earlier.

    `days_left` is whole_days(now, notAfter) (-11 for a certificate that expired 10 days
    and a few seconds ago); "expired N days ago" is whole_days(notAfter, now) (10).
    """
    return (end - start) // dt.timedelta(days=1)


def _plus(when: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """`when + delta`, held at the ends of what datetime can carry (year 1 and 9999)."""
    try:
        return when + delta
    except OverflowError:
        edge = dt.datetime.max if delta > dt.timedelta(0) else dt.datetime.min
        return edge.replace(tzinfo=dt.timezone.utc)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


# --- trust, by libcrypto ----------------------------------------------------------

#: At most this many distinct certificates (the leaf included, in the order sent) take
#: part in path building; the rest are only counted. Keeps the work linear.
MAX_JUDGED = 16
#: At most this many sent certificates are listed in the report's `chain`.
MAX_LISTED = 100
_DATE_ERRORS = frozenset({9, 10})  # X509_V_ERR_CERT_NOT_YET_VALID, _HAS_EXPIRED


def preload(ca_file: str | None) -> None:
    """Read and convert the anchors `judge` will trust (Mozilla's roots, `ca_file`)."""
    _shared_store(trust_anchors(ca_file))


_building = threading.Lock()


def _shared_store(anchors: Anchors) -> crypto.X509Store:
    """The process's X509_STORE for a CA set (adding Mozilla's ~150 roots costs more than
    a verification), built once even when a check asks while the preload builds it. It
    verifies at the present only: OpenSSL keeps the first time set on a store for good."""
    with _building:
        return _cached_store(anchors)


@functools.lru_cache(maxsize=8)
def _cached_store(anchors: Anchors) -> crypto.X509Store:
    return _build_store(anchors)


def _build_store(anchors: Anchors) -> crypto.X509Store:
    store = crypto.X509Store()
    rest: Sequence[x509.Certificate] = anchors
    if anchors.bundle is not None:
        try:  # libcrypto reads Mozilla's bundle itself: ~4 ms, where converting
            # cryptography's objects one by one takes ~10 (the same certificates)
            store.load_locations(anchors.bundle)
            rest = anchors[anchors.from_bundle:]
        except crypto.Error:
            store = crypto.X509Store()
    for anchor in rest:
        try:
            store.add_cert(crypto.X509.from_cryptography(anchor))
        except crypto.Error:  # the same root twice
            continue
    return store


class _Verifier:
    """X509_verify_cert on the sent chain, at a chosen moment."""

    def __init__(self, certs: Sequence[x509.Certificate], anchors: Anchors,
                 ders: Sequence[bytes] | None = None) -> None:
        self.anchors = anchors
        loaded: list[crypto.X509] = []
        for i, cert in enumerate(certs):
            try:  # from the DER as sent when the caller has it (cheaper, and as libcrypto reads it)
                loaded.append(crypto.load_certificate(crypto.FILETYPE_ASN1, ders[i])
                              if ders is not None else crypto.X509.from_cryptography(cert))
            except Exception:  # a certificate libcrypto does not read takes no part
                if i == 0:
                    raise
        self.leaf, self.untrusted = loaded[0], loaded[1:]

    def verify(self, when: dt.datetime | None) -> tuple[list[x509.Certificate] | None,
                                                        int | None, str | None]:
        """(the path from leaf to anchor, or None with OpenSSL's error code and text), at
        `when`, or at the present (OpenSSL's clock, as CloudFront's) when None."""
        if when is None:
            store = _shared_store(self.anchors)
        else:  # a store of its own: a store keeps the first time it is given
            store = _build_store(self.anchors)
            store.set_time(when)
        context = crypto.X509StoreContext(store, self.leaf, self.untrusted)
        try:
            chain = context.get_verified_chain()
        except crypto.X509StoreContextError as exc:
            code, depth, text = exc.errors  # X509_V_ERR_*, depth, its text
            failed = exc.certificate
            chain = None
        if chain is None:
            subject = openssl_name(failed.to_cryptography().subject)
            return None, code, f"{text} (depth {depth}: {subject})"
        return [c.to_cryptography() for c in chain], None, None


def trusted_path(certs: Sequence[x509.Certificate], anchors: Anchors, now: dt.datetime,
                 ders: Sequence[bytes] | None = None, *, present: bool = False,
                 ) -> tuple[list[x509.Certificate] | None, int | None, str | None]:
    """The path libcrypto builds from certs[0] (the leaf) through certs[1:] to an anchor:
    (leaf … anchor, None, None), or (None, X509_V_ERR_* code, OpenSSL's text).

    The dates are judged on their own: when the leaf is outside its validity, the chain
    is verified at a moment the leaf was valid, so an expired leaf does not hide (or
    fake) a chain problem. `judge` and the chain repair both decide trust here. `ders`:
    the certificates' DER, when the caller has it. `present`: `now` is the present, and
    libcrypto verifies at its own clock.
    """
    now = _utc(now)
    verifier = _Verifier(certs, anchors, ders)
    path, code, trust_error = verifier.verify(None if present else now)
    leaf_nb, leaf_na = _utc(certs[0].not_valid_before_utc), _utc(certs[0].not_valid_after_utc)
    if path is None and (now > leaf_na or now < leaf_nb):
        for when in _instants_in(certs):
            path, code, trust_error = verifier.verify(when)
            if path is not None or code not in _DATE_ERRORS:
                break
        if path is None and code in _DATE_ERRORS:  # no moment fits every certificate
            path = _path_ignoring_dates(certs, anchors)
    return path, code, trust_error


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether `parent` issued `child`: names chain and the signature verifies."""
    return _issued(child, parent)


@quiet_parsing()
def judge(chain_der: Sequence[bytes], expected_name: str, ca_file: str | None = None,
          now: dt.datetime | None = None, address: str = "") -> CertificateReport:
    """Judge a chain as sent (leaf first). Raises CertificateParseError if the leaf
    does not parse and TrustStoreError if the extra CA file cannot be read."""
    present = now is None
    now = _utc(now or dt.datetime.now(dt.timezone.utc))
    if not chain_der:
        raise CertificateParseError("the origin sent no certificate")
    parsed: dict[bytes, CertInfo] = {}  # a certificate sent again is parsed once
    infos = tuple(parsed.setdefault(der, cert_info(der)) if der not in parsed else parsed[der]
                  for der in chain_der[:MAX_LISTED])
    first_seen: dict[bytes, int] = {}  # SHA-256 -> index of its first copy
    for index, der in enumerate(chain_der):
        first_seen.setdefault(hashlib.sha256(der).digest(), index)
        if len(first_seen) == MAX_JUDGED:
            break
    judged_indices = sorted(first_seen.values())
    certs = [x509.load_der_x509_certificate(chain_der[i]) for i in judged_indices]
    leaf, leaf_info = certs[0], infos[0]
    anchors = trust_anchors(ca_file)

    matched, cn_only = match_name(leaf_info, expected_name)
    not_before = _utc(leaf.not_valid_before_utc)
    not_after = _utc(leaf.not_valid_after_utc)
    expired, not_yet = now > not_after, now < not_before

    path, code, trust_error = trusted_path(certs, anchors, now,
                                           [chain_der[i] for i in judged_indices],
                                           present=present)
    trusted = path is not None
    missing, missing_url = None, None
    in_order = True
    extra: tuple[int, ...] = ()
    chain_complete = True
    if path is not None:
        on_path = {c.fingerprint(_SHA256) for c in path[:-1]} if len(path) > 1 else set()
        root = path[-1].fingerprint(_SHA256)
        firsts = set(judged_indices)
        extra = tuple(i for i, info in enumerate(infos)  # the leaf itself is never extra
                      if i > 0 and (i not in firsts or bytes.fromhex(info.sha256) == root
                                    or bytes.fromhex(info.sha256) not in on_path))
        in_order = _sent_in_order(certs, path)
    else:
        cert_infos = [parsed[chain_der[i]] if i < MAX_LISTED else cert_info(chain_der[i])
                      for i in judged_indices]
        chain_complete, missing, missing_url = _find_gap(certs, cert_infos, anchors)
        in_order = _sent_in_order(certs, None)
    return CertificateReport(
        chain=infos, expected_name=expected_name, name_match=matched is not None,
        matched_name=matched, cn_only=cn_only, trusted=trusted, chain_complete=chain_complete,
        missing_issuer=missing, missing_issuer_url=missing_url, in_order=in_order,
        extra_certs=extra, days_left=whole_days(now, not_after), expired=expired,
        not_yet_valid=not_yet, key_problem=key_problem(leaf_info),
        trust_error=None if trusted else trust_error, self_signed=leaf_info.self_signed,
        path=tuple(openssl_name(c.subject) for c in path) if path else (),
        address=address,
        weak_signature=weak_signature(path if path else certs),
        leaf_problem=leaf_problem(leaf), sent_count=len(chain_der),
        judged_count=len(certs), verify_error=None if trusted else code,
        expired_days_ago=whole_days(not_after, now) if expired else None,
    )


def _instants_in(certs: Sequence[x509.Certificate]) -> list[dt.datetime]:
    """Moments inside the leaf's validity, latest first, also inside the others' if can be."""
    leaf_nb, leaf_na = _utc(certs[0].not_valid_before_utc), _utc(certs[0].not_valid_after_utc)
    latest_start = max(_utc(c.not_valid_before_utc) for c in certs)
    earliest_end = min(_utc(c.not_valid_after_utc) for c in certs)
    second = dt.timedelta(seconds=1)
    moments = [_plus(leaf_na, -second), _plus(leaf_nb, second)]
    if latest_start < earliest_end:
        moments.insert(0, latest_start + (earliest_end - latest_start) / 2)
    return moments


def _issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except Exception:  # any failure means "not this issuer"
        return False
    return True


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


@functools.lru_cache(maxsize=8)
def _subjects(anchors: tuple[x509.Certificate, ...]) -> frozenset[x509.Name]:
    return frozenset(a.subject for a in anchors)


def _find_gap(certs: Sequence[x509.Certificate], infos: Sequence[CertInfo],
              anchors: Anchors) -> tuple[bool, str | None, str | None]:
    """Walk up from the leaf through what was sent; report the first issuer that is
    neither sent nor trusted. (complete, missing issuer, its caIssuers URL)."""
    by_subject = _subjects(anchors)
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
