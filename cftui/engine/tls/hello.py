"""Build ClientHello records byte by byte, as CloudFront would send them.

The local OpenSSL cannot send SSLv3, RC4-MD5 or DES-CBC3-SHA, which CloudFront
still offers, so cftui writes its own ClientHello (like testssl.sh and sslscan)
and reads the origin's clear-text first flight itself.
"""

from __future__ import annotations

import functools
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from cftui.engine import profile
from cftui.engine.profile import Protocol
from cftui.engine.tls.registry import (
    TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
    ContentType,
    ExtensionType,
    HandshakeType,
    NamedGroup,
)


@dataclass(frozen=True)
class HelloSpec:
    """What goes into one ClientHello."""

    protocol: Protocol
    suites: tuple[int, ...]
    sni: str | None = None
    groups: tuple[int, ...] = profile.CLOUDFRONT_GROUPS
    signature_schemes: tuple[int, ...] = profile.CLOUDFRONT_SIGNATURE_SCHEMES
    alpn: tuple[bytes, ...] = ()  # ALPN protocol names, in preference order (RFC 7301)

    @property
    def sent_alpn(self) -> tuple[bytes, ...]:
        """The ALPN names the hello really carries (none in SSLv3, which has no extensions)."""
        return self.alpn if self.protocol is not Protocol.SSLv3 else ()

    @property
    def sends_signature_algorithms(self) -> bool:
        """signature_algorithms exists from TLS 1.2 on; older hellos leave it out."""
        return self.protocol.wire >= Protocol.TLSv1_2.wire

    @property
    def sent_signature_schemes(self) -> tuple[int, ...]:
        """The signature schemes the hello really carries (none before TLS 1.2)."""
        return self.signature_schemes if self.sends_signature_algorithms else ()

    @property
    def sent_groups(self) -> tuple[int, ...]:
        """The groups the hello really carries (none in SSLv3, which has no extensions)."""
        return self.groups if self.protocol is not Protocol.SSLv3 else ()

    @property
    def sent_extensions(self) -> frozenset[int]:
        """The extension types the hello carries, as `_extension_list` writes them (padding
        aside: a server never answers it). A ServerHello may carry only these (RFC 5246
        §7.4.1.4, RFC 8446 §4.1.3); for SSLv3 the SCSV stands for renegotiation_info."""
        if self.protocol is Protocol.SSLv3:
            return frozenset({ExtensionType.RENEGOTIATION_INFO})
        return frozenset(kind for kind, _ in _extension_list(self, b""))


#: ClientHello handshake messages of 256–511 bytes hang some F5 load balancers; like
#: OpenSSL and browsers did, a hello of that size is padded to 512 (RFC 7685).
PAD_FROM, PAD_TO = 256, 512


def _u8(data: bytes) -> bytes:
    return struct.pack("!B", len(data)) + data


def _u16(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def _u24(data: bytes) -> bytes:
    return struct.pack("!I", len(data))[1:] + data


def _ext(type_: int, body: bytes) -> bytes:
    return struct.pack("!H", type_) + _u16(body)


def _codes(values: Sequence[int]) -> bytes:
    return b"".join(struct.pack("!H", v) for v in values)


def sni_bytes(name: str) -> bytes:
    """server_name extension body; the name must already be a valid ASCII host name."""
    host = name.encode("ascii")
    return _u16(b"\x00" + _u16(host))


def alpn_bytes(names: Sequence[bytes]) -> bytes:
    """application_layer_protocol_negotiation extension body (RFC 7301 §3.1): the
    protocol name list, each name 1–255 bytes."""
    return _u16(b"".join(_u8(name) for name in names))


def _extensions(spec: HelloSpec, key_share: bytes) -> bytes:
    return b"".join(_ext(kind, data) for kind, data in _extension_list(spec, key_share))


def _extension_list(spec: HelloSpec, key_share: bytes) -> list[tuple[int, bytes]]:
    """(type, body) of each extension the hello carries, in the order it writes them.
    OpenSSL's order, as far as cftui sends the same extensions: ALPN comes after the
    groups and point formats and before extended_master_secret and
    signature_algorithms (checked against `openssl s_client -alpn`)."""
    parts: list[tuple[int, bytes]] = []
    if spec.sni:
        parts.append((ExtensionType.SERVER_NAME, sni_bytes(spec.sni)))
    if spec.groups:
        parts.append((ExtensionType.SUPPORTED_GROUPS, _u16(_codes(spec.groups))))
        parts.append((ExtensionType.EC_POINT_FORMATS, _u8(b"\x00")))  # uncompressed points only
    if spec.alpn:
        parts.append((ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                      alpn_bytes(spec.alpn)))
    if spec.sends_signature_algorithms:
        parts.append((ExtensionType.SIGNATURE_ALGORITHMS, _u16(_codes(spec.signature_schemes))))
    parts.append((ExtensionType.EXTENDED_MASTER_SECRET, b""))
    if spec.protocol is Protocol.TLSv1_3:
        parts.append((ExtensionType.SUPPORTED_VERSIONS, _u8(_codes([Protocol.TLSv1_3.wire]))))
        parts.append((ExtensionType.PSK_KEY_EXCHANGE_MODES, _u8(b"\x01")))  # psk_dhe_ke
        share = struct.pack("!H", NamedGroup.X25519) + _u16(key_share)
        parts.append((ExtensionType.KEY_SHARE, _u16(share)))
    else:
        parts.append((ExtensionType.RENEGOTIATION_INFO, _u8(b"")))  # initial handshake
    return parts


#: Where the 32-byte client random sits in the record: after the record header (5),
#: the handshake header (4) and the legacy version (2).
RANDOM_AT = 11


def client_hello(spec: HelloSpec, random: bytes | None = None) -> bytes:
    """The whole ClientHello record (record header included) for the spec.

    SSLv3 hellos carry no extensions (so no SNI); the empty-renegotiation SCSV
    stands in for renegotiation_info there. TLS 1.3 hellos announce 1.2 in the
    legacy version field and 1.3 in supported_versions, with an X25519 key share.
    Before TLS 1.3 only the random differs from one hello to the next, so each spec
    is laid out once and gets a fresh random.
    """
    random = random if random is not None else os.urandom(32)
    if spec.protocol is Protocol.TLSv1_3:
        # A probe never finishes the handshake: its key share only has to be 32 bytes
        # the origin can use, and every 32-byte string is an X25519 public value
        # (RFC 7748 §5), so no key pair is made.
        return _record(spec, random, os.urandom(32), os.urandom(32))
    template = _template(spec)
    return template[:RANDOM_AT] + random + template[RANDOM_AT + 32:]


@functools.lru_cache(maxsize=512)
def _template(spec: HelloSpec) -> bytes:
    return _record(spec, bytes(32), b"", b"")


def _record(spec: HelloSpec, random: bytes, session_id: bytes, key_share: bytes) -> bytes:
    legacy = min(spec.protocol.wire, Protocol.TLSv1_2.wire)
    suites = list(spec.suites)
    if spec.protocol is Protocol.SSLv3:
        suites.append(TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
    body = (
        struct.pack("!H", legacy)
        + random
        + _u8(session_id)
        + _u16(_codes(suites))
        + _u8(b"\x00")  # compression: null only
    )
    if spec.protocol is not Protocol.SSLv3:
        extensions = _extensions(spec, key_share)
        size = 4 + len(body) + 2 + len(extensions)
        if PAD_FROM <= size < PAD_TO:  # RFC 7685: some load balancers hang on these sizes
            extensions += _ext(ExtensionType.PADDING, bytes(max(0, PAD_TO - size - 4)))
        body += _u16(extensions)
    handshake = struct.pack("!B", HandshakeType.CLIENT_HELLO) + _u24(body)
    record_version = Protocol.SSLv3.wire if spec.protocol is Protocol.SSLv3 else Protocol.TLSv1.wire
    return struct.pack("!BH", ContentType.HANDSHAKE, record_version) + _u16(handshake)


#: What CloudFront offers in ALPN with OriginHttpVersion http2 (h2 first; the real
#: handshake in tls/handshake.py offers the same); with http1.1 it sends no ALPN.
def cloudfront_hello(protocol: Protocol, sni: str | None,
                     suites: Sequence[int] | None = None,
                     alpn: Sequence[bytes] = ()) -> HelloSpec:
    """CloudFront's offer at one version (or a subset of its suites, for enumeration);
    `alpn` is `profile.CLOUDFRONT_ALPN[http_version]`."""
    if suites is None:
        suites = [s.code for s in profile.cloudfront_suites_for(protocol)]
    return HelloSpec(protocol=protocol, suites=tuple(suites), sni=sni, alpn=tuple(alpn))


def broad_hello(protocol: Protocol, sni: str | None, alpn: Sequence[bytes] = ()) -> HelloSpec:
    """Every suite, group and signature scheme cftui knows, at one version."""
    return HelloSpec(
        protocol=protocol,
        suites=tuple(s.code for s in profile.broad_suites_for(protocol)),
        sni=sni,
        groups=profile.BROAD_GROUPS,
        signature_schemes=profile.BROAD_SIGNATURE_SCHEMES,
        alpn=tuple(alpn),
    )


def tls13_hello(sni: str | None, alpn: Sequence[bytes] = ()) -> HelloSpec:
    return HelloSpec(
        protocol=Protocol.TLSv1_3,
        suites=tuple(s.code for s in profile.broad_suites_for(Protocol.TLSv1_3)),
        sni=sni,
        groups=(NamedGroup.X25519,),
        signature_schemes=profile.BROAD_SIGNATURE_SCHEMES,
        alpn=tuple(alpn),
    )
