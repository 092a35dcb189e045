"""OpenSSL 3.0's words for what a handshake shows: verify results and sigalgs.

Alert reasons, certificate types and temp-key texts are in `cftui.engine.tls.registry`.

Pure data and lookups, copied from OpenSSL's own tables so a transcript reads like
`openssl s_client` output.
"""

from __future__ import annotations

from dataclasses import dataclass

from cftui.engine.tls.registry import signature_scheme


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

_HASHES = {1: "MD5", 2: "SHA1", 3: "SHA224", 4: "SHA256", 5: "SHA384", 6: "SHA512"}
_SIGNERS = {1: "RSA", 2: "DSA", 3: "ECDSA"}


def sigalg_text(code: int) -> str:
    """A signature scheme as s_client lists it: `RSA+SHA256`, `RSA-PSS+SHA256`, `ed25519`."""
    high, low = code >> 8, code & 0xFF
    if high == 0x08 and low in (4, 5, 6):  # rsa_pss_rsae_*
        return f"RSA-PSS+{_HASHES[low]}"
    scheme = signature_scheme(code)
    if scheme is not None and "+" not in scheme.openssl:  # ed25519, rsa_pss_pss_sha256, …
        return scheme.openssl
    if low in _SIGNERS and high in _HASHES and high != 1:
        return f"{_SIGNERS[low]}+{_HASHES[high]}"
    return f"0x{low:02X}+0x{high:02X}"

