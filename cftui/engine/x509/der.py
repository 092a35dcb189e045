"""A minimal DER reader (and writer) for the parts of a certificate cftui reads itself.

Definite lengths only; a malformed element raises `DerError` (a ValueError).
"""

from __future__ import annotations

from collections.abc import Iterator


class DerError(ValueError):
    """The bytes are not the DER element that was expected."""


def tlv(data: bytes, pos: int, end: int | None = None) -> tuple[int, int, int]:
    """(tag, content start, content end) of the element at `pos`; DER lengths only."""
    end = len(data) if end is None else end
    if pos + 2 > end:
        raise DerError("truncated")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:  # high tag number form: skip its continuation bytes
        while pos < end and data[pos] & 0x80:
            pos += 1
        pos += 1
        if pos >= end:
            raise DerError("truncated tag")
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise DerError("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise DerError("length past the end")
    return tag, pos, pos + length


def children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each element in a range."""
    pos = start
    while pos < end:
        tag, cstart, cend = tlv(data, pos, end)
        yield tag, pos, cstart, cend
        pos = cend


def encode(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(raw))) + raw + content


def oid_text(content: bytes) -> str:
    """Dotted text of an OBJECT IDENTIFIER's content octets."""
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or content[-1] & 0x80:
        raise DerError("bad OID")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


class Tbs:
    """The raw parts of a certificate that cftui reads itself."""

    def __init__(self, der: bytes) -> None:
        tag, start, end = tlv(der, 0)
        if tag != 0x30 or end != len(der):
            raise DerError("not a SEQUENCE")
        outer = list(children(der, start, end))
        if len(outer) != 3 or outer[0][0] != 0x30:
            raise DerError("not a certificate")
        self.outer = [der[e[1] : e[3]] for e in outer]
        tbs = [(t, der[s:ce], der[cs:ce]) for t, s, cs, ce in children(der, outer[0][2],
                                                                        outer[0][3])]
        self.parts = [element for _, element, _ in tbs]  # version included, when present
        if tbs and tbs[0][0] == 0xA0:
            tbs = tbs[1:]
        if len(tbs) < 6:
            raise DerError("short TBSCertificate")
        self.issuer = tbs[2][1]
        self.subject = tbs[4][1]
        self.spki = tbs[5][2]
        self.extensions: list[tuple[str, bytes]] = []  # (OID, whole Extension element)
        for tag, _, content in tbs[6:]:
            if tag == 0xA3:
                try:  # lenient: a broken extension list only hides extensions
                    _, seq_start, seq_end = tlv(content, 0)
                    for _, estart, cstart, cend in children(content, seq_start, seq_end):
                        _, ostart, oend = tlv(content, cstart, cend)
                        self.extensions.append((oid_text(content[ostart:oend]),
                                                content[estart:cend]))
                except DerError:
                    pass

    def spki_algorithm(self) -> tuple[str, str | None]:
        """(algorithm OID, parameter OID when the parameter is one)."""
        _, alg_start, alg_end = tlv(self.spki, 0)
        items = list(children(self.spki, alg_start, alg_end))
        oid = oid_text(self.spki[items[0][2] : items[0][3]])
        param = None
        if len(items) > 1 and items[1][0] == 0x06:
            param = oid_text(self.spki[items[1][2] : items[1][3]])
        return oid, param

    def with_extensions(self, extensions: list[bytes]) -> bytes:
        """The certificate re-encoded with only these extensions (signature left as is)."""
        parts = [p for p in self.parts if p[0] != 0xA3]
        if parts[0][0] != 0xA0:
            parts.insert(0, encode(0xA0, b"\x02\x01\x02"))  # version 3, needed for extensions
        parts.append(encode(0xA3, encode(0x30, b"".join(extensions))))
        return encode(0x30, encode(0x30, b"".join(parts)) + self.outer[1] + self.outer[2])


SUBJECT_ALT_NAME = "2.5.29.17"


def san_dns_names(tbs: Tbs) -> list[bytes] | None:
    """The raw dNSName entries of the subjectAltName, in order.

    None when there is no subjectAltName OpenSSL would decode: absent, repeated
    (X509_get_ext_d2i refuses duplicates) or malformed. The bytes are not decoded:
    OpenSSL compares them as they are.
    """
    found = [element for oid, element in tbs.extensions if oid == SUBJECT_ALT_NAME]
    if len(found) != 1:
        return None
    ext = found[0]
    try:
        _, start, end = tlv(ext, 0)
        items = list(children(ext, start, end))
        if not items or items[-1][0] != 0x04:
            return None
        value = ext[items[-1][2] : items[-1][3]]
        tag, vstart, vend = tlv(value, 0)
        if tag != 0x30 or vend != len(value):
            return None
        return [value[cs:ce] for gtag, _, cs, ce in children(value, vstart, vend)
                if gtag == 0x82]
    except DerError:
        return None
