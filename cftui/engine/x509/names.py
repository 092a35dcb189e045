"""X.509 names printed the way OpenSSL prints them (`-nameopt oneline`).

That is the default of `openssl s_client` and `openssl x509` 3.x: control bytes and
every non-ASCII byte become `\\XX`, so the strings are plain ASCII; markup characters
such as `[` are kept as they are (display code escapes them). Names come from the
origin and are untrusted: nothing here interprets their text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cryptography import x509

from cftui.engine.x509.der import DerError, children, encode, oid_text, tlv

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

T = TypeVar("T")


def _escape_value(tag: int, content: bytes) -> str:
    """One attribute value as X509_NAME_print_ex(XN_FLAG_ONELINE) prints it."""
    if tag == 12:  # UTF8String: its bytes as they are
        chars: list[bytes] = [bytes((b,)) for b in content]
    elif tag in _LATIN1_TYPES:
        chars = [chr(b).encode() for b in content]
    elif tag in (28, 30):  # UniversalString, BMPString
        width = 4 if tag == 28 else 2
        if len(content) % width:
            return "#" + encode(tag, content).hex().upper()
        chars = []
        for i in range(0, len(content), width):
            code = int.from_bytes(content[i : i + width], "big")
            try:
                chars.append(chr(code).encode("utf-8", "surrogatepass"))
            except (ValueError, OverflowError):
                return "#" + encode(tag, content).hex().upper()
    else:  # not a string type: OpenSSL dumps the DER in hex
        return "#" + encode(tag, content).hex().upper()
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


def name_from_der(der: bytes) -> str:
    """A DER-encoded Name (as in a CertificateRequest) in OpenSSL's one-line form.

    Raises ValueError (a `DerError`) when the bytes are not a Name.
    """
    tag, start, end = tlv(der, 0)
    if tag != 0x30 or end != len(der):
        raise DerError("not a Name")
    rdns: list[str] = []
    for rdn_tag, _, rstart, rend in children(der, start, end):
        if rdn_tag != 0x31:
            raise DerError("not an RDN")
        avas: list[str] = []
        for ava_tag, _, astart, aend in children(der, rstart, rend):
            if ava_tag != 0x30:
                raise DerError("not an AttributeTypeAndValue")
            items = list(children(der, astart, aend))
            if len(items) != 2 or items[0][0] != 0x06:
                raise DerError("bad AttributeTypeAndValue")
            oid = oid_text(der[items[0][2] : items[0][3]])
            vtag, _, vstart, vend = items[1]
            field = _NAME_FIELDS.get(oid, oid)
            avas.append(f"{field} = {_escape_value(vtag, der[vstart:vend])}")
        rdns.append(" + ".join(avas))
    return ", ".join(rdns)


def openssl_name(name: x509.Name) -> str:
    """`C = US, O = Example Origin, CN = origin.example.com`: s_client's spelling."""
    return name_from_der(name.public_bytes())


def safe_name(der: bytes) -> str:
    """Like `name_from_der`, but bytes that are not a Name come back as `#` and hex."""
    try:
        return name_from_der(der)
    except DerError:
        return "#" + der.hex().upper()


def _attribute_values(der: bytes, oid: str,
                      convert: Callable[[int, bytes], T]) -> list[T]:
    """`convert(tag, content)` of each value of one attribute type, in order (lenient)."""
    values: list[T] = []
    try:
        _, start, end = tlv(der, 0)
        for _, _, rstart, rend in children(der, start, end):
            for _, _, astart, aend in children(der, rstart, rend):
                items = list(children(der, astart, aend))
                if len(items) == 2 and oid_text(der[items[0][2] : items[0][3]]) == oid:
                    tag, _, vstart, vend = items[1]
                    values.append(convert(tag, der[vstart:vend]))
    except DerError:
        pass
    return values


def name_values(der: bytes, oid: str) -> list[str]:
    """The decoded values of one attribute type, in order (lenient, never raises)."""
    return _attribute_values(der, oid, _decode)


def name_values_utf8(der: bytes, oid: str) -> list[bytes | None]:
    """The values of one attribute type as ASN1_STRING_to_UTF8 converts them, in order;
    None for a value OpenSSL cannot convert (not a string type, bad UTF-8/BMP/UCS-4)."""
    return _attribute_values(der, oid, _to_utf8)


def _to_utf8(tag: int, content: bytes) -> bytes | None:
    try:
        if tag == 12:
            content.decode("utf-8")
            return content
        if tag in _LATIN1_TYPES:
            return content.decode("latin-1").encode("utf-8")
        if tag == 30 and len(content) % 2 == 0:
            return content.decode("utf-16-be").encode("utf-8")
        if tag == 28 and len(content) % 4 == 0:
            return content.decode("utf-32-be").encode("utf-8")
    except UnicodeError:
        return None
    return None


def _decode(tag: int, content: bytes) -> str:
    if tag == 30:
        return content.decode("utf-16-be", "replace")
    if tag == 28:
        return content.decode("utf-32-be", "replace")
    if tag in _LATIN1_TYPES:
        return content.decode("latin-1")
    return content.decode("utf-8", "replace")


# --- host names, compared the way OpenSSL's X509_check_host does (flags 0) -------------
#
# What a TLS client gets from SSL_set1_host and `openssl x509 -checkhost` alike: the
# certificate's names are compared byte for byte, ASCII letters case-insensitively,
# nothing folded (no IDNA mapping, no trimming, no trailing-dot removal). One wildcard
# is allowed in the left-most label, as the whole label or at its start or end
# (`*.example.com`, `f*.example.com`, `*o.example.com`), never in an `xn--` label, and
# only with two more dots after it; a partial wildcard never matches an `xn--` label.

_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_LABEL_START, _LABEL_IDNA, _LABEL_HYPHEN = 1, 2, 4


def _equal_nocase(pattern: bytes, subject: bytes) -> bool:
    if len(pattern) != len(subject) or 0 in pattern:
        return False
    return pattern.lower() == subject.lower()  # bytes.lower folds ASCII letters only


def _valid_star(pattern: bytes) -> int | None:
    """Where the one acceptable wildcard is, or None (then `*` is a plain byte)."""
    star: int | None = None
    dots = 0
    state = _LABEL_START
    for i, byte in enumerate(pattern):
        if byte == 0x2A:  # '*'
            at_start = bool(state & _LABEL_START)
            at_end = i == len(pattern) - 1 or pattern[i + 1] == 0x2E
            if star is not None or state & _LABEL_IDNA or dots:
                return None
            if not at_start and not at_end:
                return None
            star = i
            state &= ~_LABEL_START
        elif byte in _ALNUM:
            if state & _LABEL_START and pattern[i : i + 4].lower() == b"xn--":
                state |= _LABEL_IDNA
            state &= ~(_LABEL_HYPHEN | _LABEL_START)
        elif byte == 0x2E:  # '.'
            if state & (_LABEL_HYPHEN | _LABEL_START):
                return None
            state = _LABEL_START
            dots += 1
        elif byte == 0x2D:  # '-'
            if state & _LABEL_START:
                return None
            state |= _LABEL_HYPHEN
        else:
            return None
    if state & (_LABEL_START | _LABEL_HYPHEN) or dots < 2:
        return None
    return star


def _wildcard_match(prefix: bytes, suffix: bytes, subject: bytes) -> bool:
    if len(subject) < len(prefix) + len(suffix):
        return False
    if not _equal_nocase(prefix, subject[: len(prefix)]):
        return False
    middle_end = len(subject) - len(suffix)
    if not _equal_nocase(subject[middle_end:], suffix):
        return False
    middle = subject[len(prefix) : middle_end]
    whole_label = not prefix and suffix.startswith(b".")
    if whole_label and not middle:
        return False
    if not whole_label and subject[:4].lower() == b"xn--":
        return False
    if middle == b"*":
        return True
    return all(b in _ALNUM or b == 0x2D for b in middle)


def host_matches(pattern: bytes, host: bytes) -> bool:
    """One certificate name (raw bytes) against the host name (OpenSSL's equal_wildcard)."""
    if not pattern:
        return False
    star = None if (len(host) > 1 and host[:1] == b".") else _valid_star(pattern)
    if star is None:
        return _equal_nocase(pattern, host)
    return _wildcard_match(pattern[:star], pattern[star + 1 :], host)
