"""One certificate as facts (`CertInfo`), and names printed the way OpenSSL prints them.

Certificates come from the origin and are untrusted: nothing here interprets their
text, and a certificate that `cryptography` loads never makes `cert_info` raise.
Subject and issuer are printed from the DER with OpenSSL's `-nameopt oneline`
rules (the default of `openssl s_client` and `openssl x509` 3.x): control bytes and
every non-ASCII byte become `\\XX`, so the strings are plain ASCII; markup characters
such as `[` are kept as they are (display code escapes them).
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID

from cftui.engine.results import CertInfo

_PARSE_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm, x509.DuplicateExtension)

# Origins do send serial number 0; cryptography warns (once per process, to stderr,
# which would land on the TUI) for what cftui reports anyway. Only that message.
warnings.filterwarnings("ignore", message="Parsed a serial number which wasn't positive",
                        category=CryptographyDeprecationWarning)


class CertificateParseError(ValueError):
    """The bytes are not a certificate that can be parsed at all."""


# --- a minimal DER reader ------------------------------------------------------


class _DerError(ValueError):
    pass


def _tlv(data: bytes, pos: int, end: int | None = None) -> tuple[int, int, int]:
    """(tag, content start, content end) of the element at `pos`; DER lengths only."""
    end = len(data) if end is None else end
    if pos + 2 > end:
        raise _DerError("truncated")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:  # high tag number form: skip its continuation bytes
        while pos < end and data[pos] & 0x80:
            pos += 1
        pos += 1
        if pos >= end:
            raise _DerError("truncated tag")
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise _DerError("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise _DerError("length past the end")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each element in a range."""
    pos = start
    while pos < end:
        tag, cstart, cend = _tlv(data, pos, end)
        yield tag, pos, cstart, cend
        pos = cend


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(raw))) + raw + content


def _oid_text(content: bytes) -> str:
    """Dotted text of an OBJECT IDENTIFIER's content octets."""
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or content[-1] & 0x80:
        raise _DerError("bad OID")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


class _Tbs:
    """The raw parts of a certificate that cftui reads itself."""

    def __init__(self, der: bytes) -> None:
        tag, start, end = _tlv(der, 0)
        if tag != 0x30 or end != len(der):
            raise _DerError("not a SEQUENCE")
        outer = list(_children(der, start, end))
        if len(outer) != 3 or outer[0][0] != 0x30:
            raise _DerError("not a certificate")
        self.outer = [der[e[1] : e[3]] for e in outer]
        tbs = [(t, der[s:ce], der[cs:ce]) for t, s, cs, ce in _children(der, outer[0][2],
                                                                         outer[0][3])]
        self.parts = [element for _, element, _ in tbs]  # version included, when present
        if tbs and tbs[0][0] == 0xA0:
            tbs = tbs[1:]
        if len(tbs) < 6:
            raise _DerError("short TBSCertificate")
        self.issuer = tbs[2][1]
        self.subject = tbs[4][1]
        self.spki = tbs[5][2]
        self.extensions: list[tuple[str, bytes]] = []  # (OID, whole Extension element)
        for tag, _, content in tbs[6:]:
            if tag == 0xA3:
                try:  # lenient: a broken extension list only hides extensions
                    _, seq_start, seq_end = _tlv(content, 0)
                    for _, estart, cstart, cend in _children(content, seq_start, seq_end):
                        _, ostart, oend = _tlv(content, cstart, cend)
                        self.extensions.append((_oid_text(content[ostart:oend]),
                                                content[estart:cend]))
                except _DerError:
                    pass

    def spki_algorithm(self) -> tuple[str, str | None]:
        """(algorithm OID, parameter OID when the parameter is one)."""
        _, alg_start, alg_end = _tlv(self.spki, 0)
        items = list(_children(self.spki, alg_start, alg_end))
        oid = _oid_text(self.spki[items[0][2] : items[0][3]])
        param = None
        if len(items) > 1 and items[1][0] == 0x06:
            param = _oid_text(self.spki[items[1][2] : items[1][3]])
        return oid, param

    def with_extensions(self, extensions: list[bytes]) -> bytes:
        """The certificate re-encoded with only these extensions (signature left as is)."""
        parts = [p for p in self.parts if p[0] != 0xA3]
        if parts[0][0] != 0xA0:
            parts.insert(0, _der(0xA0, b"\x02\x01\x02"))  # version 3, needed for extensions
        parts.append(_der(0xA3, _der(0x30, b"".join(extensions))))
        return _der(0x30, _der(0x30, b"".join(parts)) + self.outer[1] + self.outer[2])


# --- names, OpenSSL style ------------------------------------------------------

#: OpenSSL's short names (OBJ_nid2sn) of the attribute types seen in certificate names.
_NAME_FIELDS: dict[str, str] = {
    "2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C",
    "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O",
    "2.5.4.11": "OU", "2.5.4.12": "title", "2.5.4.13": "description",
    "2.5.4.14": "searchGuide", "2.5.4.15": "businessCategory", "2.5.4.16": "postalAddress",
    "2.5.4.17": "postalCode", "2.5.4.18": "postOfficeBox",
    "2.5.4.19": "physicalDeliveryOfficeName", "2.5.4.20": "telephoneNumber",
    "2.5.4.21": "telexNumber", "2.5.4.22": "teletexTerminalIdentifier",
    "2.5.4.23": "facsimileTelephoneNumber", "2.5.4.24": "x121Address",
    "2.5.4.25": "internationaliSDNNumber", "2.5.4.26": "registeredAddress",
    "2.5.4.27": "destinationIndicator", "2.5.4.28": "preferredDeliveryMethod",
    "2.5.4.29": "presentationAddress", "2.5.4.30": "supportedApplicationContext",
    "2.5.4.31": "member", "2.5.4.32": "owner", "2.5.4.33": "roleOccupant",
    "2.5.4.34": "seeAlso", "2.5.4.35": "userPassword", "2.5.4.41": "name", "2.5.4.42": "GN",
    "2.5.4.43": "initials", "2.5.4.44": "generationQualifier",
    "2.5.4.45": "x500UniqueIdentifier", "2.5.4.46": "dnQualifier",
    "2.5.4.47": "enhancedSearchGuide", "2.5.4.48": "protocolInformation",
    "2.5.4.49": "distinguishedName", "2.5.4.50": "uniqueMember",
    "2.5.4.51": "houseIdentifier", "2.5.4.54": "dmdName", "2.5.4.65": "pseudonym",
    "2.5.4.72": "role", "2.5.4.97": "organizationIdentifier", "2.5.4.98": "c3",
    "2.5.4.99": "n3", "2.5.4.100": "dnsName",
    "1.2.840.113549.1.9.1": "emailAddress", "1.2.840.113549.1.9.2": "unstructuredName",
    "1.2.840.113549.1.9.7": "challengePassword",
    "1.2.840.113549.1.9.8": "unstructuredAddress",
    "0.9.2342.19200300.100.1.1": "UID", "0.9.2342.19200300.100.1.3": "mail",
    "0.9.2342.19200300.100.1.25": "DC",
    "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
    "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}

# Character classes of OpenSSL's ASN1_STRFLGS_ESC_2253 | ESC_QUOTE | ESC_CTRL (a_strex.c).
_QUOTED = frozenset(b"+,;<>")  # printed as is, but the whole value goes in "quotes"
_BACKSLASHED = frozenset(b'"\\')  # printed as \" and \\
_LATIN1_TYPES = frozenset((18, 19, 20, 22, 23, 24, 26))  # one byte per character


def _escape_value(tag: int, content: bytes) -> str:
    """One attribute value as X509_NAME_print_ex(XN_FLAG_ONELINE) prints it."""
    if tag == 12:  # UTF8String: its bytes as they are
        chars: list[bytes] = [bytes((b,)) for b in content]
    elif tag in _LATIN1_TYPES:
        chars = [chr(b).encode() for b in content]
    elif tag in (28, 30):  # UniversalString, BMPString
        width = 4 if tag == 28 else 2
        if len(content) % width:
            return "#" + _der(tag, content).hex().upper()
        chars = []
        for i in range(0, len(content), width):
            code = int.from_bytes(content[i : i + width], "big")
            try:
                chars.append(chr(code).encode("utf-8", "surrogatepass"))
            except (ValueError, OverflowError):
                return "#" + _der(tag, content).hex().upper()
    else:  # not a string type: OpenSSL dumps the DER in hex
        return "#" + _der(tag, content).hex().upper()
    out: list[str] = []
    quote = False
    last = len(chars) - 1
    for index, char in enumerate(chars):
        for byte in char:
            if byte > 0x7F or byte < 0x20 or byte == 0x7F:
                out.append(f"\\{byte:02X}")
            elif byte in _BACKSLASHED:
                out.append("\\" + chr(byte))
            else:
                if byte in _QUOTED or (byte == 0x20 and index in (0, last)) or (
                        byte == 0x23 and index == 0 and last > 0):
                    quote = True
                out.append(chr(byte))
    text = "".join(out)
    return f'"{text}"' if quote else text


def _name_from_der(der: bytes) -> str:
    """A DER Name in OpenSSL's one-line form; raises _DerError when it is not a Name."""
    tag, start, end = _tlv(der, 0)
    if tag != 0x30 or end != len(der):
        raise _DerError("not a Name")
    rdns: list[str] = []
    for rdn_tag, _, rstart, rend in _children(der, start, end):
        if rdn_tag != 0x31:
            raise _DerError("not an RDN")
        avas: list[str] = []
        for ava_tag, _, astart, aend in _children(der, rstart, rend):
            if ava_tag != 0x30:
                raise _DerError("not an AttributeTypeAndValue")
            items = list(_children(der, astart, aend))
            if len(items) != 2 or items[0][0] != 0x06:
                raise _DerError("bad AttributeTypeAndValue")
            oid = _oid_text(der[items[0][2] : items[0][3]])
            vtag, _, vstart, vend = items[1]
            field = _NAME_FIELDS.get(oid, oid)
            avas.append(f"{field} = {_escape_value(vtag, der[vstart:vend])}")
        rdns.append(" + ".join(avas))
    return ", ".join(rdns)


def name_from_der(der: bytes) -> str:
    """A DER-encoded Name (as in a CertificateRequest) in OpenSSL's one-line form.

    Raises ValueError when the bytes are not a Name.
    """
    return _name_from_der(der)


def openssl_name(name: x509.Name) -> str:
    """`C = US, O = Example Origin, CN = origin.example.com`: s_client's spelling."""
    return _name_from_der(name.public_bytes())


def _name_values(der: bytes, oid: str) -> list[str]:
    """The decoded values of one attribute type, in order (lenient, never raises)."""
    values: list[str] = []
    try:
        _, start, end = _tlv(der, 0)
        for _, _, rstart, rend in _children(der, start, end):
            for _, _, astart, aend in _children(der, rstart, rend):
                items = list(_children(der, astart, aend))
                if len(items) == 2 and _oid_text(der[items[0][2] : items[0][3]]) == oid:
                    tag, _, vstart, vend = items[1]
                    values.append(_decode(tag, der[vstart:vend]))
    except _DerError:
        pass
    return values


def _decode(tag: int, content: bytes) -> str:
    if tag == 30:
        return content.decode("utf-16-be", "replace")
    if tag == 28:
        return content.decode("utf-32-be", "replace")
    if tag in _LATIN1_TYPES:
        return content.decode("latin-1")
    return content.decode("utf-8", "replace")


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
_SIGNATURE_SHORT = dict(_SIGNATURES.values())

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
_KEY_SHORT = dict(_KEY_TYPES.values())

#: Named curves by OID, with their size in bits (for keys cryptography cannot load).
_CURVES: dict[str, tuple[str, int]] = {
    "1.2.840.10045.3.1.7": ("secp256r1", 256),
    "1.3.132.0.34": ("secp384r1", 384),
    "1.3.132.0.35": ("secp521r1", 521),
    "1.3.132.0.10": ("secp256k1", 256),
    "1.2.840.10045.3.1.1": ("secp192r1", 192),
    "1.3.132.0.33": ("secp224r1", 224),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512),
}


def _key_facts(cert: x509.Certificate, tbs: _Tbs) -> tuple[str, int, str | None]:
    """(key type, bits as OpenSSL's EVP_PKEY_get_bits counts them, EC curve name)."""
    try:
        alg_oid, param = tbs.spki_algorithm()
    except (_DerError, IndexError):
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
    if key_type == "EC" and param is not None:
        curve, bits = _CURVES.get(param, (param, 0))
        return key_type, bits, curve
    return key_type, 0, None


# --- extensions ----------------------------------------------------------------


def _extensions(cert: x509.Certificate, tbs: _Tbs) -> list[x509.Extension[x509.ExtensionType]]:
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
        except (*_PARSE_ERRORS, _DerError):
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


def cert_info(der: bytes) -> CertInfo:
    """Facts about one DER certificate; raises CertificateParseError if it does not parse."""
    try:
        cert = x509.load_der_x509_certificate(der)
        tbs = _Tbs(der)
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
    common_names = _name_values(tbs.subject, "2.5.4.3")
    return CertInfo(
        subject=_safe_name(tbs.subject),
        issuer=_safe_name(tbs.issuer),
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


def _safe_name(der: bytes) -> str:
    try:
        return _name_from_der(der)
    except _DerError:
        return "#" + der.hex().upper()


# --- s_client's per-certificate lines ------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def openssl_time(iso: str) -> str:
    """`2026-11-28T16:56:58Z` -> `Nov 28 16:56:58 2026 GMT` (ASN1_TIME_print)."""
    when = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return (f"{_MONTHS[when.month - 1]} {when.day:2d} {when.hour:02d}:{when.minute:02d}:"
            f"{when.second:02d} {when.year} GMT")


def s_client_a_line(info: CertInfo) -> str:
    """`PKEY: rsaEncryption, 2048 (bit); sigalg: RSA-SHA256` (s_client's `a:` line)."""
    key = _KEY_SHORT.get(info.key_type, info.key_type)
    sigalg = _SIGNATURE_SHORT.get(info.signature_algorithm, "UNDEF")
    return f"PKEY: {key}, {info.key_bits} (bit); sigalg: {sigalg}"


def s_client_v_line(info: CertInfo) -> str:
    """`NotBefore: Nov 28 16:56:58 2026 GMT; NotAfter: …` (s_client's `v:` line)."""
    return f"NotBefore: {openssl_time(info.not_before)}; NotAfter: {openssl_time(info.not_after)}"
