"""Parse the origin's first flight (SSLv3 – TLS 1.2 are in the clear) from raw bytes.

The origin is untrusted and often broken: every length is checked against what
is left, sizes are bounded, and anything malformed raises `ParseError`, the one
error this module raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cftui.engine import profile
from cftui.engine.model import (
    Alert,
    CertificateRequest,
    Extension,
    FlightEnd,
    FlightMessage,
    ServerFlight,
    ServerHello,
    ServerKeyExchange,
)
from cftui.engine.profile import Protocol
from cftui.engine.tls.registry import (
    AlertDescription,
    AlertLevel,
    ContentType,
    HandshakeType,
    handshake_name,
)

#: TLSCiphertext may be 2^14 + 2048 bytes; anything longer is not TLS.
MAX_RECORD = 2**14 + 2048
#: How much of a first flight cftui reads before giving up (a chain of several MB
#: is an attack or a mistake, not a certificate chain).
MAX_FLIGHT = 512 * 1024
#: How many empty records in a row are tolerated.
MAX_EMPTY_RECORDS = 32
#: How many messages a first flight may hold (a real one has under ten; a flood of
#: warning alerts or HelloRequests would otherwise keep 100 000 objects per attempt).
MAX_MESSAGES = 64
#: How many entries a Certificate message may hold (real chains have under ten; 120 000
#: one-byte entries are not a chain, and would cost 100 000s of objects per attempt).
MAX_CERTIFICATES = 64
#: How many extensions a ServerHello may carry (fewer than 30 types exist for it).
MAX_EXTENSIONS = 64
#: How many CA names and signature schemes a CertificateRequest may list.
MAX_CA_NAMES = 512
MAX_SCHEMES = 256


#: ECCurveType named_curve, the only kind a ServerKeyExchange may name (RFC 8422).
NAMED_CURVE = 3
_CONTENT_TYPES = frozenset(ContentType)


class ParseError(ValueError):
    """The origin's bytes are not a well-formed TLS first flight."""


class NotTls(ParseError):
    """The origin's first bytes are not a TLS record at all (plain HTTP, garbage)."""


class _Reader:
    """Bounds-checked reads over one message body."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.pos = 0
        self.what = what

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ParseError(f"{self.what}: needs {n} more bytes, has {self.left}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def u24(self) -> int:
        return int.from_bytes(self.take(3), "big")

    def vec8(self) -> bytes:
        return self.take(self.u8())

    def vec16(self) -> bytes:
        return self.take(self.u16())

    def vec24(self) -> bytes:
        return self.take(self.u24())

    @property
    def left(self) -> int:
        return len(self.data) - self.pos

    def done(self) -> None:
        if self.left:
            raise ParseError(f"{self.what}: {self.left} unexpected trailing bytes")


def _u16_list(data: bytes, what: str) -> tuple[int, ...]:
    if len(data) % 2:
        raise ParseError(f"{what}: odd length {len(data)}")
    return tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))


def parse_server_hello(body: bytes) -> ServerHello:
    r = _Reader(body, "ServerHello")
    version = r.u16()
    random = r.take(32)
    session_id = r.vec8()
    if len(session_id) > 32:
        raise ParseError(f"ServerHello: session id of {len(session_id)} bytes")
    suite = r.u16()
    compression = r.u8()
    extensions: list[Extension] = []
    if r.left:
        ext = _Reader(r.vec16(), "ServerHello extensions")
        while ext.left:
            if len(extensions) >= MAX_EXTENSIONS:
                raise ParseError(f"ServerHello: more than {MAX_EXTENSIONS} extensions")
            type_ = ext.u16()
            extensions.append(Extension(type_, ext.vec16()))
        r.done()
    return ServerHello(version, random, session_id, suite, compression, tuple(extensions))


def parse_certificate(body: bytes) -> tuple[bytes, ...]:
    r = _Reader(body, "Certificate")
    chain = _Reader(r.vec24(), "Certificate list")
    r.done()
    certs: list[bytes] = []
    while chain.left:
        if len(certs) >= MAX_CERTIFICATES:
            raise ParseError(f"Certificate: more than {MAX_CERTIFICATES} certificates")
        der = chain.vec24()
        if not der:
            raise ParseError("Certificate: empty certificate entry")
        certs.append(der)
    return tuple(certs)


def parse_server_key_exchange(body: bytes, suite: int, version: int) -> ServerKeyExchange:
    known = profile.suite_by_code(suite)
    kx = known.kx if known else "unknown"
    signed = known is not None and known.au != "None"  # anonymous suites sign nothing
    r = _Reader(body, "ServerKeyExchange")
    scheme = None
    if kx == "ECDH":
        curve_type = r.u8()
        if curve_type != NAMED_CURVE:
            raise ParseError(f"ServerKeyExchange: curve type {curve_type} is not named_curve")
        group = r.u16()
        public = r.vec8()
        if signed:
            if version >= Protocol.TLSv1_2.wire:
                scheme = r.u16()
            r.vec16()  # signature
        r.done()
        return ServerKeyExchange("ECDHE", group, len(public), None, scheme)
    if kx == "DH":
        prime = r.vec16()
        r.vec16()  # generator
        public = r.vec16()
        if signed:
            if version >= Protocol.TLSv1_2.wire:
                scheme = r.u16()
            r.vec16()
        r.done()
        bits = int.from_bytes(prime, "big").bit_length()
        return ServerKeyExchange("DHE", None, len(public), bits, scheme)
    return ServerKeyExchange("unknown", None, len(body), None, None)


def parse_certificate_request(body: bytes, version: int) -> CertificateRequest:
    r = _Reader(body, "CertificateRequest")
    types = tuple(r.vec8())
    schemes: tuple[int, ...] = ()
    if version >= Protocol.TLSv1_2.wire:
        schemes = _u16_list(r.vec16(), "CertificateRequest signature algorithms")
        if len(schemes) > MAX_SCHEMES:
            raise ParseError(f"CertificateRequest: more than {MAX_SCHEMES} signature schemes")
    cas = _Reader(r.vec16(), "CertificateRequest CA names")
    r.done()
    ca_names: list[bytes] = []
    while cas.left:
        if len(ca_names) >= MAX_CA_NAMES:
            raise ParseError(f"CertificateRequest: more than {MAX_CA_NAMES} CA names")
        ca_names.append(cas.vec16())
    return CertificateRequest(types, schemes, tuple(ca_names))


@dataclass
class FlightParser:
    """Feed bytes as they arrive; `done` turns true once the first flight is over.

    The flight is over at ServerHelloDone, at an alert, or right after a TLS 1.3
    ServerHello (the rest is encrypted).
    """

    buffer: bytearray = field(default_factory=bytearray)
    handshake: bytearray = field(default_factory=bytearray)
    messages: list[FlightMessage] = field(default_factory=list)
    bytes_read: int = 0
    server_hello: ServerHello | None = None
    key_exchange: ServerKeyExchange | None = None
    certificate_request: CertificateRequest | None = None
    hello_done: bool = False
    alert: Alert | None = None
    end: FlightEnd | None = None
    first_bytes: bytes = b""
    _empty_records: int = 0
    _record_version: int = 0

    @property
    def done(self) -> bool:
        return self.end is not None

    def feed(self, data: bytes) -> None:
        """Consume bytes; raises ParseError on malformed input."""
        if self.done or not data:
            return
        if len(self.first_bytes) < 64:
            self.first_bytes += data[: 64 - len(self.first_bytes)]
        self.bytes_read += len(data)
        self.buffer += data
        while not self.done and self._record():
            pass
        if not self.done and self.bytes_read > MAX_FLIGHT:
            self.end = FlightEnd.TOO_LARGE

    def _record(self) -> bool:
        """Consume one whole record from the buffer; False when none is complete yet."""
        if len(self.buffer) < 5:
            return False
        content_type = self.buffer[0]
        version = int.from_bytes(self.buffer[1:3], "big")
        length = int.from_bytes(self.buffer[3:5], "big")
        if content_type not in _CONTENT_TYPES or self.buffer[1] != 3:
            if not self.messages and not self.handshake:
                raise NotTls("the answer is not a TLS record")
            raise ParseError(f"bad record header {bytes(self.buffer[:5]).hex()}")
        if length > MAX_RECORD:
            raise ParseError(f"record length {length} is over the TLS limit of {MAX_RECORD}")
        if len(self.buffer) < 5 + length:
            return False
        fragment = bytes(self.buffer[5 : 5 + length])
        del self.buffer[: 5 + length]
        self._record_version = version
        if not fragment:
            self._empty_records += 1
            if self._empty_records > MAX_EMPTY_RECORDS:
                raise ParseError("too many empty records")
            return True
        self._empty_records = 0
        if content_type == ContentType.HANDSHAKE:
            self.handshake += fragment
            while not self.done and len(self.handshake) >= 4:
                size = int.from_bytes(self.handshake[1:4], "big")
                if size > MAX_FLIGHT:
                    raise ParseError(f"handshake message of {size} bytes is too large")
                if len(self.handshake) < 4 + size:
                    break
                raw = bytes(self.handshake[: 4 + size])
                del self.handshake[: 4 + size]
                self._handshake_message(raw)
        elif content_type == ContentType.ALERT:
            if self.handshake:
                raise ParseError("alert in the middle of a handshake message")
            if len(fragment) != 2:
                raise ParseError(f"alert record of {len(fragment)} bytes")
            alert = Alert(fragment[0], fragment[1])
            self._add("Alert", ContentType.ALERT, None, fragment)
            if alert.level == AlertLevel.WARNING and (
                    alert.description != AlertDescription.CLOSE_NOTIFY):
                return True  # a warning (unrecognized_name, say): the handshake goes on
            self.alert = alert
            self.end = FlightEnd.ALERT
        elif content_type == ContentType.CHANGE_CIPHER_SPEC:
            self._add("ChangeCipherSpec", ContentType.CHANGE_CIPHER_SPEC, None, fragment)
        else:
            self._add("ApplicationData", ContentType.APPLICATION_DATA, None, fragment)
            if self.server_hello is None:
                raise ParseError("application data before ServerHello")
        return True

    def _add(self, name: str, content_type: int, hs_type: int | None, raw: bytes) -> None:
        if len(self.messages) >= MAX_MESSAGES:
            raise ParseError(f"more than {MAX_MESSAGES} messages in the first flight")
        self.messages.append(
            FlightMessage(name, content_type, self._record_version, hs_type, raw)
        )

    def _handshake_message(self, raw: bytes) -> None:
        msg_type, body = raw[0], raw[4:]
        name = handshake_name(msg_type)
        if msg_type == HandshakeType.SERVER_HELLO:
            if self.server_hello is not None:
                raise ParseError("second ServerHello")
            hello = parse_server_hello(body)
            self.server_hello = hello
            if hello.is_hello_retry_request:
                name = "HelloRetryRequest"
        elif self.server_hello is None:
            raise ParseError(f"{name} before ServerHello")
        elif msg_type == HandshakeType.CERTIFICATE:
            parse_certificate(body)  # checked now; ServerFlight.certificates reads the raw
        elif msg_type == HandshakeType.SERVER_KEY_EXCHANGE:
            hello = self.server_hello
            self.key_exchange = parse_server_key_exchange(
                body, hello.cipher_suite, hello.selected_version)
        elif msg_type == HandshakeType.CERTIFICATE_REQUEST:
            self.certificate_request = parse_certificate_request(
                body, self.server_hello.selected_version)
        elif msg_type == HandshakeType.SERVER_HELLO_DONE:
            if body:
                raise ParseError("ServerHelloDone with a body")
            self.hello_done = True
        self._add(name, ContentType.HANDSHAKE, msg_type, raw)
        if msg_type == HandshakeType.SERVER_HELLO_DONE:
            self.end = FlightEnd.HELLO_DONE
        elif msg_type == HandshakeType.SERVER_HELLO and (
                self.server_hello.selected_version >= Protocol.TLSv1_3.wire
                                or self.server_hello.is_hello_retry_request):
            self.end = FlightEnd.ENCRYPTED

    def result(self, end: FlightEnd | None = None, error: str | None = None) -> ServerFlight:
        return ServerFlight(
            messages=tuple(self.messages),
            end=self.end or end or FlightEnd.CLOSED,
            bytes_read=self.bytes_read,
            server_hello=self.server_hello,
            key_exchange=self.key_exchange,
            certificate_request=self.certificate_request,
            hello_done=self.hello_done,
            alert=self.alert,
            error=error,
            first_bytes=self.first_bytes,
        )

