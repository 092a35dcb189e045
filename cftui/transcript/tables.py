"""OpenSSL 3.0's words for what a handshake shows: verify results, alerts, keys, sigalgs.

Pure data and lookups, copied from OpenSSL's own tables so a transcript reads like
`openssl s_client` output.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VerifyStatus:
    """A certificate verification result, as OpenSSL numbers and words it."""

    code: int
    text: str
    peername: str | None = None  # printed as "Verified peername:" when the name matched

    @classmethod
    def of(cls, code: int, peername: str | None = None) -> VerifyStatus:
        return cls(code, VERIFY_TEXTS.get(code, "unknown certificate verification error"),
                   peername)

    @property
    def ok(self) -> bool:
        return self.code == 0


#: X509_verify_cert_error_string() of OpenSSL 3.0 for the codes cftui meets.
VERIFY_TEXTS: dict[int, str] = {
    0: "ok", 2: "unable to get issuer certificate", 7: "certificate signature failure",
    9: "certificate is not yet valid", 10: "certificate has expired",
    18: "self-signed certificate", 19: "self-signed certificate in certificate chain",
    20: "unable to get local issuer certificate", 21: "unable to verify the first certificate",
    26: "unsuitable certificate purpose", 27: "certificate not trusted",
    62: "hostname mismatch", 64: "IP address mismatch", 66: "EE certificate key too weak",
    67: "CA certificate key too weak", 68: "CA signature digest algorithm too weak",
}

#: OpenSSL 3.0's reason strings for received alerts (SSL_R_* = 1000 + description).
_ALERT_REASONS: dict[int, str] = {
    10: "sslv3 alert unexpected message", 20: "sslv3 alert bad record mac",
    21: "tlsv1 alert decryption failed", 22: "tlsv1 alert record overflow",
    30: "sslv3 alert decompression failure", 40: "sslv3 alert handshake failure",
    41: "sslv3 alert no certificate", 42: "sslv3 alert bad certificate",
    43: "sslv3 alert unsupported certificate", 44: "sslv3 alert certificate revoked",
    45: "sslv3 alert certificate expired", 46: "sslv3 alert certificate unknown",
    47: "sslv3 alert illegal parameter", 48: "tlsv1 alert unknown ca",
    49: "tlsv1 alert access denied", 50: "tlsv1 alert decode error",
    51: "tlsv1 alert decrypt error", 60: "tlsv1 alert export restriction",
    70: "tlsv1 alert protocol version", 71: "tlsv1 alert insufficient security",
    80: "tlsv1 alert internal error", 86: "tlsv1 alert inappropriate fallback",
    90: "tlsv1 alert user cancelled", 100: "tlsv1 alert no renegotiation",
    109: "tlsv13 alert missing extension", 110: "tlsv1 unsupported extension",
    111: "tlsv1 certificate unobtainable", 112: "tlsv1 unrecognized name",
    113: "tlsv1 bad certificate status response", 114: "tlsv1 bad certificate hash value",
    115: "tlsv1 alert unknown psk identity", 116: "tlsv13 alert certificate required",
    120: "tlsv1 alert no application protocol",
}

#: "Server Temp Key:" text per named group (ssl_print_tmp_key).
TEMP_KEYS: dict[int, str] = {
    0x0017: "ECDH, prime256v1, 256 bits", 0x0018: "ECDH, secp384r1, 384 bits",
    0x0019: "ECDH, secp521r1, 521 bits", 0x0016: "ECDH, secp256k1, 256 bits",
    0x001A: "ECDH, brainpoolP256r1, 256 bits", 0x001B: "ECDH, brainpoolP384r1, 384 bits",
    0x001C: "ECDH, brainpoolP512r1, 512 bits", 0x001D: "X25519, 253 bits",
    0x001E: "X448, 448 bits", 0x0100: "DH, 2048 bits", 0x0101: "DH, 3072 bits",
    0x0102: "DH, 4096 bits", 0x0103: "DH, 6144 bits", 0x0104: "DH, 8192 bits",
}
#: "Client Certificate Types:" words per ClientCertificateType.
CERT_TYPES = {1: "RSA sign", 2: "DSA sign", 3: "RSA fixed DH", 4: "DSS fixed DH",
              22: "GOST01 Sign", 64: "ECDSA sign", 65: "RSA fixed ECDH",
              66: "ECDSA fixed ECDH", 67: "GOST12 Sign"}
_HASHES = {1: "MD5", 2: "SHA1", 3: "SHA224", 4: "SHA256", 5: "SHA384", 6: "SHA512"}
_SIGNERS = {1: "RSA", 2: "DSA", 3: "ECDSA"}
_SPECIAL_SIGALGS = {0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
                    0x080A: "rsa_pss_pss_sha384", 0x080B: "rsa_pss_pss_sha512"}


def sigalg_text(code: int) -> str:
    """A signature scheme as s_client lists it: `RSA+SHA256`, `RSA-PSS+SHA256`, `ed25519`."""
    if code in _SPECIAL_SIGALGS:
        return _SPECIAL_SIGALGS[code]
    high, low = code >> 8, code & 0xFF
    if high == 0x08 and low in (4, 5, 6):
        return f"RSA-PSS+{_HASHES[low]}"
    if low in _SIGNERS and high in _HASHES and high != 1:
        return f"{_SIGNERS[low]}+{_HASHES[high]}"
    return f"0x{low:02X}+0x{high:02X}"


def alert_reason(description: int) -> str:
    """OpenSSL's reason text for a received alert: `sslv3 alert handshake failure`."""
    return _ALERT_REASONS.get(description, f"reason({1000 + description})")
