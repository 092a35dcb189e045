"""The TLS registry against the local `openssl` CLI: alert reasons, suite names, sigalgs.

These are the only tests of the names themselves; everything that prints an alert
reason, a suite or a signature scheme takes it from the registry.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ObjectIdentifier

from cftui.engine import profile
from cftui.engine.profile import OPENSSL3_LACKS, Protocol
from cftui.engine.tls import registry
from cftui.engine.tls.registry import (
    AlertDescription,
    ExtensionType,
    HandshakeType,
    NamedGroup,
    SignatureScheme,
)

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl not installed")
#: ERR_PACK(ERR_LIB_SSL, 0, reason): OpenSSL 3's packed error code for lib SSL (20).
SSL_LIB = 20 << 23


def _openssl(*args: str) -> str:
    done = subprocess.run([OPENSSL or "openssl", *args], capture_output=True, text=True,
                          timeout=20, check=False)
    return done.stdout


@needs_openssl
def test_alert_reasons_are_what_openssl_errstr_prints() -> None:
    codes = [a for a in AlertDescription if a is not AlertDescription.CLOSE_NOTIFY] + [121]
    out = _openssl("errstr", *(f"{SSL_LIB | (1000 + c):X}" for c in codes))
    lines = out.splitlines()
    assert len(lines) == len(codes)
    for code, line in zip(codes, lines, strict=True):
        assert line.endswith("::" + registry.alert_reason(code)), (code, line)


@needs_openssl
def test_close_notify_has_no_openssl_reason() -> None:
    # So cftui words it itself; if OpenSSL ever names it, take OpenSSL's words.
    assert _openssl("errstr", f"{SSL_LIB | 1000:X}").strip().endswith("::reason(1000)")


def _openssl_suite_rows() -> dict[int, tuple[str, str, str, str, str]]:
    """Code point -> (OpenSSL name, IANA name, version, Kx, Au) of every suite the local
    OpenSSL knows, NULL and anonymous ones included."""
    out = _openssl("ciphers", "-stdname", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    found = re.findall(r"0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+)\s+"
                       r"Kx=(\S+)\s+Au=(\S+)", out)
    return {int(hi + lo, 16): (name, iana, version, kx, au)
            for hi, lo, iana, name, version, kx, au in found}


def _openssl_suites() -> dict[int, str]:
    """Code point -> OpenSSL name of every suite the local OpenSSL knows."""
    return {code: row[0] for code, row in _openssl_suite_rows().items()}


@needs_openssl
def test_suite_names_are_openssls() -> None:
    known = _openssl_suites()
    assert known, "openssl ciphers -V printed nothing"
    for suite in profile.CLOUDFRONT_SUITES + profile.OTHER_SUITES:
        if suite.code in known:
            assert known[suite.code] == suite.openssl_name, suite
            assert suite.openssl_name not in OPENSSL3_LACKS, suite
        else:  # what the local OpenSSL cannot offer is what the transcript warns about
            assert suite.openssl_name in OPENSSL3_LACKS, suite


@needs_openssl
@pytest.mark.parametrize("scheme", list(SignatureScheme), ids=lambda s: s.iana)
def test_sigalg_spelling_is_accepted_by_openssl(scheme: SignatureScheme) -> None:
    # s_client parses -sigalgs before connecting; port 9 on loopback refuses the connect.
    done = subprocess.run([OPENSSL or "openssl", "s_client", "-sigalgs", scheme.openssl,
                           "-connect", "127.0.0.1:9"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=20, check=False)
    assert "SSL_CONF_cmd(-sigalgs" not in done.stderr + done.stdout, scheme


@needs_openssl
def test_a_misspelt_sigalg_is_refused_by_openssl() -> None:
    done = subprocess.run([OPENSSL or "openssl", "s_client", "-sigalgs", "RSA+SHA257",
                           "-connect", "127.0.0.1:9"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=20, check=False)
    assert "SSL_CONF_cmd(-sigalgs" in done.stderr + done.stdout


def test_unknown_values_have_names() -> None:
    assert registry.alert_name(121) == "unknown alert 121"
    assert registry.alert_reason(121) == "reason(1121)"
    assert registry.extension_name(0x1234) == "extension 0x1234"
    assert registry.extension_name(ExtensionType.KEY_SHARE) == "key_share"
    assert registry.handshake_name(99) == "Handshake type 99"
    assert registry.handshake_name(HandshakeType.SERVER_HELLO_DONE) == "ServerHelloDone"
    assert registry.group_name(0x9999) == "group 0x9999"
    assert registry.signature_scheme_name(0xFEFE) == "0xFEFE"
    assert registry.certificate_type_text(200) is None
    assert registry.name_of(ExtensionType, 0xABCD) == "0xABCD"
    assert registry.name_of(AlertDescription, 70) == "PROTOCOL_VERSION"


def test_temp_key_texts() -> None:
    assert NamedGroup.SECP256R1.temp_key == "ECDH, prime256v1, 256 bits"
    assert NamedGroup.X25519.temp_key == "X25519, 253 bits"
    assert NamedGroup.FFDHE3072.temp_key == "DH, 3072 bits"
    assert NamedGroup.X25519MLKEM768.temp_key is None  # OpenSSL 3.0 does not know it
    assert NamedGroup.SECP384R1.curve == "secp384r1" and NamedGroup.X448.curve is None


def test_cloudfront_choices_refer_to_the_registry() -> None:
    assert profile.CLOUDFRONT_GROUPS_OPENSSL == "X25519:P-256:P-384"
    assert profile.cloudfront_sigalgs_openssl().startswith("RSA+SHA256:RSA+SHA384:")
    assert all(s.kind not in ("RSA-PSS", "Ed25519", "Ed448")
               for s in profile.CLOUDFRONT_SIGNATURE_SCHEMES)
    assert Protocol.TLSv1_2.wire == 0x0303


@pytest.mark.parametrize("group", [g for g in NamedGroup if g.oid], ids=lambda g: g.name)
def test_curve_names_and_sizes_are_cryptographys(group: NamedGroup) -> None:
    curve = ec.get_curve_for_oid(ObjectIdentifier(group.oid or ""))()
    assert (group.curve, group.bits) == (curve.name, curve.key_size)
    assert registry.group_by_oid(group.oid or "") is group


@needs_openssl
def test_the_broad_hello_offers_every_suite_openssl_knows() -> None:
    """NULL, anonymous, PSK and SRP suites included: an origin that speaks a version only
    with one of them must be a suite mismatch, not a protocol mismatch."""
    rows = _openssl_suite_rows()
    assert {0x0001, 0x0002, 0x003B, 0xC006, 0xC010, 0x0034, 0x003A, 0x00A6, 0x00A7,
            0xC018, 0xC019, 0x006C, 0x006D} <= set(rows)
    for protocol in Protocol:
        offered = {s.code for s in profile.broad_suites_for(protocol)}
        usable = {code for code, row in rows.items() if (row[2] == "TLSv1.3") is (
            protocol is Protocol.TLSv1_3) and (protocol is not Protocol.SSLv3
                                               or row[2] == "SSLv3")
            and (row[2] != "TLSv1.2" or protocol.wire >= Protocol.TLSv1_2.wire)}
        assert usable <= offered, (protocol, sorted(usable - offered))


@needs_openssl
def test_suite_key_exchange_and_authentication_are_openssls() -> None:
    rows = _openssl_suite_rows()
    for suite in profile.CLOUDFRONT_SUITES + profile.OTHER_SUITES:
        if suite.code in rows:
            _name, iana, version, kx, au = rows[suite.code]
            assert (suite.iana_name, suite.kx, suite.au) == (iana, kx, au), suite
            assert suite.min_protocol.value == version, suite


def test_broad_client_hellos_stay_small_and_avoid_the_f5_sizes() -> None:
    from cftui.engine.tls import hello

    for protocol in Protocol:
        record = hello.client_hello(hello.broad_hello(protocol, "origin.example.com"))
        size = int.from_bytes(record[6:9], "big") + 4  # the handshake message
        assert size < hello.PAD_FROM or size >= hello.PAD_TO, (protocol, size)
        assert len(record) <= 600, (protocol, len(record))
