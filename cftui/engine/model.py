"""The engine's model: frozen dataclasses shared by the engine, the CLI and the UI."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum

from cftui.engine.profile import Protocol
from cftui.engine.tls import conformance, hello
from cftui.engine.tls.hello import HelloSpec
from cftui.engine.tls.registry import (
    AlertDescription,
    AlertLevel,
    ContentType,
    ExtensionType,
    HandshakeType,
    alert_name,
    extension_name,
)

# --- what the origin sent back -------------------------------------------------


@dataclass(frozen=True)
class Extension:
    type: int
    data: bytes

    @property
    def name(self) -> str:
        return extension_name(self.type)


@dataclass(frozen=True)
class ServerHello:
    version: int  # legacy_version field
    random: bytes
    session_id: bytes
    cipher_suite: int
    compression: int
    extensions: tuple[Extension, ...] = ()

    def extension(self, type_: int) -> Extension | None:
        return next((e for e in self.extensions if e.type == type_), None)

    @property
    def selected_version(self) -> int:
        """The negotiated version: supported_versions (TLS 1.3) or legacy_version."""
        ext = self.extension(ExtensionType.SUPPORTED_VERSIONS)
        if ext is not None and len(ext.data) == 2:
            return int.from_bytes(ext.data, "big")
        return self.version

    @property
    def protocol(self) -> Protocol | None:
        return Protocol.from_wire(self.selected_version)

    @property
    def is_hello_retry_request(self) -> bool:
        return self.random == HELLO_RETRY_RANDOM

    @property
    def secure_renegotiation(self) -> bool:
        return self.extension(ExtensionType.RENEGOTIATION_INFO) is not None

    @property
    def extended_master_secret(self) -> bool:
        return self.extension(ExtensionType.EXTENDED_MASTER_SECRET) is not None

    @property
    def selected_alpn(self) -> bytes | None:
        """The ALPN protocol the origin selected: the one name of a well-formed
        application_layer_protocol_negotiation extension (RFC 7301 §3.1), else None."""
        ext = self.extension(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION)
        data = ext.data if ext is not None else b""
        if len(data) < 4 or int.from_bytes(data[:2], "big") != len(data) - 2:
            return None
        if data[2] == 0 or data[2] != len(data) - 3:
            return None
        return data[3:]

    @property
    def alpn(self) -> str | None:
        """`selected_alpn` as text (untrusted: undecodable bytes are replaced)."""
        name = self.selected_alpn
        return name.decode("ascii", "replace") if name is not None else None


HELLO_RETRY_RANDOM = bytes.fromhex(
    "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C"
)


@dataclass(frozen=True)
class ServerKeyExchange:
    kind: str  # "ECDHE", "DHE", "unknown"
    named_group: int | None = None  # ECDHE curve
    public_key_bytes: int = 0  # length of the server's ephemeral public value
    dh_prime_bits: int | None = None  # DHE group size
    signature_scheme: int | None = None  # TLS 1.2 only; None before


@dataclass(frozen=True)
class CertificateRequest:
    certificate_types: tuple[int, ...]
    signature_schemes: tuple[int, ...]
    ca_names: tuple[bytes, ...]  # DER-encoded distinguished names


@dataclass(frozen=True)
class Alert:
    level: int
    description: int

    @property
    def name(self) -> str:
        return alert_name(self.description)

    @property
    def fatal(self) -> bool:
        return self.level == AlertLevel.FATAL


@dataclass(frozen=True)
class FlightMessage:
    """One message the origin sent: a handshake message, an alert, or another record."""

    name: str  # "ServerHello", "Certificate", "Alert", "ChangeCipherSpec", …
    content_type: int
    record_version: int
    handshake_type: int | None
    raw: bytes  # the message as sent (handshake header included), not the record header

    @property
    def size(self) -> int:
        return len(self.raw)


class FlightEnd(str, Enum):
    """Why reading the origin's first flight stopped."""

    HELLO_DONE = "hello-done"  # ServerHelloDone seen: the whole first flight is in
    ENCRYPTED = "encrypted"  # TLS 1.3: everything after ServerHello is encrypted
    ALERT = "alert"
    CLOSED = "closed"  # orderly EOF
    RESET = "reset"  # ECONNRESET / broken pipe
    TIMEOUT = "timeout"
    NOT_TLS = "not-tls"
    MALFORMED = "malformed"
    TOO_LARGE = "too-large"  # flight bigger than the read budget


@dataclass(frozen=True)
class ServerFlight:
    messages: tuple[FlightMessage, ...]
    end: FlightEnd
    bytes_read: int
    server_hello: ServerHello | None = None
    key_exchange: ServerKeyExchange | None = None
    certificate_request: CertificateRequest | None = None
    hello_done: bool = False
    alert: Alert | None = None
    error: str | None = None  # parse error or I/O error text
    first_bytes: bytes = b""  # the first bytes read, for non-TLS answers

    @property
    def certificate_message(self) -> FlightMessage | None:
        return next((m for m in self.messages if m.content_type == ContentType.HANDSHAKE
                     and m.handshake_type == HandshakeType.CERTIFICATE), None)

    @property
    def certificates(self) -> tuple[bytes, ...]:
        """The DER certificates as sent, leaf first: read from the Certificate message's
        raw bytes on each access, so a flight holds them once (an attempt keeps up to
        512 KB, a check ~17 attempts); () when there is none or it does not parse."""
        message = self.certificate_message
        if message is None:
            return ()
        from cftui.engine.tls.flight import ParseError, parse_certificate

        try:
            return parse_certificate(message.raw[4:])
        except ParseError:
            return ()


# --- one connection, one ClientHello ------------------------------------------


class Purpose(str, Enum):
    CLOUDFRONT = "cloudfront"  # CloudFront's own offer
    ENUMERATE = "enumerate"  # CloudFront's offer minus suites already accepted
    BROAD = "broad"  # every known suite: does the origin speak the version at all?
    INFO = "info"  # TLS 1.3, for information only


class Outcome(str, Enum):
    SERVER_HELLO = "server-hello"  # the origin chose a version and a suite
    ALERT = "alert"
    CLOSED = "closed"
    RESET = "reset"
    TIMEOUT = "timeout"
    NOT_TLS = "not-tls"
    MALFORMED = "malformed"
    CONNECT_FAILED = "connect-failed"  # TCP did not connect


@dataclass(frozen=True)
class ProtocolAttempt:
    protocol: Protocol
    address: str
    port: int
    sni: str | None
    purpose: Purpose
    offered: tuple[int, ...]  # suite code points, in offer order
    client_hello: bytes  # the ClientHello record as written
    outcome: Outcome
    flight: ServerFlight | None = None
    error: str | None = None
    duration_ms: float = 0.0
    started_at: float = 0.0  # UNIX time
    spec: HelloSpec | None = None  # what the ClientHello offered; None: rebuilt from purpose
    retries: tuple[str, ...] = ()  # refused/reset tries before this one (ConnectionAttempts)

    def __post_init__(self) -> None:
        if self.spec is None:
            object.__setattr__(self, "spec", _spec_for(self))

    @property
    def hello_spec(self) -> HelloSpec:
        """What the ClientHello offered (suites, SNI, groups, signature schemes)."""
        assert self.spec is not None  # set by __post_init__
        return self.spec

    @property
    def version_refused(self) -> bool:
        """The origin said plainly that it does not speak this version: a
        protocol_version alert, or a ServerHello for a lower version."""
        flight = self.flight
        if self.outcome is Outcome.ALERT and flight is not None and flight.alert is not None:
            return flight.alert.description == AlertDescription.PROTOCOL_VERSION
        hello = self.server_hello
        return hello is not None and hello.selected_version < self.protocol.wire

    @property
    def server_hello(self) -> ServerHello | None:
        return self.flight.server_hello if self.flight else None

    @property
    def negotiated(self) -> Protocol | None:
        hello = self.server_hello
        return hello.protocol if hello else None

    @property
    def cipher(self) -> int | None:
        hello = self.server_hello
        return hello.cipher_suite if hello else None

    @functools.cached_property
    def judgement(self) -> conformance.Violation | None:
        """What in the answer a real client rejects (see `tls.conformance`), judged once:
        the scan, the verdict and the detail view all ask."""
        return conformance.judge(self)

    @property
    def violation(self) -> str | None:
        """The message of `judgement`: a version, suite, compression or extension that
        was not offered, a missing Certificate or ServerKeyExchange, a curve or signature
        scheme that was not offered."""
        found = self.judgement
        return found.message if found else None

    @property
    def accepted(self) -> bool:
        """The origin answered this version with one of the offered suites."""
        hello = self.server_hello
        return (
            hello is not None
            and not hello.is_hello_retry_request
            and hello.selected_version == self.protocol.wire
            and hello.cipher_suite in self.offered
        )

    @property
    def bytes_written(self) -> int:
        return len(self.client_hello)

    @property
    def bytes_read(self) -> int:
        return self.flight.bytes_read if self.flight else 0


def _spec_for(attempt: ProtocolAttempt) -> HelloSpec:
    """The spec of an attempt made without one: what cftui's prober offers for its purpose."""
    if attempt.purpose is Purpose.BROAD or attempt.protocol is Protocol.TLSv1_3:
        base = (hello.tls13_hello(attempt.sni) if attempt.protocol is Protocol.TLSv1_3
                else hello.broad_hello(attempt.protocol, attempt.sni))
        return HelloSpec(attempt.protocol, attempt.offered, attempt.sni, base.groups,
                         base.signature_schemes)
    return HelloSpec(attempt.protocol, attempt.offered, attempt.sni)


@dataclass(frozen=True)
class ProtocolResult:
    """What one address said about one protocol version (the contract's protocols[])."""

    protocol: Protocol
    enabled: bool
    accepted: bool | None  # speaks this version with any suite; None: not tried
    cipher: str | None  # the suite it picks from CloudFront's offer
    accepted_ciphers: tuple[str, ...] = ()
    error: str | None = None
    broad_cipher: str | None = None  # the suite it picks from a broad offer
    attempts: tuple[ProtocolAttempt, ...] = field(default=(), compare=False)
    address: str = ""

    @property
    def cloudfront_works(self) -> bool:
        return self.accepted is True and bool(self.accepted_ciphers)
