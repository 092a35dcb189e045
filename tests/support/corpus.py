"""Certificate shapes seen in the wild, made with `cryptography` for differential tests.

`cryptography` refuses to sign with MD5 or SHA-1, so `resign` re-signs a finished
certificate's TBS with the issuer's key and a weak algorithm (DER edited in place).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cftui.demo.pki import PrivateKey, private_key
from cftui.engine.x509.der import children, encode, tlv

UTC = dt.timezone.utc


@dataclass(frozen=True, eq=False)
class Made:
    """A certificate (DER) and the key that goes with it."""

    der: bytes
    key: PrivateKey

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)


def name(cn: str | None) -> x509.Name:
    if cn is None:
        return x509.Name([])
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn, _validate=False)])


def make(subject: x509.Name | str | None, key: PrivateKey, issuer: Made | None = None, *,
         ca: bool | None = False, bc_critical: bool = True, sans: Sequence[str] = (),
         ips: Sequence[str] = (), eku: Sequence[x509.ObjectIdentifier] | None = None,
         not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
         ) -> Made:
    """One certificate; `ca=None` leaves basicConstraints out."""
    import ipaddress

    subject_name = subject if isinstance(subject, x509.Name) else name(subject)
    now = dt.datetime.now(UTC)
    signer = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else subject_name
    builder = (x509.CertificateBuilder().subject_name(subject_name).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before or now - dt.timedelta(days=1))
               .not_valid_after(not_after or now + dt.timedelta(days=90)))
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                                        bc_critical)
    if eku is None and not ca:
        eku = [ExtendedKeyUsageOID.SERVER_AUTH]
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), False)
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in sans]
    alt += [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    if alt:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), False)
    digest = None if not isinstance(signer, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)) \
        else hashes.SHA256()
    cert = builder.sign(signer, digest)  # type: ignore[arg-type]
    from cryptography.hazmat.primitives.serialization import Encoding

    return Made(cert.public_bytes(Encoding.DER), key)


_WEAK = {  # name -> (hash, RSA signature OID, ECDSA signature OID)
    "sha1": (hashes.SHA1, "1.2.840.113549.1.1.5", "1.2.840.10045.4.1"),
    "md5": (hashes.MD5, "1.2.840.113549.1.1.4", None),
}


def _oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return encode(0x06, bytes(body))


def resign(made: Made, signer: PrivateKey, algorithm: str) -> Made:
    """The same certificate signed by `signer` with MD5 or SHA-1."""
    hash_type, rsa_oid, ec_oid = _WEAK[algorithm]
    der = made.der
    _, start, end = tlv(der, 0)
    tbs_elem = next(children(der, start, end))
    parts = [der[s:ce] for _, s, _, ce in children(der, tbs_elem[2], tbs_elem[3])]
    if isinstance(signer, rsa.RSAPrivateKey):
        alg = encode(0x30, _oid(rsa_oid) + b"\x05\x00")
    elif ec_oid is not None:
        alg = encode(0x30, _oid(ec_oid))
    else:
        raise ValueError(f"no {algorithm} signature for this key")
    version_offset = 1 if parts[0][0] == 0xA0 else 0
    parts[1 + version_offset] = alg
    tbs = encode(0x30, b"".join(parts))
    if isinstance(signer, rsa.RSAPrivateKey):
        signature = signer.sign(tbs, padding.PKCS1v15(), hash_type())
    else:
        assert isinstance(signer, ec.EllipticCurvePrivateKey)
        signature = signer.sign(tbs, ec.ECDSA(hash_type()))
    return Made(encode(0x30, tbs + alg + encode(0x03, b"\x00" + signature)), made.key)


def key(kind: str = "rsa:1024", index: int = 10) -> PrivateKey:
    """Small RSA where the size does not matter (cached per process)."""
    return private_key(kind, index)
