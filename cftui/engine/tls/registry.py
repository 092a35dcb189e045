"""TLS registry values (IANA) and the words OpenSSL 3.0 prints for them.

The one place for wire constants and their names. Origins send anything, so every
lookup takes a plain int and falls back to a hex or numbered name for unknown values.
"""

from __future__ import annotations

import functools
from enum import IntEnum
from typing import TypeVar, cast

E = TypeVar("E", bound=IntEnum)


def lookup(enum: type[E], value: int) -> E | None:
    """The member for a value, None for one the registry does not know."""
    return cast("E | None", enum._value2member_map_.get(value))


def name_of(enum: type[IntEnum], value: int, width: int = 4) -> str:
    """The member's name for a known value, else the value in hex (`0x1234`)."""
    member = lookup(enum, value)
    return member.name if member is not None else f"0x{value:0{width}X}"


class ContentType(IntEnum):
    CHANGE_CIPHER_SPEC = 20
    ALERT = 21
    HANDSHAKE = 22
    APPLICATION_DATA = 23

    @property
    def text(self) -> str:
        return _CONTENT_TEXT[self]


_CONTENT_TEXT = {ContentType.CHANGE_CIPHER_SPEC: "ChangeCipherSpec", ContentType.ALERT: "Alert",
                 ContentType.HANDSHAKE: "Handshake",
                 ContentType.APPLICATION_DATA: "ApplicationData"}


class HandshakeType(IntEnum):
    HELLO_REQUEST = 0
    CLIENT_HELLO = 1
    SERVER_HELLO = 2
    NEW_SESSION_TICKET = 4
    ENCRYPTED_EXTENSIONS = 8
    CERTIFICATE = 11
    SERVER_KEY_EXCHANGE = 12
    CERTIFICATE_REQUEST = 13
    SERVER_HELLO_DONE = 14
    CERTIFICATE_VERIFY = 15
    CLIENT_KEY_EXCHANGE = 16
    FINISHED = 20
    CERTIFICATE_STATUS = 22
    KEY_UPDATE = 24


@functools.cache
def handshake_name(msg_type: int) -> str:
    """`ServerHello`, `CertificateRequest`, … or `Handshake type 99`."""
    member = lookup(HandshakeType, msg_type)
    if member is None:
        return f"Handshake type {msg_type}"
    return "".join(w.capitalize() for w in member.name.split("_"))


class AlertLevel(IntEnum):
    WARNING = 1
    FATAL = 2


class AlertDescription(IntEnum):
    """Alert descriptions, each with cftui's short words and OpenSSL 3.0's reason text.

    `reason` is what `openssl errstr` prints for SSL_R_* = 1000 + description (OpenSSL
    has none for close_notify; cftui words it as OpenSSL would).
    """

    text: str
    reason: str

    def __new__(cls, value: int, text: str, reason: str) -> AlertDescription:
        member = int.__new__(cls, value)
        member._value_ = value
        member.text = text
        member.reason = reason
        return member

    CLOSE_NOTIFY = 0, "close notify", "sslv3 alert close notify"
    UNEXPECTED_MESSAGE = 10, "unexpected_message", "sslv3 alert unexpected message"
    BAD_RECORD_MAC = 20, "bad record mac", "sslv3 alert bad record mac"
    DECRYPTION_FAILED = 21, "decryption failed", "tlsv1 alert decryption failed"
    RECORD_OVERFLOW = 22, "record overflow", "tlsv1 alert record overflow"
    DECOMPRESSION_FAILURE = 30, "decompression failure", "sslv3 alert decompression failure"
    HANDSHAKE_FAILURE = 40, "handshake failure", "sslv3 alert handshake failure"
    NO_CERTIFICATE = 41, "no certificate", "sslv3 alert no certificate"
    BAD_CERTIFICATE = 42, "bad certificate", "sslv3 alert bad certificate"
    UNSUPPORTED_CERTIFICATE = 43, "unsupported certificate", "sslv3 alert unsupported certificate"
    CERTIFICATE_REVOKED = 44, "certificate revoked", "sslv3 alert certificate revoked"
    CERTIFICATE_EXPIRED = 45, "certificate expired", "sslv3 alert certificate expired"
    CERTIFICATE_UNKNOWN = 46, "certificate unknown", "sslv3 alert certificate unknown"
    ILLEGAL_PARAMETER = 47, "illegal parameter", "sslv3 alert illegal parameter"
    UNKNOWN_CA = 48, "unknown CA", "tlsv1 alert unknown ca"
    ACCESS_DENIED = 49, "access denied", "tlsv1 alert access denied"
    DECODE_ERROR = 50, "decode error", "tlsv1 alert decode error"
    DECRYPT_ERROR = 51, "decrypt error", "tlsv1 alert decrypt error"
    EXPORT_RESTRICTION = 60, "export restriction", "tlsv1 alert export restriction"
    PROTOCOL_VERSION = 70, "protocol version", "tlsv1 alert protocol version"
    INSUFFICIENT_SECURITY = 71, "insufficient security", "tlsv1 alert insufficient security"
    INTERNAL_ERROR = 80, "internal error", "tlsv1 alert internal error"
    INAPPROPRIATE_FALLBACK = 86, "inappropriate fallback", "tlsv1 alert inappropriate fallback"
    USER_CANCELED = 90, "user canceled", "tlsv1 alert user cancelled"
    NO_RENEGOTIATION = 100, "no renegotiation", "tlsv1 alert no renegotiation"
    MISSING_EXTENSION = 109, "missing extension", "tlsv13 alert missing extension"
    UNSUPPORTED_EXTENSION = 110, "unsupported extension", "tlsv1 unsupported extension"
    CERTIFICATE_UNOBTAINABLE = 111, "certificate unobtainable", "tlsv1 certificate unobtainable"
    UNRECOGNIZED_NAME = 112, "unrecognized name", "tlsv1 unrecognized name"
    BAD_CERTIFICATE_STATUS_RESPONSE = (113, "bad certificate status response",
                                       "tlsv1 bad certificate status response")
    BAD_CERTIFICATE_HASH_VALUE = (114, "bad certificate hash value",
                                  "tlsv1 bad certificate hash value")
    UNKNOWN_PSK_IDENTITY = 115, "unknown PSK identity", "tlsv1 alert unknown psk identity"
    CERTIFICATE_REQUIRED = 116, "certificate required", "tlsv13 alert certificate required"
    NO_APPLICATION_PROTOCOL = (120, "no application protocol",
                               "tlsv1 alert no application protocol")


def alert_name(description: int) -> str:
    """cftui's short words for an alert: `handshake failure`, `unknown alert 99`."""
    member = lookup(AlertDescription, description)
    return member.text if member is not None else f"unknown alert {description}"


def alert_reason(description: int) -> str:
    """OpenSSL's reason text for a received alert: `sslv3 alert handshake failure`.

    The one spelling for every place that prints an alert reason (transcript, TLS grid,
    JSON report); unknown alerts read as OpenSSL prints them, `reason(1121)`.
    """
    member = lookup(AlertDescription, description)
    return member.reason if member is not None else f"reason({1000 + description})"


class ExtensionType(IntEnum):
    SERVER_NAME = 0
    STATUS_REQUEST = 5
    SUPPORTED_GROUPS = 10
    EC_POINT_FORMATS = 11
    SIGNATURE_ALGORITHMS = 13
    APPLICATION_LAYER_PROTOCOL_NEGOTIATION = 16
    SIGNED_CERTIFICATE_TIMESTAMP = 18
    PADDING = 21
    ENCRYPT_THEN_MAC = 22
    EXTENDED_MASTER_SECRET = 23
    SESSION_TICKET = 35
    PRE_SHARED_KEY = 41
    SUPPORTED_VERSIONS = 43
    COOKIE = 44
    PSK_KEY_EXCHANGE_MODES = 45
    KEY_SHARE = 51
    RENEGOTIATION_INFO = 0xFF01


def extension_name(type_: int) -> str:
    """`supported_versions`, or `extension 0x1234` for one cftui does not know."""
    member = lookup(ExtensionType, type_)
    return member.name.lower() if member is not None else f"extension 0x{type_:04X}"


#: The signalling suite an SSLv3 hello sends instead of renegotiation_info (RFC 5746).
TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF


class CertificateType(IntEnum):
    """ClientCertificateType of a CertificateRequest; `text` as s_client prints it."""

    text: str

    def __new__(cls, value: int, text: str) -> CertificateType:
        member = int.__new__(cls, value)
        member._value_ = value
        member.text = text
        return member

    RSA_SIGN = 1, "RSA sign"
    DSS_SIGN = 2, "DSA sign"
    RSA_FIXED_DH = 3, "RSA fixed DH"
    DSS_FIXED_DH = 4, "DSS fixed DH"
    GOST01_SIGN = 22, "GOST01 Sign"
    ECDSA_SIGN = 64, "ECDSA sign"
    RSA_FIXED_ECDH = 65, "RSA fixed ECDH"
    ECDSA_FIXED_ECDH = 66, "ECDSA fixed ECDH"
    GOST12_SIGN = 67, "GOST12 Sign"


def certificate_type_text(value: int) -> str | None:
    member = lookup(CertificateType, value)
    return member.text if member is not None else None


class NamedGroup(IntEnum):
    """Key-exchange groups: OpenSSL's `-groups` name, size in bits (as `Server Temp Key`
    counts it), and for elliptic curves the curve's SEC name and OID (certificate keys)."""

    openssl: str
    bits: int
    temp_key_name: str
    oid: str | None

    def __new__(cls, value: int, openssl: str, bits: int, temp_key_name: str = "",
                oid: str | None = None) -> NamedGroup:
        member = int.__new__(cls, value)
        member._value_ = value
        member.openssl = openssl
        member.bits = bits
        member.temp_key_name = temp_key_name
        member.oid = oid
        return member

    SECP192R1 = 0x0013, "P-192", 192, "prime192v1", "1.2.840.10045.3.1.1"
    SECP224R1 = 0x0015, "P-224", 224, "secp224r1", "1.3.132.0.33"
    SECP256K1 = 0x0016, "secp256k1", 256, "secp256k1", "1.3.132.0.10"
    SECP256R1 = 0x0017, "P-256", 256, "prime256v1", "1.2.840.10045.3.1.7"
    SECP384R1 = 0x0018, "P-384", 384, "secp384r1", "1.3.132.0.34"
    SECP521R1 = 0x0019, "P-521", 521, "secp521r1", "1.3.132.0.35"
    BRAINPOOLP256R1 = 0x001A, "brainpoolP256r1", 256, "brainpoolP256r1", "1.3.36.3.3.2.8.1.1.7"
    BRAINPOOLP384R1 = 0x001B, "brainpoolP384r1", 384, "brainpoolP384r1", "1.3.36.3.3.2.8.1.1.11"
    BRAINPOOLP512R1 = 0x001C, "brainpoolP512r1", 512, "brainpoolP512r1", "1.3.36.3.3.2.8.1.1.13"
    X25519 = 0x001D, "X25519", 253
    X448 = 0x001E, "X448", 448
    FFDHE2048 = 0x0100, "ffdhe2048", 2048
    FFDHE3072 = 0x0101, "ffdhe3072", 3072
    FFDHE4096 = 0x0102, "ffdhe4096", 4096
    FFDHE6144 = 0x0103, "ffdhe6144", 6144
    FFDHE8192 = 0x0104, "ffdhe8192", 8192
    X25519MLKEM768 = 0x11EC, "X25519MLKEM768", 1216

    @property
    def curve(self) -> str | None:
        """The SEC name (`secp256r1`) for an elliptic curve, as `cryptography` names it."""
        if self.oid is None:
            return None
        return self.openssl if self.name.startswith("BRAINPOOL") else self.name.lower()

    @property
    def temp_key(self) -> str | None:
        """s_client's `Server Temp Key:` text (ssl_print_tmp_key), None when OpenSSL 3.0
        does not know the group."""
        if self is NamedGroup.X25519MLKEM768:
            return None
        if self.temp_key_name:
            return f"ECDH, {self.temp_key_name}, {self.bits} bits"
        if self.name.startswith("FFDHE"):
            return f"DH, {self.bits} bits"
        return f"{self.openssl}, {self.bits} bits"


def group_name(code: int) -> str:
    """OpenSSL's name of a group (`X25519`, `P-256`), or `group 0x1234`."""
    member = lookup(NamedGroup, code)
    return member.openssl if member is not None else f"group 0x{code:04X}"


def group_by_oid(oid: str) -> NamedGroup | None:
    return next((g for g in NamedGroup if g.oid == oid), None)


class SignatureScheme(IntEnum):
    """Signature schemes: IANA name is the member name in lower case; OpenSSL's `-sigalgs`
    spelling, and s_client's "Peer signing digest" and "Peer signature type"."""

    openssl: str
    digest: str
    kind: str

    def __new__(cls, value: int, openssl: str, digest: str, kind: str) -> SignatureScheme:
        member = int.__new__(cls, value)
        member._value_ = value
        member.openssl = openssl
        member.digest = digest
        member.kind = kind
        return member

    RSA_PKCS1_SHA256 = 0x0401, "RSA+SHA256", "SHA256", "RSA"
    RSA_PKCS1_SHA384 = 0x0501, "RSA+SHA384", "SHA384", "RSA"
    RSA_PKCS1_SHA512 = 0x0601, "RSA+SHA512", "SHA512", "RSA"
    RSA_PKCS1_SHA224 = 0x0301, "RSA+SHA224", "SHA224", "RSA"
    ECDSA_SECP256R1_SHA256 = 0x0403, "ECDSA+SHA256", "SHA256", "ECDSA"
    ECDSA_SECP384R1_SHA384 = 0x0503, "ECDSA+SHA384", "SHA384", "ECDSA"
    ECDSA_SECP521R1_SHA512 = 0x0603, "ECDSA+SHA512", "SHA512", "ECDSA"
    ECDSA_SHA224 = 0x0303, "ECDSA+SHA224", "SHA224", "ECDSA"
    RSA_PKCS1_SHA1 = 0x0201, "RSA+SHA1", "SHA1", "RSA"
    ECDSA_SHA1 = 0x0203, "ECDSA+SHA1", "SHA1", "ECDSA"
    RSA_PSS_RSAE_SHA256 = 0x0804, "rsa_pss_rsae_sha256", "SHA256", "RSA-PSS"
    RSA_PSS_RSAE_SHA384 = 0x0805, "rsa_pss_rsae_sha384", "SHA384", "RSA-PSS"
    RSA_PSS_RSAE_SHA512 = 0x0806, "rsa_pss_rsae_sha512", "SHA512", "RSA-PSS"
    ED25519 = 0x0807, "ed25519", "SHA512", "Ed25519"
    ED448 = 0x0808, "ed448", "SHAKE256", "Ed448"
    RSA_PSS_PSS_SHA256 = 0x0809, "rsa_pss_pss_sha256", "SHA256", "RSA-PSS"
    RSA_PSS_PSS_SHA384 = 0x080A, "rsa_pss_pss_sha384", "SHA384", "RSA-PSS"
    RSA_PSS_PSS_SHA512 = 0x080B, "rsa_pss_pss_sha512", "SHA512", "RSA-PSS"
    DSA_SHA256 = 0x0402, "DSA+SHA256", "SHA256", "DSA"
    DSA_SHA1 = 0x0202, "DSA+SHA1", "SHA1", "DSA"

    @property
    def iana(self) -> str:
        return self.name.lower()


def signature_scheme(code: int) -> SignatureScheme | None:
    return lookup(SignatureScheme, code)


def signature_scheme_name(code: int) -> str:
    """The IANA name (`rsa_pss_rsae_sha256`), or the code in hex."""
    scheme = signature_scheme(code)
    return scheme.iana if scheme else f"0x{code:04X}"
