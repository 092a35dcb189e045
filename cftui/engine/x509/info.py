"""One certificate as facts (`CertInfo`); s_client's lines about it are in
`cftui.transcript.certificate`.

Certificates come from the origin and are untrusted: nothing here interprets their
text, and a certificate that `cryptography` loads never makes `cert_info` raise.
Subject and issuer are printed from the DER by `x509names` (OpenSSL's one-line
form, plain ASCII).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID

from cftui.engine.results import CertInfo
from cftui.engine.tls.registry import group_by_oid
from cftui.engine.x509.der import DerError, Tbs
from cftui.engine.x509.names import name_values, safe_name

_PARSE_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm, x509.DuplicateExtension)

_QUIET = threading.RLock()


@contextlib.contextmanager
def quiet_parsing() -> Iterator[None]:
    """Silence what `cryptography` warns about certificates origins do send (serial
    number 0, a CN over 64 characters): it would print on stderr, over the TUI, and
    cftui reports the certificate anyway. Usable as a decorator.

    `catch_warnings` swaps process-wide state, so cftui's threads take turns.
    """
    with _QUIET, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Parsed a serial number which wasn't positive",
                                category=CryptographyDeprecationWarning)
        warnings.filterwarnings("ignore", message="Attribute's length must be",
                                category=UserWarning)
        yield


class CertificateParseError(ValueError):
    """The bytes are not a certificate that can be parsed at all."""


# --- algorithms ---------------------------------------------------------------

#: Signature algorithm OID -> (OpenSSL long name, OpenSSL short name).
_SIGNATURES: dict[str, tuple[str, str]] = {
    "1.2.840.113549.1.1.4": ("md5WithRSAEncryption", "RSA-MD5"),
    "1.2.840.113549.1.1.5": ("sha1WithRSAEncryption", "RSA-SHA1"),
    "1.2.840.113549.1.1.14": ("sha224WithRSAEncryption", "RSA-SHA224"),
    "1.2.840.113549.1.1.11": ("sha256WithRSAEncryption", "RSA-SHA256"),
    "1.2.840.113549.1.1.12": ("sha384WithRSAEncryption", "RSA-SHA384"),
    "1.2.840.113549.1.1.13": ("sha512WithRSAEncryption", "RSA-SHA512"),
    "1.2.840.113549.1.1.10": ("rsassaPss", "RSASSA-PSS"),
    "1.2.840.10045.4.1": ("ecdsa-with-SHA1", "ecdsa-with-SHA1"),
    "1.2.840.10045.4.3.1": ("ecdsa-with-SHA224", "ecdsa-with-SHA224"),
    "1.2.840.10045.4.3.2": ("ecdsa-with-SHA256", "ecdsa-with-SHA256"),
    "1.2.840.10045.4.3.3": ("ecdsa-with-SHA384", "ecdsa-with-SHA384"),
    "1.2.840.10045.4.3.4": ("ecdsa-with-SHA512", "ecdsa-with-SHA512"),
    "1.3.101.112": ("ED25519", "ED25519"),
    "1.3.101.113": ("ED448", "ED448"),
    "1.2.840.10040.4.3": ("dsaWithSHA1", "DSA-SHA1"),
    "2.16.840.1.101.3.4.3.1": ("dsa_with_SHA224", "dsa_with_SHA224"),
    "2.16.840.1.101.3.4.3.2": ("dsa_with_SHA256", "dsa_with_SHA256"),
}
#: OpenSSL's long signature algorithm name (CertInfo.signature_algorithm) -> short name.
SIGNATURE_SHORT_NAMES: dict[str, str] = dict(_SIGNATURES.values())

#: SubjectPublicKeyInfo algorithm OID -> (CertInfo key_type, OpenSSL short name).
_KEY_TYPES: dict[str, tuple[str, str]] = {
    "1.2.840.113549.1.1.1": ("RSA", "rsaEncryption"),
    "1.2.840.113549.1.1.10": ("RSA-PSS", "RSASSA-PSS"),
    "1.2.840.10045.2.1": ("EC", "id-ecPublicKey"),
    "1.3.101.112": ("Ed25519", "ED25519"),
    "1.3.101.113": ("Ed448", "ED448"),
    "1.3.101.110": ("X25519", "X25519"),
    "1.3.101.111": ("X448", "X448"),
    "1.2.840.10040.4.1": ("DSA", "DSA"),
}
#: CertInfo.key_type -> OpenSSL's short name of the key algorithm (`rsaEncryption`).
KEY_SHORT_NAMES: dict[str, str] = dict(_KEY_TYPES.values())

def _key_facts(cert: x509.Certificate, tbs: Tbs) -> tuple[str, int, str | None]:
    """(key type, bits as OpenSSL's EVP_PKEY_get_bits counts them, EC curve name)."""
    try:
        alg_oid, param = tbs.spki_algorithm()
    except (DerError, IndexError):
        alg_oid, param = "", None
    key_type = _KEY_TYPES.get(alg_oid, (alg_oid or "unknown", ""))[0]
    try:
        key = cert.public_key()
    except _PARSE_ERRORS:
        key = None
    if isinstance(key, rsa.RSAPublicKey):
        return key_type, key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey | x25519.X25519PublicKey):
        return key_type, 253, None
    if isinstance(key, ed448.Ed448PublicKey):
        return key_type, 456, None
    if isinstance(key, x448.X448PublicKey):
        return key_type, 448, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    if key_type == "EC" and param is not None:  # a curve cryptography cannot load
        group = group_by_oid(param)
        if group is not None and group.curve is not None:
            return key_type, group.bits, group.curve
        return key_type, 0, param
    return key_type, 0, None


# --- extensions ----------------------------------------------------------------


def _extensions(cert: x509.Certificate, tbs: Tbs) -> list[x509.Extension[x509.ExtensionType]]:
    """The certificate's extensions; with duplicates or broken ones, those that parse.

    Of a repeated extension the first is kept. Each extension is parsed on its own
    in a re-encoded copy of the certificate, so one bad extension hides only itself.
    """
    try:
        return list(cert.extensions)
    except _PARSE_ERRORS:
        pass
    seen: set[str] = set()
    found: list[x509.Extension[x509.ExtensionType]] = []
    for oid, element in tbs.extensions:
        if oid in seen:
            continue
        seen.add(oid)
        try:
            copy = x509.load_der_x509_certificate(tbs.with_extensions([element]))
            found.extend(copy.extensions)
        except (*_PARSE_ERRORS, DerError):
            continue
    return found


def _extension(extensions: list[x509.Extension[x509.ExtensionType]],
               oid: x509.ObjectIdentifier) -> x509.ExtensionType | None:
    return next((e.value for e in extensions if e.oid == oid), None)


# --- the certificate -----------------------------------------------------------


def _iso(when: datetime) -> str:
    when = when.astimezone(timezone.utc)
    return (f"{when.year:04d}-{when.month:02d}-{when.day:02d}T"
            f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}Z")


def _serial_hex(serial: int) -> str:
    digits = f"{abs(serial):X}"
    if len(digits) % 2:
        digits = "0" + digits
    return ("-" if serial < 0 else "") + digits


def _self_signed(cert: x509.Certificate) -> bool:
    """Issuer equal to subject, and the certificate's own key verifies its signature."""
    try:
        cert.verify_directly_issued_by(cert)  # compares the names first (ValueError)
    except (*_PARSE_ERRORS, InvalidSignature):
        return False
    return True


def _signature_algorithm(cert: x509.Certificate) -> str:
    try:
        oid = cert.signature_algorithm_oid.dotted_string
    except _PARSE_ERRORS:
        return "unknown"
    return _SIGNATURES.get(oid, (oid, ""))[0]


@quiet_parsing()
def cert_info(der: bytes) -> CertInfo:
    """Facts about one DER certificate; raises CertificateParseError if it does not parse."""
    try:
        cert = x509.load_der_x509_certificate(der)
        tbs = Tbs(der)
    except Exception as exc:  # whatever the loader says (InvalidVersion…): it does not parse
        raise CertificateParseError(f"not a parseable X.509 certificate: {exc}") from None
    extensions = _extensions(cert, tbs)
    san = _extension(extensions, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    dns_names = (tuple(n.value for n in san if isinstance(n, x509.DNSName))
                 if isinstance(san, x509.SubjectAlternativeName) else ())
    constraints = _extension(extensions, ExtensionOID.BASIC_CONSTRAINTS)
    aia = _extension(extensions, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    ca_issuers = tuple(
        d.access_location.value for d in aia
        if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ) if isinstance(aia, x509.AuthorityInformationAccess) else ()
    key_type, key_bits, curve = _key_facts(cert, tbs)
    common_names = name_values(tbs.subject, "2.5.4.3")
    return CertInfo(
        subject=safe_name(tbs.subject),
        issuer=safe_name(tbs.issuer),
        serial=_serial_hex(cert.serial_number),
        not_before=_iso(cert.not_valid_before_utc),
        not_after=_iso(cert.not_valid_after_utc),
        san=dns_names,
        key_type=key_type,
        key_bits=key_bits,
        signature_algorithm=_signature_algorithm(cert),
        sha256=hashlib.sha256(der).hexdigest().upper(),
        common_name=common_names[-1] if common_names else None,
        curve=curve,
        is_ca=isinstance(constraints, x509.BasicConstraints) and constraints.ca,
        self_signed=_self_signed(cert),
        ca_issuers=ca_issuers,
        der=der,
    )
