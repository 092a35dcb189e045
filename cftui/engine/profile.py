"""What CloudFront offers a custom origin, as data.

Every other module reads CloudFront's protocols, cipher suites, curves,
signature schemes, SNI rule, timeouts and key limits from here. What the values
are called (on the wire and by OpenSSL) is in `cftui.engine.tls.registry`. Facts come from
AWS's "supported protocols and ciphers between CloudFront and the origin" page
and the CustomOriginConfig API reference (see shared/reference).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from cftui.engine.tls.registry import NamedGroup, SignatureScheme
from cftui.engine.tls.suite_rows import SUITE_ROWS


class Protocol(str, Enum):
    """A protocol version, named as CloudFront's OriginSslProtocols spells it."""

    SSLv3 = "SSLv3"
    TLSv1 = "TLSv1"
    TLSv1_1 = "TLSv1.1"
    TLSv1_2 = "TLSv1.2"
    TLSv1_3 = "TLSv1.3"  # never used by CloudFront toward origins; probed for information

    @property
    def wire(self) -> int:
        """The two-byte version number on the wire (0x0300 … 0x0304)."""
        return _WIRE[self]

    @property
    def openssl_name(self) -> str:
        """The name OpenSSL prints for this version (s_client's "Protocol  :")."""
        return _OPENSSL_NAMES[self]

    @property
    def s_client_flag(self) -> str:
        return _S_CLIENT_FLAGS[self]

    @property
    def origin_ssl_protocol(self) -> bool:
        """True when CloudFront can be configured to use this version."""
        return self is not Protocol.TLSv1_3

    @classmethod
    def from_wire(cls, version: int) -> Protocol | None:
        for protocol, value in _WIRE.items():
            if value == version:
                return protocol
        return None

    @classmethod
    def parse(cls, name: str) -> Protocol:
        """Parse an OriginSslProtocols item; raises ValueError naming the valid ones."""
        for protocol in cls:
            if protocol.value.lower() == name.strip().lower() and protocol.origin_ssl_protocol:
                return protocol
        valid = ", ".join(p.value for p in ORIGIN_SSL_PROTOCOLS)
        raise ValueError(f"unknown protocol {name.strip()!r} (CloudFront knows {valid})")


def version_name(version: int) -> str:
    """A wire version's name ("TLSv1.2"), or its code point in hex when unknown."""
    protocol = Protocol.from_wire(version)
    return protocol.value if protocol else f"0x{version:04X}"


_WIRE = {
    Protocol.SSLv3: 0x0300,
    Protocol.TLSv1: 0x0301,
    Protocol.TLSv1_1: 0x0302,
    Protocol.TLSv1_2: 0x0303,
    Protocol.TLSv1_3: 0x0304,
}
_OPENSSL_NAMES = {
    Protocol.SSLv3: "SSLv3",
    Protocol.TLSv1: "TLSv1",
    Protocol.TLSv1_1: "TLSv1.1",
    Protocol.TLSv1_2: "TLSv1.2",
    Protocol.TLSv1_3: "TLSv1.3",
}
_S_CLIENT_FLAGS = {
    Protocol.SSLv3: "-ssl3",
    Protocol.TLSv1: "-tls1",
    Protocol.TLSv1_1: "-tls1_1",
    Protocol.TLSv1_2: "-tls1_2",
    Protocol.TLSv1_3: "-tls1_3",
}

#: The values OriginSslProtocols accepts, oldest first.
ORIGIN_SSL_PROTOCOLS: tuple[Protocol, ...] = (
    Protocol.SSLv3, Protocol.TLSv1, Protocol.TLSv1_1, Protocol.TLSv1_2)
#: Protocols every scan of cftui tries, each with its first ClientHello at once:
#: CloudFront's four, then TLS 1.3 for information.
SCANNED_PROTOCOLS: tuple[Protocol, ...] = (*ORIGIN_SSL_PROTOCOLS, Protocol.TLSv1_3)
#: What CloudFront enables when nothing is said (console and CDK default).
DEFAULT_PROTOCOLS: tuple[Protocol, ...] = (Protocol.TLSv1_2,)


@dataclass(frozen=True)
class CipherSuite:
    code: int
    openssl_name: str
    iana_name: str
    min_protocol: Protocol = Protocol.SSLv3
    tls12_only: bool = False

    def usable_with(self, protocol: Protocol) -> bool:
        """Whether the suite is defined for that version (TLS 1.3 suites are separate)."""
        if protocol is Protocol.TLSv1_3:
            return self.min_protocol is Protocol.TLSv1_3
        if self.min_protocol is Protocol.TLSv1_3:
            return False
        if self.tls12_only:
            return protocol is Protocol.TLSv1_2
        return protocol.wire >= self.min_protocol.wire

    @property
    def kx(self) -> str:
        """The key exchange as `openssl ciphers -v` prints it (Kx=): RSA, DH, ECDH, PSK,
        RSAPSK, DHEPSK, ECDHEPSK, SRP, any."""
        return _kx_au(self.openssl_name)[0]

    @property
    def au(self) -> str:
        """The authentication as `openssl ciphers -v` prints it (Au=): RSA, ECDSA, DSS,
        None (anonymous), PSK, SRP, any."""
        return _kx_au(self.openssl_name)[1]

    @property
    def needs_certificate(self) -> bool:
        """The server must send a Certificate (RFC 5246 §7.4.2)."""
        return self.au in ("RSA", "ECDSA", "DSS")

    @property
    def needs_server_key_exchange(self) -> bool:
        """The server must send a ServerKeyExchange (ephemeral or SRP key exchange)."""
        return self.kx in ("DH", "ECDH", "DHEPSK", "ECDHEPSK", "SRP")

    @property
    def forbids_server_key_exchange(self) -> bool:
        """A ServerKeyExchange is a protocol violation (plain RSA key transport)."""
        return self.kx == "RSA"

    @property
    def key_exchange(self) -> str:
        """ECDHE-ECDSA, ECDHE-RSA, DHE, RSA, TLS1.3, or for anonymous and PSK/SRP suites
        AECDH, ADH or OpenSSL's Kx."""
        kx, au = _kx_au(self.openssl_name)
        if kx == "ECDH":
            return {"ECDSA": "ECDHE-ECDSA", "RSA": "ECDHE-RSA"}.get(au, "AECDH")
        if kx == "DH":
            return "ADH" if au == "None" else "DHE"
        return "TLS1.3" if kx == "any" else kx


#: Name prefixes -> (Kx, Au) as OpenSSL prints them; the first match wins.
_KX_AU: tuple[tuple[str, str, str], ...] = (
    ("TLS_", "any", "any"), ("ECDHE-ECDSA-", "ECDH", "ECDSA"), ("ECDHE-RSA-", "ECDH", "RSA"),
    ("ECDHE-PSK-", "ECDHEPSK", "PSK"), ("ECDHE-ARIA", "ECDH", "RSA"),
    ("AECDH-", "ECDH", "None"), ("ADH-", "DH", "None"),
    ("DHE-RSA-", "DH", "RSA"), ("EDH-RSA-", "DH", "RSA"), ("DHE-DSS-", "DH", "DSS"),
    ("EDH-DSS-", "DH", "DSS"), ("DHE-PSK-", "DHEPSK", "PSK"), ("RSA-PSK-", "RSAPSK", "RSA"),
    ("PSK-", "PSK", "PSK"), ("SRP-RSA-", "SRP", "RSA"), ("SRP-DSS-", "SRP", "DSS"),
    ("SRP-", "SRP", "SRP"),
)


@functools.cache
def _kx_au(name: str) -> tuple[str, str]:
    return next(((kx, au) for prefix, kx, au in _KX_AU if name.startswith(prefix)),
                ("RSA", "RSA"))


def _suite(code: int, name: str, iana: str, since: Protocol = Protocol.SSLv3,
           tls12: bool = False) -> CipherSuite:
    return CipherSuite(code, name, iana, since, tls12)


_T10, _T12, _T13 = Protocol.TLSv1, Protocol.TLSv1_2, Protocol.TLSv1_3
_SINCE = {"SSLv3": Protocol.SSLv3, "TLSv1": _T10, "TLSv1.2": _T12}

#: CloudFront's 16 origin cipher suites, in the order AWS lists them.
CLOUDFRONT_SUITES: tuple[CipherSuite, ...] = (
    _suite(0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
           _T12, True),
    _suite(0xC024, "ECDHE-ECDSA-AES256-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
           _T12, True),
    _suite(0xC00A, "ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", _T10),
    _suite(0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
           _T12, True),
    _suite(0xC023, "ECDHE-ECDSA-AES128-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
           _T12, True),
    _suite(0xC009, "ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", _T10),
    _suite(0xC030, "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
           _T12, True),
    _suite(0xC028, "ECDHE-RSA-AES256-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
           _T12, True),
    _suite(0xC014, "ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", _T10),
    _suite(0xC02F, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
           _T12, True),
    _suite(0xC027, "ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
           _T12, True),
    _suite(0xC013, "ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", _T10),
    _suite(0x0035, "AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"),
    _suite(0x002F, "AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
    _suite(0x000A, "DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
    _suite(0x0004, "RC4-MD5", "TLS_RSA_WITH_RC4_128_MD5"),
)

#: Suites CloudFront does not offer; a broad hello adds them to learn whether an
#: origin speaks a version at all and which suite it would pick.
OTHER_SUITES: tuple[CipherSuite, ...] = (
    _suite(0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305",
           "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", _T12, True),
    _suite(0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305",
           "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", _T12, True),
    _suite(0xCCAA, "DHE-RSA-CHACHA20-POLY1305", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
           _T12, True),
    _suite(0xC0AD, "ECDHE-ECDSA-AES256-CCM", "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", _T12, True),
    _suite(0xC0AC, "ECDHE-ECDSA-AES128-CCM", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", _T12, True),
    _suite(0x009F, "DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", _T12, True),
    _suite(0x009E, "DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", _T12, True),
    _suite(0x006B, "DHE-RSA-AES256-SHA256", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", _T12, True),
    _suite(0x0067, "DHE-RSA-AES128-SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", _T12, True),
    _suite(0x009D, "AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384", _T12, True),
    _suite(0x009C, "AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256", _T12, True),
    _suite(0x003D, "AES256-SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256", _T12, True),
    _suite(0x003C, "AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", _T12, True),
    _suite(0x0039, "DHE-RSA-AES256-SHA", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    _suite(0x0033, "DHE-RSA-AES128-SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    _suite(0x0038, "DHE-DSS-AES256-SHA", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"),
    _suite(0x0032, "DHE-DSS-AES128-SHA", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"),
    _suite(0xC012, "ECDHE-RSA-DES-CBC3-SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", _T10),
    _suite(0xC008, "ECDHE-ECDSA-DES-CBC3-SHA", "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", _T10),
    _suite(0x0016, "EDH-RSA-DES-CBC3-SHA", "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    _suite(0xC011, "ECDHE-RSA-RC4-SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", _T10),
    _suite(0xC007, "ECDHE-ECDSA-RC4-SHA", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", _T10),
    _suite(0x0005, "RC4-SHA", "TLS_RSA_WITH_RC4_128_SHA"),
    _suite(0x0084, "CAMELLIA256-SHA", "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    _suite(0x0041, "CAMELLIA128-SHA", "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    _suite(0x0088, "DHE-RSA-CAMELLIA256-SHA", "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    _suite(0x0045, "DHE-RSA-CAMELLIA128-SHA", "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    _suite(0x0096, "SEED-SHA", "TLS_RSA_WITH_SEED_CBC_SHA"),
    _suite(0x0007, "IDEA-CBC-SHA", "TLS_RSA_WITH_IDEA_CBC_SHA"),
    _suite(0x0009, "DES-CBC-SHA", "TLS_RSA_WITH_DES_CBC_SHA"),
    _suite(0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", _T13),
    _suite(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", _T13),
    _suite(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", _T13),
    # NULL, anonymous, PSK, SRP, ARIA…: an origin speaking only these is a suite mismatch
    *(_suite(code, name, iana, _SINCE[since], since == "TLSv1.2")
      for code, name, iana, since in SUITE_ROWS),
)

_BY_CODE = {suite.code: suite for suite in CLOUDFRONT_SUITES + OTHER_SUITES}
_BY_NAME = {suite.openssl_name: suite for suite in CLOUDFRONT_SUITES + OTHER_SUITES}
CLOUDFRONT_SUITE_CODES = frozenset(suite.code for suite in CLOUDFRONT_SUITES)


def suite_by_code(code: int) -> CipherSuite | None:
    return _BY_CODE.get(code)


def suite_by_name(name: str) -> CipherSuite | None:
    return _BY_NAME.get(name)


def suite_name(code: int) -> str:
    """The OpenSSL name of a suite, or its code point in hex when unknown."""
    suite = _BY_CODE.get(code)
    return suite.openssl_name if suite else f"0x{code:04X}"


@functools.cache
def cloudfront_suites_for(protocol: Protocol) -> tuple[CipherSuite, ...]:
    """CloudFront's suites that exist at this version, in CloudFront's order."""
    return tuple(s for s in CLOUDFRONT_SUITES if s.usable_with(protocol))


@functools.cache
def broad_suites_for(protocol: Protocol) -> tuple[CipherSuite, ...]:
    """Every suite cftui knows at this version: CloudFront's first, then the rest."""
    return tuple(s for s in CLOUDFRONT_SUITES + OTHER_SUITES if s.usable_with(protocol))


#: The key-exchange curves CloudFront offers (AWS: prime256v1, secp384r1, X25519).
CLOUDFRONT_GROUPS: tuple[NamedGroup, ...] = (
    NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.SECP384R1)
BROAD_GROUPS: tuple[NamedGroup, ...] = (
    NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.SECP384R1, NamedGroup.SECP521R1,
    NamedGroup.X448, NamedGroup.FFDHE2048, NamedGroup.FFDHE3072, NamedGroup.SECP256K1)
#: OpenSSL -groups / -curves spelling of CloudFront's groups.
CLOUDFRONT_GROUPS_OPENSSL = ":".join(g.openssl for g in CLOUDFRONT_GROUPS)

_S = SignatureScheme
#: CloudFront's signature schemes, in AWS's order: no RSA-PSS, no EdDSA.
CLOUDFRONT_SIGNATURE_SCHEMES: tuple[SignatureScheme, ...] = (
    _S.RSA_PKCS1_SHA256, _S.RSA_PKCS1_SHA384, _S.RSA_PKCS1_SHA512, _S.RSA_PKCS1_SHA224,
    _S.ECDSA_SECP256R1_SHA256, _S.ECDSA_SECP384R1_SHA384, _S.ECDSA_SECP521R1_SHA512,
    _S.ECDSA_SHA224, _S.RSA_PKCS1_SHA1, _S.ECDSA_SHA1,
)
#: Every scheme cftui knows, for the broad hello.
BROAD_SIGNATURE_SCHEMES: tuple[SignatureScheme, ...] = (
    _S.ECDSA_SECP256R1_SHA256, _S.ECDSA_SECP384R1_SHA384, _S.ECDSA_SECP521R1_SHA512,
    _S.ED25519, _S.ED448, _S.RSA_PSS_RSAE_SHA256, _S.RSA_PSS_RSAE_SHA384,
    _S.RSA_PSS_RSAE_SHA512, _S.RSA_PSS_PSS_SHA256, _S.RSA_PSS_PSS_SHA384,
    _S.RSA_PSS_PSS_SHA512, _S.RSA_PKCS1_SHA256, _S.RSA_PKCS1_SHA384, _S.RSA_PKCS1_SHA512,
    _S.RSA_PKCS1_SHA224, _S.ECDSA_SHA224, _S.DSA_SHA256, _S.RSA_PKCS1_SHA1, _S.ECDSA_SHA1,
    _S.DSA_SHA1,
)


def cloudfront_sigalgs_openssl() -> str:
    return ":".join(s.openssl for s in CLOUDFRONT_SIGNATURE_SCHEMES)


def cloudfront_cipher_string(protocol: Protocol | None = None,
                             suites: Sequence[CipherSuite] | None = None) -> str:
    """CloudFront's suites (or `suites`) as an OpenSSL cipher string, as s_client takes it."""
    if suites is None:
        suites = CLOUDFRONT_SUITES if protocol is None else cloudfront_suites_for(protocol)
    return ":".join(s.openssl_name for s in suites) + ":@SECLEVEL=0"


def sni_name(domain: str, host_header: str | None, protocol: Protocol) -> str | None:
    """The SNI CloudFront sends: the forwarded Host, else the origin domain; none in SSLv3.

    SSLv3 ClientHellos carry no extensions, so an SSLv3 handshake has no SNI.
    """
    if protocol is Protocol.SSLv3:
        return None
    return host_header or domain


def expected_name(domain: str, host_header: str | None) -> str:
    """The name the origin certificate must cover (RFC 6125 rules, CN accepted)."""
    return host_header or domain


@dataclass(frozen=True)
class TimeoutRange:
    default: float
    low: float
    high: float

    def validate(self, value: float, what: str) -> float:
        if not (self.low <= value <= self.high):
            raise ValueError(f"{what} must be between {self.low:g} and {self.high:g} s, "
                             f"not {value:g}")
        return value


#: CloudFront's ConnectionTimeout (1–10 s, default 10).
CONNECTION_TIMEOUT = TimeoutRange(10, 1, 10)
#: CustomOriginConfig.OriginReadTimeout, the "response timeout" (1–120 s without a
#: quota increase, up to 180 with one; default 30).
ORIGIN_READ_TIMEOUT = TimeoutRange(30, 1, 180)
#: CustomOriginConfig.OriginKeepaliveTimeout (1–120 s, default 5).
ORIGIN_KEEPALIVE_TIMEOUT = TimeoutRange(5, 1, 120)
#: ConnectionAttempts (1–3, default 3).
CONNECTION_ATTEMPTS = TimeoutRange(3, 1, 3)

#: Largest origin response header block (status line + headers) CloudFront takes.
MAX_RESPONSE_HEADER_BYTES = 20_480

#: Certificate key limits: RSA up to 4096 bits, ECDSA on P-256 or P-384.
RSA_MIN_BITS = 1024
RSA_MAX_BITS = 4096
ECDSA_CURVES: frozenset[str] = frozenset({"secp256r1", "secp384r1"})
#: Days before notAfter at which an expiring certificate earns a warning.
EXPIRY_WARNING_DAYS = 30

#: Cipher suites cftui offers that OpenSSL 3's default provider (the local one, used for
#: the real handshake and by `openssl s_client`) cannot use.
OPENSSL3_LACKS = frozenset({
    "RC4-MD5", "RC4-SHA", "ECDHE-RSA-RC4-SHA", "ECDHE-ECDSA-RC4-SHA", "DES-CBC3-SHA",
    "ECDHE-RSA-DES-CBC3-SHA", "ECDHE-ECDSA-DES-CBC3-SHA", "EDH-RSA-DES-CBC3-SHA",
    "SEED-SHA", "IDEA-CBC-SHA", "DES-CBC-SHA",
})
#: OriginSslProtocols the local OpenSSL can speak in a real handshake (not SSLv3).
LOCAL_PROTOCOLS = frozenset({Protocol.TLSv1, Protocol.TLSv1_1, Protocol.TLSv1_2})
#: CloudFront's suites the local OpenSSL can still offer in a real handshake.
LOCAL_SUITES: tuple[CipherSuite, ...] = tuple(
    s for s in CLOUDFRONT_SUITES if s.openssl_name not in OPENSSL3_LACKS)


def real_handshake_possible(protocols: Iterable[Protocol]) -> bool:
    """Whether the local OpenSSL can offer any of `protocols` (else the real handshake
    has nothing to send, and makes no connection)."""
    return not LOCAL_PROTOCOLS.isdisjoint(protocols)


#: CustomOriginConfig.IpAddressType: the address family CloudFront connects over.
#: Absent means `ipv4` (how CloudFront behaved before the field existed).
IP_ADDRESS_TYPES = ("ipv4", "ipv6", "dualstack")
DEFAULT_IP_ADDRESS_TYPE = "ipv4"
#: CustomOriginConfig.OriginHttpVersion, each with the ALPN names CloudFront's
#: ClientHellos then carry, in its order (`http2` needs TLS 1.2).
CLOUDFRONT_ALPN: dict[str, tuple[bytes, ...]] = {"http1.1": (), "http2": (b"h2", b"http/1.1")}
HTTP_VERSIONS = tuple(CLOUDFRONT_ALPN)
DEFAULT_HTTP_VERSION = "http1.1"
#: Origin.ResponseCompletionTimeout: no documented upper bound; it must be at least
#: the OriginReadTimeout. cftui reads at most this much of a body to time it.
COMPLETION_BODY_LIMIT = 1 << 20
