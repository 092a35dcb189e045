"""Test PKI made with `cryptography`: root CAs, intermediates and leaves.

Keys are cached per (key type, index) for the life of the process, since RSA key
generation is slow and tests make many certificates. Subjects are taken as given,
control characters and over-long values included, so tests can serve hostile names.
"""

from __future__ import annotations

import ipaddress
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

PrivateKey = (
    rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)
When = datetime | timedelta  # a timedelta is relative to now

_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "secp256r1": ec.SECP256R1,
    "prime256v1": ec.SECP256R1,
    "secp384r1": ec.SECP384R1,
    "secp521r1": ec.SECP521R1,
    "secp256k1": ec.SECP256K1,
}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_KEYS: dict[tuple[str, int], PrivateKey] = {}
_KEYS_LOCK = threading.Lock()


def private_key(key_type: str = "rsa:2048", index: int = 0) -> PrivateKey:
    """A key of that type: `rsa:BITS`, `ec:CURVE`, `ed25519` or `ed448`.

    The same (key_type, index) returns the same key for the life of the process.
    Large RSA keys are slow to make once (rsa:8192 takes seconds; rsa:5120 is over
    CloudFront's 4096-bit limit and much quicker).
    """
    cache_key = (key_type.strip().lower(), index)
    with _KEYS_LOCK:
        key = _KEYS.get(cache_key)
        if key is None:
            key = _KEYS[cache_key] = _generate(cache_key[0])
        return key


def _generate(key_type: str) -> PrivateKey:
    kind, _, param = key_type.partition(":")
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=int(param or 2048))
    if kind in ("ec", "ecdsa"):
        curve = _CURVES.get(param or "secp256r1")
        if curve is None:
            raise ValueError(f"unknown curve {param!r} (known: {', '.join(_CURVES)})")
        return ec.generate_private_key(curve())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    raise ValueError(f"unknown key type {key_type!r} (rsa:BITS, ec:CURVE, ed25519, ed448)")


def make_name(
    common_name: str | None = None,
    organization: str | None = None,
    organizational_unit: str | None = None,
) -> x509.Name:
    """A Name with the given attributes, values taken verbatim (no length checks)."""
    parts = (
        (NameOID.ORGANIZATION_NAME, organization),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, organizational_unit),
        (NameOID.COMMON_NAME, common_name),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # length limits are reported as warnings
        return x509.Name(
            [x509.NameAttribute(oid, value, _validate=False) for oid, value in parts
             if value is not None]
        )


def _as_name(value: str | x509.Name) -> x509.Name:
    return value if isinstance(value, x509.Name) else make_name(value)


def _when(value: When | None, default: timedelta) -> datetime:
    now = datetime.now(timezone.utc)
    if value is None:
        return now + default
    if isinstance(value, timedelta):
        return now + value
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class CertFiles:
    """PEM files written for one certificate."""

    cert: Path  # the certificate alone
    key: Path  # its private key (PKCS#8)
    chain: Path  # the certificate, then its issuers up to but not including the root
    fullchain: Path  # the certificate, then every issuer including the root


@dataclass(frozen=True, eq=False)
class Issued:
    """A certificate, its private key and the CA that signed it (None: self-signed)."""

    cert: x509.Certificate
    key: PrivateKey
    issuer: Issued | None = None

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def path(self) -> tuple[Issued, ...]:
        """This certificate, then each issuer up to and including the root."""
        chain: list[Issued] = [self]
        while chain[-1].issuer is not None and len(chain) < 16:
            chain.append(chain[-1].issuer)
        return tuple(chain)

    @property
    def chain(self) -> tuple[Issued, ...]:
        """What a correctly configured server sends: the path without its root."""
        path = self.path
        if len(path) > 1 and path[-1].issuer is None:
            return path[:-1]
        return path

    @property
    def intermediates(self) -> tuple[Issued, ...]:
        """The issuers a server sends after its leaf."""
        return self.chain[1:]

    def write(self, directory: str | Path, stem: str = "cert") -> CertFiles:
        """Write cert, key, chain and fullchain PEM files named after `stem`."""
        if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
            raise ValueError(f"bad file stem {stem!r}")
        base = Path(directory)
        base.mkdir(parents=True, exist_ok=True)
        files = CertFiles(
            cert=base / f"{stem}.crt",
            key=base / f"{stem}.key",
            chain=base / f"{stem}.chain.pem",
            fullchain=base / f"{stem}.fullchain.pem",
        )
        files.cert.write_bytes(self.pem)
        files.key.touch(mode=0o600)
        files.key.write_bytes(self.key_pem)
        files.chain.write_bytes(pem_bundle(self.chain))
        files.fullchain.write_bytes(pem_bundle(self.path))
        return files


def pem_bundle(certs: Sequence[Issued | x509.Certificate]) -> bytes:
    """Concatenated PEM of certificates, in the order given."""
    return b"".join(_cert_of(c).public_bytes(serialization.Encoding.PEM) for c in certs)


def _cert_of(item: Issued | x509.Certificate) -> x509.Certificate:
    return item.cert if isinstance(item, Issued) else item


def _signature_hash(signer: PrivateKey, name: str) -> hashes.HashAlgorithm | None:
    if isinstance(signer, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        return None
    return _HASHES[name]()


def _build(
    subject: x509.Name,
    key: PrivateKey,
    issuer: Issued | None,
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
    not_before: When | None,
    not_after: When | None,
    default_days: int,
    signature_hash: str,
    issuer_name: x509.Name | None = None,
) -> Issued:
    signer = issuer.key if issuer else key
    if issuer_name is None:
        issuer_name = issuer.cert.subject if issuer else subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_when(not_before, timedelta(days=-1)))
        .not_valid_after(_when(not_after, timedelta(days=default_days)))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False
        )
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    cert = builder.sign(signer, _signature_hash(signer, signature_hash))  # type: ignore[arg-type]
    return Issued(cert, key, issuer)


def _aia(url: str) -> x509.AuthorityInformationAccess:
    return x509.AuthorityInformationAccess(
        [x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                x509.UniformResourceIdentifier(url))]
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )


def root_ca(
    subject: str | x509.Name = "cftui Test Root CA",
    *,
    key_type: str = "rsa:2048",
    key_index: int = 0,
    not_before: When | None = None,
    not_after: When | None = None,
    signature_hash: str = "sha256",
) -> Issued:
    """A self-signed root CA."""
    extensions = [(x509.BasicConstraints(ca=True, path_length=None), True), (_ca_usage(), True)]
    return _build(_as_name(subject), private_key(key_type, key_index), None, extensions,
                  not_before, not_after, 3650, signature_hash)


def intermediate_ca(
    issuer: Issued,
    subject: str | x509.Name = "cftui Test Intermediate CA",
    *,
    key_type: str = "rsa:2048",
    key_index: int = 1,
    not_before: When | None = None,
    not_after: When | None = None,
    path_length: int | None = 0,
    aia_ca_issuers: str | None = None,
    signature_hash: str = "sha256",
) -> Issued:
    """A CA signed by `issuer`."""
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (_ca_usage(), True),
    ]
    if aia_ca_issuers:
        extensions.append((_aia(aia_ca_issuers), False))
    return _build(_as_name(subject), private_key(key_type, key_index), issuer, extensions,
                  not_before, not_after, 1825, signature_hash)


def leaf(
    issuer: Issued | None,
    dns_names: Sequence[str] = (),
    *,
    common_name: str | None = None,
    subject: str | x509.Name | None = None,
    key_type: str = "rsa:2048",
    key_index: int = 2,
    not_before: When | None = None,
    not_after: When | None = None,
    aia_ca_issuers: str | None = None,
    ip_addresses: Sequence[str] = (),
    client: bool = False,
    issuer_name: str | x509.Name | None = None,
    signature_hash: str = "sha256",
    self_signed: bool = False,
) -> Issued:
    """An end-entity certificate signed by `issuer`, or self-signed (`issuer` None or
    `self_signed=True`).

    The subject is `subject` when given, else CN=`common_name`, else CN=the first DNS
    name; `common_name=""` leaves the CN out. A SAN is added only when `dns_names` or
    `ip_addresses` is non-empty, so `leaf(ca, common_name="x")` is a CN-only certificate.
    `client=True` makes a client certificate (clientAuth instead of serverAuth).
    `issuer_name` overrides the issuer field (the signature still comes from `issuer`).
    """
    if self_signed:
        issuer = None
    if subject is None:
        cn = common_name if common_name is not None else (dns_names[0] if dns_names else None)
        subject = make_name(cn or None)
    key = private_key(key_type, key_index)
    is_rsa = isinstance(key, rsa.RSAPrivateKey)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=is_rsa,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )
    purpose = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (usage, True),
        (x509.ExtendedKeyUsage([purpose]), False),
    ]
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
    if alt_names:
        extensions.append((x509.SubjectAlternativeName(alt_names), False))
    if aia_ca_issuers:
        extensions.append((_aia(aia_ca_issuers), False))
    return _build(_as_name(subject), key, issuer, extensions, not_before, not_after, 90,
                  signature_hash, _as_name(issuer_name) if issuer_name is not None else None)


@dataclass(frozen=True, eq=False)
class Pki:
    """A root CA and one intermediate, issuing leaves through the intermediate."""

    root: Issued
    intermediate: Issued

    @classmethod
    def create(cls, prefix: str = "cftui Test", key_type: str = "rsa:2048") -> Pki:
        root = root_ca(f"{prefix} Root CA", key_type=key_type, key_index=0)
        inter = intermediate_ca(root, f"{prefix} Intermediate CA", key_type=key_type,
                                key_index=1)
        return cls(root, inter)

    def issue(self, *dns_names: str, **options: Any) -> Issued:
        """A leaf signed by the intermediate; options as for `leaf()`."""
        return leaf(self.intermediate, dns_names, **options)

    def write_root(self, directory: str | Path, stem: str = "root") -> Path:
        """Write the root certificate (the trust anchor) and return its path."""
        return self.root.write(directory, stem).cert
