"""Pure: the `a:` and `v:` lines s_client prints under each certificate of the chain."""

from __future__ import annotations

from datetime import datetime

from cftui.engine.results import CertInfo
from cftui.engine.x509.info import KEY_SHORT_NAMES, SIGNATURE_SHORT_NAMES

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def openssl_time(iso: str) -> str:
    """`2026-11-28T16:56:58Z` -> `Nov 28 16:56:58 2026 GMT` (ASN1_TIME_print)."""
    when = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return (f"{_MONTHS[when.month - 1]} {when.day:2d} {when.hour:02d}:{when.minute:02d}:"
            f"{when.second:02d} {when.year} GMT")


def s_client_a_line(info: CertInfo) -> str:
    """`PKEY: rsaEncryption, 2048 (bit); sigalg: RSA-SHA256` (s_client's `a:` line)."""
    key = KEY_SHORT_NAMES.get(info.key_type, info.key_type)
    sigalg = SIGNATURE_SHORT_NAMES.get(info.signature_algorithm, "UNDEF")
    return f"PKEY: {key}, {info.key_bits} (bit); sigalg: {sigalg}"


def s_client_v_line(info: CertInfo) -> str:
    """`NotBefore: Nov 28 16:56:58 2026 GMT; NotAfter: …` (s_client's `v:` line)."""
    return f"NotBefore: {openssl_time(info.not_before)}; NotAfter: {openssl_time(info.not_after)}"
