"""The client certificate for origin mTLS: read, matched with its key, and judged.

CloudFront presents the ACM certificate named by OriginMtlsConfig and does not
check it itself; the origin does. cftui presents the PEM the user supplies the
same way, and says what an origin is likely to refuse in it (validity, purpose).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from cftui.engine import files


@dataclass(frozen=True)
class ClientCertificate:
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime
    extended_key_usage: tuple[str, ...] | None  # dotted OIDs; None: no extension
    digital_signature: bool | None  # keyUsage digitalSignature; None: no extension


def load(cert_path: str, key_path: str) -> ClientCertificate:
    """The first certificate of `cert_path`, checked against the key in `key_path`.
    Raises ValueError with a one-line message. The command line, the factory of every
    Target (one per alias) and the run all ask: the files are read and checked once, and
    again only when they change."""
    versions = (files.version(cert_path), files.version(key_path))
    if None in versions:
        return _load(cert_path, key_path)  # says why, the same way
    return _load_once(cert_path, key_path, versions)


@functools.lru_cache(maxsize=16)
def _load_once(cert_path: str, key_path: str, _stamps: object) -> ClientCertificate:
    return _load(cert_path, key_path)


def _load(cert_path: str, key_path: str) -> ClientCertificate:
    try:
        cert_pem = files.read_regular(cert_path, files.CA_FILE_LIMIT)
        key_pem = files.read_regular(key_path, files.CA_FILE_LIMIT)
    except files.FileError as exc:
        raise ValueError(f"client certificate or key: {exc}") from None
    try:
        certs = x509.load_pem_x509_certificates(cert_pem)
    except ValueError:
        raise ValueError("client certificate: no PEM certificate in the file") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise ValueError("client key: not an unencrypted PEM private key") from None
    cert = certs[0]
    ours = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    if ours != theirs:
        raise ValueError("client key does not match the client certificate")
    return _facts(cert)


def _facts(cert: x509.Certificate) -> ClientCertificate:
    try:
        eku: tuple[str, ...] | None = tuple(
            o.dotted_string for o in cert.extensions.get_extension_for_class(
                x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        eku = None
    try:
        usage: bool | None = cert.extensions.get_extension_for_class(
            x509.KeyUsage).value.digital_signature
    except x509.ExtensionNotFound:
        usage = None
    return ClientCertificate(cert.subject.rfc4514_string(), cert.not_valid_before_utc,
                             cert.not_valid_after_utc, eku, usage)


def problems(cert: ClientCertificate, now: dt.datetime | None = None) -> list[str]:
    """What an origin verifying this client certificate is likely to refuse."""
    now = now or dt.datetime.now(dt.timezone.utc)
    found = []
    if now > cert.not_after:
        found.append(f"expired on {cert.not_after:%Y-%m-%d}")
    if now < cert.not_before:
        found.append(f"not valid before {cert.not_before:%Y-%m-%d}")
    if cert.extended_key_usage is not None and \
            ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string not in cert.extended_key_usage and \
            ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string not in \
            cert.extended_key_usage:
        found.append("its extended key usage lacks clientAuth")
    if cert.digital_signature is False:
        found.append("its key usage lacks digitalSignature")
    return found
