"""What a certificate may be used for, and how it is signed, as OpenSSL 3 rates it."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509

from cftui.engine.x509.names import openssl_name

#: Extended key usages OpenSSL's "sslserver" purpose accepts (serverAuth, Netscape and
#: Microsoft Server Gated Crypto); anyExtendedKeyUsage is not among them.
_SERVER_EKUS = frozenset({"1.3.6.1.5.5.7.3.1", "2.16.840.1.113730.4.1",
                          "1.3.6.1.4.1.311.10.3.3"})

#: Signature algorithms OpenSSL 3 rates below 80 bits of security (MD2, MD4, MD5, SHA-1).
_WEAK_SIGNATURES: dict[str, str] = {
    "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
    "1.2.840.113549.1.1.3": "md4WithRSAEncryption",
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.3.14.3.2.29": "sha1WithRSA",
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10040.4.3": "dsaWithSHA1",
}


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except Exception:  # absent, duplicated or broken: OpenSSL would not use it either
        return None


def leaf_problem(cert: x509.Certificate) -> str | None:
    """Why the leaf is not a TLS server certificate, or None.

    The EKU and key usage rules are those of OpenSSL's "sslserver" purpose, which libssl
    applies to the leaf. A CA certificate as the leaf passes that purpose, so it is not a
    problem here (the name check usually catches an intermediate served as the leaf).
    """
    usages = _extension(cert, x509.ExtendedKeyUsage)
    if isinstance(usages, x509.ExtendedKeyUsage):
        oids = [u.dotted_string for u in usages]
        if not _SERVER_EKUS.intersection(oids):
            named = ", ".join(getattr(u, "_name", None) or u.dotted_string for u in usages)
            return f"its extended key usage ({named or 'empty'}) does not include serverAuth"
    usage = _extension(cert, x509.KeyUsage)
    if isinstance(usage, x509.KeyUsage) and not (
            usage.digital_signature or usage.key_encipherment or usage.key_agreement):
        return ("its key usage allows none of digitalSignature, keyEncipherment and "
                "keyAgreement")
    return None


def weak_signature(certs: Sequence[x509.Certificate]) -> str | None:
    """`subject: algorithm` of the first certificate signed with MD5 or SHA-1, the
    self-signature of a root excepted (OpenSSL does not check that one)."""
    for cert in certs:
        try:
            oid = cert.signature_algorithm_oid.dotted_string
        except Exception:
            continue
        if oid in _WEAK_SIGNATURES and cert.issuer != cert.subject:
            return f"{openssl_name(cert.subject)}: {_WEAK_SIGNATURES[oid]}"
    return None
