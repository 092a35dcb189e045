"""Build the chain CloudFront needs from what the origin sent: leaf, then each issuer.

Trust is decided by the check's own verifier (judge.trusted_path: libcrypto against
Mozilla's roots plus --ca-file). Missing issuers are fetched from the caIssuers URL of
the highest certificate reached so far, upwards, a bounded number of times. The result
is the verified path without its root: certificates off the path, duplicates and the
root are left out, and the order is leaf → intermediates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from cftui.engine.causes import CauseCode
from cftui.engine.net import aia
from cftui.engine.results import AddressReport, Report
from cftui.engine.x509.anchors import Anchors, trust_anchors
from cftui.engine.x509.judge import MAX_JUDGED, issued_by, trusted_path
from cftui.engine.x509.names import openssl_name

#: The causes a rebuilt chain fixes: the check screen and `cftui fix-chain` offer it for these.
CHAIN_CAUSES = frozenset({CauseCode.CERT_CHAIN_INCOMPLETE, CauseCode.CERT_CHAIN_ORDER,
                          CauseCode.CERT_EXTRA_CERTS})


def pick_address(report: Report) -> AddressReport | None:
    """The address whose chain to repair: one with a chain cause, else the first with a
    certificate."""
    flagged = {c.address for c in report.verdict.causes if c.code in CHAIN_CAUSES}
    candidates = [a for a in report.per_address if a.certificate is not None
                  and a.certificate.chain]
    for address in candidates:
        if address.address in flagged or None in flagged:
            return address
    return candidates[0] if candidates else None


def cert_label(cert: x509.Certificate) -> str:
    """The CN, or the whole subject when there is none (untrusted text)."""
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if cns and isinstance(cns[0].value, str):
        return cns[0].value
    return openssl_name(cert.subject)


#: At most this many caIssuers fetches per repair (a real chain needs one or two).
MAX_FETCHES = 5

Fetch = Callable[[str, float], tuple[x509.Certificate, ...]]


@dataclass(frozen=True)
class Fetched:
    url: str
    subject: str  # the issuer it gave, OpenSSL one-line form (untrusted text)


@dataclass(frozen=True)
class Repair:
    """The chain to install (leaf first, no root), or why there is none."""

    chain: tuple[x509.Certificate, ...] = ()
    root: str | None = None  # the trust anchor the chain ends at (not included)
    fetched: tuple[Fetched, ...] = ()
    dropped: tuple[str, ...] = ()  # sent certificates left out, with why
    changed: bool = False  # differs from what the origin sent
    problem: str | None = None  # one line: why there is no verified chain
    reason: str | None = None  # "no-aia", "fetch-failed", "not-issuer", "untrusted"

    @property
    def ok(self) -> bool:
        return self.problem is None and bool(self.chain)

    @property
    def pem(self) -> bytes:
        return b"".join(c.public_bytes(Encoding.PEM) for c in self.chain)


def _fp(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(SHA256())


def ca_issuers(cert: x509.Certificate) -> tuple[str, ...]:
    """The caIssuers URLs of a certificate's AIA extension."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except (x509.ExtensionNotFound, ValueError):
        return ()
    return tuple(d.access_location.value for d in ext.value
                 if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
                 and isinstance(d.access_location, x509.UniformResourceIdentifier))


def _top(leaf: x509.Certificate, pool: Sequence[x509.Certificate]) -> x509.Certificate:
    """The highest certificate reached from the leaf through `pool` by signatures."""
    current, seen = leaf, {_fp(leaf)}
    while True:
        parent = next((c for c in pool if _fp(c) not in seen and issued_by(current, c)), None)
        if parent is None:
            return current
        seen.add(_fp(parent))
        current = parent


def repair_chain(chain_der: Sequence[bytes], ca_file: str | None = None, *,
                 fetch: Fetch | None = None, fetch_timeout: float = 10.0,
                 connect_timeout: float = 5.0,
                 max_fetches: int = MAX_FETCHES,
                 now: dt.datetime | None = None) -> Repair:
    """The chain to install for the leaf `chain_der[0]`, the rest as the origin sent it.

    Raises ValueError if the leaf does not parse, judge.TrustStoreError if the CA file
    cannot be read. `fetch(url, deadline)` defaults to aia.fetch_issuer with
    `connect_timeout`."""
    if fetch is None:
        def fetch(url: str, deadline: float) -> tuple[x509.Certificate, ...]:
            return aia.fetch_issuer(url, deadline, connect_timeout=connect_timeout)
    now = now or dt.datetime.now(dt.timezone.utc)
    anchors = trust_anchors(ca_file)
    leaf = x509.load_der_x509_certificate(chain_der[0])
    pool: list[x509.Certificate] = []
    seen = {_fp(leaf)}
    for der in chain_der[1:]:  # distinct, and as many as the check judges
        if len(seen) >= MAX_JUDGED:
            break
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:  # an unreadable extra takes no part, as in the check
            continue
        if _fp(cert) not in seen:
            seen.add(_fp(cert))
            pool.append(cert)
    fetched: list[Fetched] = []
    tried: set[str] = set()
    while True:
        path, _, error = trusted_path([leaf, *pool], anchors, now)
        if path is not None:
            return _finish(chain_der, path, fetched, anchors, now)
        top = _top(leaf, pool)
        anchor = next((a for a in anchors if issued_by(top, a)), None)
        if anchor is not None:
            return _fail(fetched, "untrusted", f"the chain reaches the trusted root "
                         f"{openssl_name(anchor.subject)} but does not verify: {error}")
        if top.issuer == top.subject and issued_by(top, top):
            return _fail(fetched, "untrusted", f"the chain ends at {openssl_name(top.subject)}, "
                         f"a root that is not trusted ({error})")
        urls = sorted((u for u in ca_issuers(top) if u not in tried),
                      key=lambda u: not u.lower().startswith("http:"))  # http:// first
        if not urls:
            what = "no caIssuers URL" if not ca_issuers(top) else "no caIssuers URL left"
            return _fail(fetched, "no-aia", f"{openssl_name(top.subject)} has {what} to "
                         f"fetch its issuer {openssl_name(top.issuer)} from")
        failure: tuple[str, str] | None = None
        for url in urls:  # the next URL when one fails
            if len(tried) >= max_fetches:
                failure = failure or ("fetch-failed", f"still no trusted root after "
                                      f"{max_fetches} fetches")
                break
            tried.add(url)
            try:
                got = fetch(url, fetch_timeout)
            except aia.FetchError as exc:
                failure = ("fetch-failed", f"fetching the issuer of "
                           f"{openssl_name(top.subject)} failed: {exc}")
                continue
            issuers = [c for c in got if issued_by(top, c)]
            if not issuers:
                failure = ("not-issuer", f"the certificate at {url} did not issue "
                           f"{openssl_name(top.subject)} (its signature does not verify)")
                continue
            fetched.extend(Fetched(url, openssl_name(c.subject)) for c in issuers)
            pool.extend(issuers)
            failure = None
            break
        if failure is not None:
            return _fail(fetched, *failure)


def _fail(fetched: Sequence[Fetched], reason: str, problem: str) -> Repair:
    return Repair(fetched=tuple(fetched), problem=problem, reason=reason)


def _finish(chain_der: Sequence[bytes], path: Sequence[x509.Certificate],
            fetched: Sequence[Fetched],
            anchors: Anchors, now: dt.datetime) -> Repair:
    chain = tuple(path[:-1]) if len(path) > 1 else tuple(path)
    # What will be installed must verify on its own, without the extras sent.
    again, _, error = trusted_path(list(chain), anchors, now)
    if again is None:  # pragma: no cover - the path came from the same verifier
        return _fail(fetched, "untrusted", f"the built chain does not verify: {error}")
    on_path = {_fp(c) for c in chain}
    root_fp = _fp(path[-1])
    dropped = []
    seen = {_fp(chain[0])}
    for der in chain_der[1:]:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            dropped.append("a certificate that does not parse")
            continue
        fp = _fp(cert)
        name = openssl_name(cert.subject)
        if fp == root_fp:
            dropped.append(f"{name} (the root: clients have it already)")
        elif fp in seen and fp in on_path:
            dropped.append(f"{name} (sent twice)")
        elif fp not in on_path:
            dropped.append(f"{name} (not on the path to the root)")
        seen.add(fp)
    sent = tuple(chain_der)
    built = tuple(c.public_bytes(Encoding.DER) for c in chain)
    return Repair(chain=chain, root=openssl_name(path[-1].subject), fetched=tuple(fetched),
                  dropped=tuple(dropped), changed=sent != built)


__all__ = ["MAX_FETCHES", "Fetched", "Repair", "ca_issuers", "repair_chain"]
