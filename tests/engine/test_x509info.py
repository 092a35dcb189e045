"""x509info: certificate facts and OpenSSL-style names, checked against the real openssl."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import subprocess
import warnings
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from cftui.demo import pki
from cftui.engine.x509.info import CertificateParseError, cert_info
from cftui.engine.x509.names import name_from_der, openssl_name
from cftui.transcript.certificate import s_client_a_line, s_client_v_line

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl not installed")
HOSTILE = "[@click=app.quit]x[/] \x1b[2J\x1b]0;x\x07 a\x00b \u202eevil"
WHEN = datetime(2026, 3, 5, 1, 2, 3, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def ca() -> pki.Pki:
    return pki.Pki.create("x509info Test")


def _attr(oid: x509.ObjectIdentifier, value: str,
          kind: _ASN1Type | None = None) -> x509.NameAttribute:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind is None:
            return x509.NameAttribute(oid, value, _validate=False)
        return x509.NameAttribute(oid, value, kind, _validate=False)


def _self_signed(name: x509.Name, **extensions: x509.ExtensionType) -> bytes:
    key = pki.private_key("ec:secp256r1", 7)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(key.public_key()).serial_number(0x0ABC)
               .not_valid_before(WHEN).not_valid_after(WHEN + timedelta(days=30)))
    for value in extensions.values():
        builder = builder.add_extension(value, False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _openssl_subject(der: bytes) -> str:
    out = subprocess.run([OPENSSL or "openssl", "x509", "-inform", "der", "-noout", "-subject"],
                         input=der, capture_output=True, timeout=20, check=True)
    return out.stdout.decode("latin-1").rstrip("\n").removeprefix("subject=")


# --- key types, algorithms, dates -------------------------------------------------


def test_rsa_leaf_facts(ca: pki.Pki) -> None:
    leaf = ca.issue("origin.example.com", "www.origin.example.com", not_before=WHEN,
                    not_after=WHEN + timedelta(days=90))
    info = cert_info(leaf.der)
    assert info.subject == "CN = origin.example.com"
    assert info.issuer == "CN = x509info Test Intermediate CA"
    assert info.common_name == "origin.example.com"
    assert info.san == ("origin.example.com", "www.origin.example.com")
    assert (info.key_type, info.key_bits, info.curve) == ("RSA", 2048, None)
    assert info.signature_algorithm == "sha256WithRSAEncryption"
    assert info.not_before == "2026-03-05T01:02:03Z"
    assert info.not_after == "2026-06-03T01:02:03Z"
    assert info.serial == f"{leaf.cert.serial_number:X}".rjust(len(info.serial), "0")
    assert re.fullmatch(r"(?:[0-9A-F]{2})+", info.serial)
    assert info.sha256 == hashlib.sha256(leaf.der).hexdigest().upper()
    assert not info.is_ca and not info.self_signed
    assert info.der == leaf.der
    assert s_client_a_line(info) == "PKEY: rsaEncryption, 2048 (bit); sigalg: RSA-SHA256"
    assert s_client_v_line(info) == ("NotBefore: Mar  5 01:02:03 2026 GMT; "
                                     "NotAfter: Jun  3 01:02:03 2026 GMT")


@pytest.mark.parametrize(("key_type", "expected", "a_line"), [
    ("ec:secp256r1", ("EC", 256, "secp256r1"),
     "PKEY: id-ecPublicKey, 256 (bit); sigalg: ecdsa-with-SHA256"),
    ("ec:secp384r1", ("EC", 384, "secp384r1"),
     "PKEY: id-ecPublicKey, 384 (bit); sigalg: ecdsa-with-SHA256"),
    ("ed25519", ("Ed25519", 253, None), "PKEY: ED25519, 253 (bit); sigalg: ED25519"),
    ("ed448", ("Ed448", 456, None), "PKEY: ED448, 456 (bit); sigalg: ED448"),
])
def test_key_types_self_signed(key_type: str, expected: tuple[object, ...], a_line: str) -> None:
    cert = pki.leaf(None, ["k.example"], key_type=key_type, key_index=20)
    info = cert_info(cert.der)
    assert (info.key_type, info.key_bits, info.curve) == expected
    assert info.self_signed is True
    assert s_client_a_line(info) == a_line
    assert info.signature_algorithm == a_line.rsplit(": ", 1)[1]  # same spelling for these


def test_ca_flags_and_aia(ca: pki.Pki) -> None:
    root, inter = cert_info(ca.root.der), cert_info(ca.intermediate.der)
    assert root.is_ca and root.self_signed
    assert inter.is_ca and not inter.self_signed
    leaf = ca.issue("a.example", aia_ca_issuers="http://pki.example/inter.crt")
    assert cert_info(leaf.der).ca_issuers == ("http://pki.example/inter.crt",)


def test_issuer_equal_to_subject_but_signed_by_another_key_is_not_self_signed(
        ca: pki.Pki) -> None:
    fake = pki.leaf(ca.intermediate, ["x.example"], common_name="x.example",
                    issuer_name="x.example")
    info = cert_info(fake.der)
    assert info.subject == info.issuer == "CN = x.example"
    assert info.self_signed is False


# --- odd but parseable certificates -----------------------------------------------


def test_no_san_and_no_extensions() -> None:
    name = x509.Name([_attr(NameOID.COMMON_NAME, "cn-only.example")])
    info = cert_info(_self_signed(name))
    assert info.san == () and info.ca_issuers == () and info.is_ca is False
    assert info.common_name == "cn-only.example"
    assert info.serial == "0ABC"


def test_duplicate_san_names_are_kept_as_sent() -> None:
    san = x509.SubjectAlternativeName([x509.DNSName("a.example"), x509.DNSName("a.example"),
                                       x509.DNSName("*.a.example")])
    name = x509.Name([_attr(NameOID.COMMON_NAME, "a")])
    assert cert_info(_self_signed(name, san=san)).san == ("a.example", "a.example",
                                                          "*.a.example")


def test_two_san_extensions_keep_the_first_and_the_rest() -> None:
    first = x509.SubjectAlternativeName([x509.DNSName("first.example")])
    second = x509.SubjectAlternativeName([x509.DNSName("second.example")])
    placeholder = x509.ObjectIdentifier("1.2.3.4")  # same encoded length as 2.5.29.17
    name = x509.Name([_attr(NameOID.COMMON_NAME, "dup")])
    der = _self_signed(name, san=first,
                       other=x509.UnrecognizedExtension(placeholder, second.public_bytes()),
                       bc=x509.BasicConstraints(ca=True, path_length=None))
    der = der.replace(bytes.fromhex("06032a0304"), bytes.fromhex("0603551d11"))
    with pytest.raises(x509.DuplicateExtension):
        _ = x509.load_der_x509_certificate(der).extensions
    info = cert_info(der)
    assert info.san == ("first.example",)
    assert info.is_ca is True  # the other extensions still count
    assert info.self_signed is False  # the edit broke the signature


def test_hostile_subject_is_kept_not_interpreted(ca: pki.Pki) -> None:
    name = pki.make_name(common_name=HOSTILE, organization="<script>alert(1)</script>",
                         organizational_unit="[b]bold[/b] \u2066x\u2069")
    leaf = pki.leaf(ca.intermediate, [], subject=name)
    info = cert_info(leaf.der)
    assert info.common_name == HOSTILE  # verbatim, control characters included
    # OpenSSL's one-line form: markup verbatim; ESC, BEL, NUL, bidi as \XX escapes;
    # values with <, >, ; or , are put in quotes
    assert info.subject == (
        'O = "<script>alert(1)</script>", OU = [b]bold[/b] \\E2\\81\\A6x\\E2\\81\\A9, '
        'CN = "[@click=app.quit]x[/] \\1B[2J\\1B]0;x\\07 a\\00b \\E2\\80\\AEevil"')
    assert info.subject.isascii() and info.subject.isprintable()
    if OPENSSL:
        assert info.subject == _openssl_subject(leaf.der)
    assert s_client_a_line(info).startswith("PKEY: rsaEncryption")


def test_hostile_san_kept_verbatim() -> None:
    weird = "a\x1b[2J.example"
    name = x509.Name([_attr(NameOID.COMMON_NAME, "x")])
    san = x509.SubjectAlternativeName([x509.DNSName(weird), x509.DNSName("[/]")])
    assert cert_info(_self_signed(name, san=san)).san == (weird, "[/]")


@pytest.mark.parametrize("data", [
    b"", b"\x30", b"\x30\x03\x02\x01\x01", b"not a certificate at all",
    b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    bytes(range(256)),
])
def test_unparseable_der_raises_one_error(data: bytes) -> None:
    with pytest.raises(CertificateParseError) as caught:
        cert_info(data)
    assert isinstance(caught.value, ValueError)
    assert len(str(caught.value)) < 200


def test_truncated_real_certificate_raises(ca: pki.Pki) -> None:
    with pytest.raises(CertificateParseError):
        cert_info(ca.root.der[:-10])


# --- names, compared with the real openssl -------------------------------------------


def _names_for_position(position: str) -> x509.Name:
    rdns = []
    for code in range(128):
        char = chr(code)
        value = {"first": char + "ab", "last": "ab" + char, "middle": "a" + char + "b",
                 "alone": char}[position]
        rdns.append(x509.RelativeDistinguishedName([_attr(NameOID.ORGANIZATION_NAME, value)]))
    return x509.Name(rdns)


@needs_openssl
@pytest.mark.parametrize("position", ["first", "last", "middle", "alone"])
def test_every_ascii_character_escaped_like_openssl(position: str) -> None:
    name = _names_for_position(position)
    der = _self_signed(name)
    assert cert_info(der).subject == _openssl_subject(der)
    assert openssl_name(name) == _openssl_subject(der)


@needs_openssl
def test_string_types_fields_and_multivalued_rdns_like_openssl() -> None:
    name = x509.Name([
        x509.RelativeDistinguishedName([_attr(NameOID.COUNTRY_NAME, "US")]),
        x509.RelativeDistinguishedName([_attr(NameOID.COMMON_NAME, "a"),
                                        _attr(NameOID.ORGANIZATIONAL_UNIT_NAME, "b")]),
        x509.RelativeDistinguishedName([_attr(NameOID.ORGANIZATION_NAME, "é\u202e",
                                              _ASN1Type.BMPString)]),
        x509.RelativeDistinguishedName([_attr(NameOID.LOCALITY_NAME, "ü😀",
                                              _ASN1Type.UniversalString)]),
        x509.RelativeDistinguishedName([_attr(NameOID.STATE_OR_PROVINCE_NAME, "caf\xe9",
                                              _ASN1Type.T61String)]),
        x509.RelativeDistinguishedName([_attr(NameOID.EMAIL_ADDRESS, "a@b.example")]),
        x509.RelativeDistinguishedName([_attr(NameOID.DOMAIN_COMPONENT, "example")]),
        x509.RelativeDistinguishedName([_attr(NameOID.SERIAL_NUMBER, "42")]),
        x509.RelativeDistinguishedName([_attr(x509.ObjectIdentifier("1.3.6.1.4.1.311.60.2.1.3"),
                                              "US")]),
        x509.RelativeDistinguishedName([_attr(x509.ObjectIdentifier("1.2.3.4.5"), "x")]),
    ])
    der = _self_signed(name)
    expected = _openssl_subject(der)
    assert cert_info(der).subject == expected
    assert expected.startswith("C = US, CN = a + OU = b, O = \\C3\\A9\\E2\\80\\AE, ")
    assert expected.endswith(", 1.2.3.4.5 = x")


def test_empty_name_and_bad_der_name() -> None:
    assert openssl_name(x509.Name([])) == ""
    with pytest.raises(ValueError):
        name_from_der(b"\x30\x05\x31\x03\x30\x01\x06")
    with pytest.raises(ValueError):
        name_from_der(b"\x04\x00")


def test_name_from_der_of_a_real_name() -> None:
    name = x509.Name([_attr(NameOID.COUNTRY_NAME, "US"), _attr(NameOID.COMMON_NAME, "CA, Inc.")])
    assert name_from_der(name.public_bytes()) == 'C = US, CN = "CA, Inc."'


def test_ec_key_on_a_curve_cloudfront_refuses() -> None:
    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([_attr(NameOID.COMMON_NAME, "p521")])
    der = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
           .public_key(key.public_key()).serial_number(1).not_valid_before(WHEN)
           .not_valid_after(WHEN + timedelta(days=1)).sign(key, hashes.SHA512())
           .public_bytes(serialization.Encoding.DER))
    info = cert_info(der)
    assert (info.key_type, info.key_bits, info.curve) == ("EC", 521, "secp521r1")
    assert info.signature_algorithm == "ecdsa-with-SHA512"


def test_mutated_certificates_parse_or_raise_the_one_error(ca: pki.Pki) -> None:
    samples = [ca.issue("a.example", aia_ca_issuers="http://x.example/ca").der, ca.root.der,
               pki.leaf(None, ["e.example"], key_type="ec:secp384r1", key_index=21).der]
    rng = random.Random(3)
    parsed = 0
    for _ in range(1500):
        der = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(der))
            if rng.random() < 0.7:
                der[pos] = rng.randrange(256)
            else:
                del der[pos : pos + rng.randint(1, 4)]
        try:
            info = cert_info(bytes(der))
        except CertificateParseError:
            continue
        parsed += 1
        assert info.subject.isascii() and info.issuer.isascii()
        s_client_a_line(info)
        s_client_v_line(info)
    assert parsed > 100
