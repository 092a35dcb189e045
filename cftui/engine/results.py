"""Results of a whole check: stages, certificate, HTTP, verdict, report, and progress events."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from cftui.engine.causes import CauseCode, Severity
from cftui.engine.model import ProtocolAttempt, ProtocolResult
from cftui.engine.stage import Stage as Stage
from cftui.engine.stage import Status as Status
from cftui.engine.target import Target


@dataclass(frozen=True)
class StageResult:
    stage: Stage
    status: Status
    summary: str
    duration_ms: float = 0.0
    details: tuple[str, ...] = ()


class TcpOutcome(str, Enum):
    CONNECTED = "connected"
    REFUSED = "refused"  # RST: CloudFront answers 502
    TIMEOUT = "timeout"  # silently dropped: 504
    UNREACHABLE = "unreachable"
    NO_ROUTE_HERE = "no-route-here"  # this machine cannot reach it; CloudFront may
    ERROR = "error"


@dataclass(frozen=True)
class TcpResult:
    address: str
    port: int
    connected: bool
    outcome: TcpOutcome
    error: str | None = None
    duration_ms: float = 0.0
    retries: tuple[str, ...] = ()  # what each failed try before the last one saw


@dataclass(frozen=True)
class CertInfo:
    """One certificate as the origin sent it."""

    subject: str  # OpenSSL one-line form ("C = US, O = …, CN = …"), untrusted text
    issuer: str
    serial: str
    not_before: str  # ISO 8601 UTC
    not_after: str
    san: tuple[str, ...]
    key_type: str  # "RSA", "EC", "Ed25519", …
    key_bits: int
    signature_algorithm: str
    sha256: str
    common_name: str | None = None
    curve: str | None = None
    is_ca: bool = False
    self_signed: bool = False
    ca_issuers: tuple[str, ...] = ()  # AIA caIssuers URLs
    der: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class CertificateReport:
    chain: tuple[CertInfo, ...]
    expected_name: str
    name_match: bool
    matched_name: str | None
    cn_only: bool  # matched through the CN alone
    trusted: bool
    chain_complete: bool
    missing_issuer: str | None
    missing_issuer_url: str | None
    in_order: bool
    extra_certs: tuple[int, ...]  # indices of certificates off the path (or the root)
    days_left: int
    expired: bool
    not_yet_valid: bool
    key_problem: str | None  # why CloudFront cannot use the leaf key
    trust_error: str | None  # what the verifier said, when untrusted
    self_signed: bool = False
    path: tuple[str, ...] = ()  # subjects from leaf to trusted root, when trusted
    address: str = ""
    # "CN = …: sha1WithRSAEncryption": a certificate below the trust anchor signed with
    # MD5 or SHA-1, which OpenSSL 3 refuses at security level 1 and above
    weak_signature: str | None = None
    leaf_problem: str | None = None  # why the leaf is not a TLS server certificate
    sent_count: int = 0  # certificates the origin sent, duplicates included
    judged_count: int = 0  # distinct certificates that took part in path building
    verify_error: int | None = None  # OpenSSL's X509_V_ERR_* code, when untrusted
    expired_days_ago: int | None = None  # whole days since notAfter, when expired


class HttpOutcome(str, Enum):
    RESPONSE = "response"
    TIMEOUT = "timeout"
    CLOSED = "closed"  # closed before a whole response head
    NOT_HTTP = "not-http"
    TOO_LARGE = "too-large"  # head over CloudFront's limit
    COMPLETION_TIMEOUT = "completion-timeout"  # the whole response took too long
    TLS_FAILED = "tls-failed"  # the real handshake with CloudFront's profile failed
    SKIPPED = "skipped"  # not sent (the local OpenSSL cannot speak what the origin needs)
    ERROR = "error"


@dataclass(frozen=True)
class HttpResult:
    address: str
    outcome: HttpOutcome
    status_code: int | None = None
    status_line: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    protocol: str | None = None  # the TLS version the real handshake used
    cipher: str | None = None
    error: str | None = None
    duration_ms: float = 0.0
    first_byte_ms: float | None = None
    retries: tuple[str, ...] = ()  # what each failed connection before the last one saw
    body_bytes: int | None = None  # body bytes read (only with ResponseCompletionTimeout)
    complete_ms: float | None = None  # request sent to the body's last byte
    body_note: str | None = None  # how the body was read: capped, cut short…
    alpn: str | None = None  # the ALPN protocol the origin picked (None: none offered/picked)
    http_version: str | None = None  # "HTTP/1.1" or "HTTP/2": what the request went over
    # every record of the real handshake's connection, both ways (engine/tls/tap.py)
    wire: tuple[WireRecord, ...] = field(default=(), compare=False)
    wire_dropped: int = field(default=0, compare=False)  # records past the cap, not kept


@dataclass(frozen=True)
class WireRecord:
    """One TLS record as it crossed the wire, decoded as far as it is in the clear
    (`openssl s_client -msg` style); never carries application data."""

    sender: str  # "client" (cftui, as CloudFront) or "origin"
    content_type: int  # 20 ChangeCipherSpec, 21 Alert, 22 Handshake, 23 ApplicationData
    version: int  # the record layer's version field
    length: int  # the fragment's length in bytes
    messages: tuple[str, ...] = ()  # handshake messages in a clear-text record
    note: str = ""  # decoded fields, or "encrypted"
    encrypted: bool = False


@dataclass(frozen=True)
class Cause:
    code: CauseCode
    severity: Severity
    stage: Stage
    message: str
    fix: str
    address: str | None = None  # the address it applies to, when not all

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True)
class Verdict:
    would_fail: bool
    http_status: int | None  # what CloudFront answers: 502, 504, or None (it works)
    causes: tuple[Cause, ...] = ()

    @property
    def first_fix(self) -> Cause | None:
        return next((c for c in self.causes if c.blocking), None) or next(
            iter(self.causes), None)


@dataclass(frozen=True)
class AddressReport:
    address: str
    tcp: TcpResult | None = None
    protocols: tuple[ProtocolResult, ...] = ()
    certificate: CertificateReport | None = None
    http: HttpResult | None = None
    certificate_error: str | None = None  # the chain was sent but does not parse

    @property
    def asks_client_certificate(self) -> bool:
        """An enabled protocol's accepted answer carries a CertificateRequest."""
        return any(a.flight is not None and a.flight.certificate_request is not None
                   for r in self.protocols if r.enabled for a in r.attempts if a.accepted)


@dataclass(frozen=True)
class Report:
    target: Target
    addresses: tuple[str, ...]
    stages: tuple[StageResult, ...]
    per_address: tuple[AddressReport, ...]
    verdict: Verdict
    started_at: float  # UNIX time
    duration_ms: float
    dns_error: str | None = None
    cancelled: bool = False
    connections: int = 0  # TCP connections the check opened to the origin

    @property
    def primary(self) -> AddressReport | None:
        """The address the contract's single protocols/certificate fields describe:
        the first one with a blocking cause, else the first one."""
        failing = {c.address for c in self.verdict.causes if c.blocking and c.address}
        for report in self.per_address:
            if report.address in failing:
                return report
        return self.per_address[0] if self.per_address else None

    def stage(self, stage: Stage) -> StageResult | None:
        return next((s for s in self.stages if s.stage is stage), None)


# --- progress events, posted through on_event while a check runs ---------------


@dataclass(frozen=True)
class StageStarted:
    stage: Stage


@dataclass(frozen=True)
class StageFinished:
    result: StageResult


@dataclass(frozen=True)
class AddressesResolved:
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class AttemptFinished:
    attempt: ProtocolAttempt


@dataclass(frozen=True)
class ProtocolFinished:
    result: ProtocolResult


@dataclass(frozen=True)
class CheckFinished:
    report: Report


Event = (StageStarted | StageFinished | AddressesResolved | AttemptFinished | ProtocolFinished
         | CheckFinished)
