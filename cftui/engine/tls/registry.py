"""Names of TLS registry values (alerts, extensions, handshake types), as OpenSSL prints them."""

from __future__ import annotations

ALERTS: dict[int, str] = {
    0: "close notify",
    10: "unexpected_message",
    20: "bad record mac",
    21: "decryption failed",
    22: "record overflow",
    30: "decompression failure",
    40: "handshake failure",
    41: "no certificate",
    42: "bad certificate",
    43: "unsupported certificate",
    44: "certificate revoked",
    45: "certificate expired",
    46: "certificate unknown",
    47: "illegal parameter",
    48: "unknown CA",
    49: "access denied",
    50: "decode error",
    51: "decrypt error",
    60: "export restriction",
    70: "protocol version",
    71: "insufficient security",
    80: "internal error",
    86: "inappropriate fallback",
    90: "user canceled",
    100: "no renegotiation",
    109: "missing extension",
    110: "unsupported extension",
    112: "unrecognized name",
    113: "bad certificate status response",
    115: "unknown PSK identity",
    116: "certificate required",
    120: "no application protocol",
}


def alert_name(description: int) -> str:
    return ALERTS.get(description, f"unknown alert {description}")


def s_client_alert_reason(description: int, version_prefix: str = "tlsv1") -> str:
    """The reason string OpenSSL's s_client prints: "sslv3 alert handshake failure"."""
    # OpenSSL names the alerts that SSLv3 already defined "sslv3 alert …" and the
    # rest "tlsv1 alert …" / "tlsv13 alert …", whatever version was negotiated.
    ssl3_alerts = {0, 10, 20, 30, 40, 41, 42, 43, 44, 45, 46, 47}
    prefix = "sslv3" if description in ssl3_alerts else version_prefix
    name = ALERTS.get(description)
    if name is None:
        return f"unknown alert type {description}"
    return f"{prefix} alert {name}"


HANDSHAKE_TYPES: dict[int, str] = {
    0: "HelloRequest",
    1: "ClientHello",
    2: "ServerHello",
    4: "NewSessionTicket",
    8: "EncryptedExtensions",
    11: "Certificate",
    12: "ServerKeyExchange",
    13: "CertificateRequest",
    14: "ServerHelloDone",
    15: "CertificateVerify",
    16: "ClientKeyExchange",
    20: "Finished",
    22: "CertificateStatus",
    24: "KeyUpdate",
}


def handshake_name(msg_type: int) -> str:
    return HANDSHAKE_TYPES.get(msg_type, f"Handshake type {msg_type}")


EXTENSIONS: dict[int, str] = {
    0: "server_name",
    5: "status_request",
    10: "supported_groups",
    11: "ec_point_formats",
    13: "signature_algorithms",
    16: "application_layer_protocol_negotiation",
    18: "signed_certificate_timestamp",
    21: "padding",
    22: "encrypt_then_mac",
    23: "extended_master_secret",
    35: "session_ticket",
    41: "pre_shared_key",
    43: "supported_versions",
    45: "psk_key_exchange_modes",
    51: "key_share",
    0xFF01: "renegotiation_info",
}


def extension_name(type_: int) -> str:
    return EXTENSIONS.get(type_, f"extension 0x{type_:04X}")


CONTENT_TYPES: dict[int, str] = {20: "ChangeCipherSpec", 21: "Alert", 22: "Handshake",
                                 23: "ApplicationData"}

CERTIFICATE_TYPES: dict[int, str] = {1: "RSA sign", 2: "DSA sign", 64: "ECDSA sign"}
