"""Every cause code cftui can report, in one table: severity, stage, CloudFront's answer, fix.

A cause code is part of the headless contract (shared CONTRACT.md): codes are only
ever added. The table is the one place that says, per code, how bad it is, which
stage it belongs to by default, what CloudFront answers (502 or 504) and what the
origin's owner must change. Fix texts are `str.format` templates; a code with
several fixes names them (`fix="tls13-only"`) instead of writing a new text inline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from cftui.engine.stage import Stage


class Severity(str, Enum):
    ERROR = "error"  # blocking: CloudFront fails the request
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


class CauseCode(str, Enum):
    DNS_UNRESOLVED = "dns-unresolved"
    TCP_REFUSED = "tcp-refused"
    TCP_TIMEOUT = "tcp-timeout"
    NOT_TLS = "not-tls"
    TLS_PROTOCOL_MISMATCH = "tls-protocol-mismatch"
    TLS_CIPHER_MISMATCH = "tls-cipher-mismatch"
    TLS_CLIENT_CERT_REQUIRED = "tls-client-cert-required"
    TLS_CLIENT_CERT_REJECTED = "tls-client-cert-rejected"
    TLS_HANDSHAKE_FAILED = "tls-handshake-failed"
    CERT_NAME_MISMATCH = "cert-name-mismatch"
    CERT_CHAIN_INCOMPLETE = "cert-chain-incomplete"
    CERT_CHAIN_ORDER = "cert-chain-order"
    CERT_UNTRUSTED = "cert-untrusted"
    CERT_EXPIRED = "cert-expired"
    CERT_NOT_YET_VALID = "cert-not-yet-valid"
    CERT_KEY_UNSUPPORTED = "cert-key-unsupported"
    CERT_SIGNATURE_WEAK = "cert-signature-weak"
    CERT_MALFORMED = "cert-malformed"
    ORIGIN_NOT_PUBLIC = "origin-not-public"
    ORIGIN_READ_TIMEOUT = "origin-read-timeout"
    ORIGIN_BAD_RESPONSE = "origin-bad-response"
    ORIGIN_COMPLETION_TIMEOUT = "origin-completion-timeout"
    # warnings
    CERT_EXPIRING_SOON = "cert-expiring-soon"
    CERT_NAME_CN_ONLY = "cert-name-cn-only"
    CERT_EXTRA_CERTS = "cert-extra-certs"
    LEGACY_PROTOCOL = "legacy-protocol"
    ADDRESS_INCONSISTENT = "address-inconsistent"
    ADDRESS_UNTESTED = "address-untested"
    ORIGIN_ERROR_STATUS = "origin-error-status"
    TLS_OFFER_IGNORED = "tls-offer-ignored"
    CHECK_INCOMPLETE = "check-incomplete"
    MTLS_UNVERIFIED = "mtls-unverified"
    MTLS_CLIENT_CERT_INVALID = "mtls-client-cert-invalid"
    ORIGIN_FLAKY = "origin-flaky"
    EDGE_FUNCTION_PRESENT = "edge-function-present"
    GROUP_PRIMARY_FAILING = "group-primary-failing"
    GROUP_SECONDARY_FAILING = "group-secondary-failing"
    # an origin group as a whole (the `groups` of cftui.reports/1), blocking
    GROUP_FAILING = "group-failing"

    def __str__(self) -> str:
        return self.value

    @property
    def rule(self) -> CauseRule:
        return RULES[self]


@dataclass(frozen=True)
class CauseRule:
    severity: Severity
    stage: Stage
    fixes: Mapping[str, str]  # "default" and any named variants; str.format templates
    http_status: int | None = None  # what CloudFront answers; None for warnings

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


def _error(stage: Stage, fix: str, *, status: int = 502, **variants: str) -> CauseRule:
    return CauseRule(Severity.ERROR, stage, {"default": fix, **variants}, status)


def _warning(stage: Stage, fix: str, **variants: str) -> CauseRule:
    return CauseRule(Severity.WARNING, stage, {"default": fix, **variants})


_S = Stage
_KEY_FIX = "reissue the certificate with an RSA 2048/3072/4096-bit or ECDSA P-256/P-384 key"

RULES: dict[CauseCode, CauseRule] = {
    CauseCode.DNS_UNRESOLVED: _error(
        _S.DNS, "publish A/AAAA records for {domain} in public DNS (check the delegation: NS "
        "and SOA for the zone), or fix the origin domain name"),
    CauseCode.TCP_REFUSED: _error(
        _S.TCP, "start an HTTPS server on port {port}, or set the origin's HTTPSPort to the "
        "port it listens on"),
    CauseCode.TCP_TIMEOUT: _error(
        _S.TCP, "allow CloudFront's origin-facing addresses (managed prefix list "
        "com.amazonaws.global.cloudfront.origin-facing) to reach TCP port {port} in the "
        "firewall or security group, and make sure the origin is reachable from the internet",
        status=504),
    CauseCode.NOT_TLS: _error(
        _S.TLS, "point HTTPSPort at the port where the origin serves HTTPS, or enable TLS on "
        "port {port}; if the origin only speaks HTTP, set the origin protocol policy to "
        "http-only"),
    CauseCode.TLS_PROTOCOL_MISMATCH: _error(
        _S.TLS, "enable TLS 1.2 on the origin with an ECDHE-*-AES-GCM suite",
        setting="set the origin's OriginSslProtocols to {setting}, or enable {enabled} on the "
        "origin",
        tls13_only="enable TLS 1.2 on the origin alongside TLS 1.3, with an ECDHE-*-AES-GCM "
        "suite; CloudFront cannot use TLS 1.3 to reach origins"),
    CauseCode.TLS_CIPHER_MISMATCH: _error(
        _S.TLS, "enable at least one suite CloudFront offers, preferably "
        "ECDHE-RSA-AES128-GCM-SHA256 or ECDHE-ECDSA-AES128-GCM-SHA256 with TLS 1.2"),
    CauseCode.TLS_CLIENT_CERT_REQUIRED: _error(
        _S.TLS, "turn off client-certificate authentication on the origin, or set up origin "
        "mutual TLS (OriginMtlsConfig) on the CloudFront origin"),
    CauseCode.TLS_CLIENT_CERT_REJECTED: _error(
        _S.TLS, "make the origin trust the CA that issued CloudFront's client certificate "
        "(the one OriginMtlsConfig names), or present a certificate the origin accepts: valid "
        "now, with the clientAuth purpose"),
    CauseCode.TLS_HANDSHAKE_FAILED: _error(
        _S.TLS, "check the origin's TLS configuration and its logs for handshake errors around "
        "the time of the check",
        violation="fix the origin's TLS stack: it must pick a version and a suite from those "
        "the client offers",
        extension="fix the origin's TLS stack: its ServerHello may carry only extensions the "
        "client sent, each once (RFC 5246 §7.4.1.4)",
        certificate="install the certificate and its key on the origin for every suite it "
        "enables (a suite with RSA or ECDSA authentication needs one), or fix its TLS stack",
        key_exchange="fix the origin's TLS stack: an ECDHE or DHE suite needs a "
        "ServerKeyExchange with a curve and a signature scheme the client offered; plain RSA "
        "suites have none",
        order="fix the origin's TLS stack: its first flight must be ServerHello, Certificate, "
        "ServerKeyExchange, CertificateRequest, ServerHelloDone, in that order, each once",
        broken_flight="look at the origin's TLS logs: it starts the handshake but does not "
        "finish sending its certificate and key exchange (a crashing worker, a proxy or a load "
        "balancer cutting the connection)",
        profile="allow the curves {groups} and RSA PKCS#1 / ECDSA signatures (CloudFront offers "
        "no RSA-PSS or EdDSA)",
        real_handshake="check which curves, signature schemes and suites the origin allows; "
        "CloudFront offers X25519, P-256, P-384 and RSA PKCS#1 / ECDSA signatures"),
    CauseCode.CERT_NAME_MISMATCH: _error(
        _S.CERTIFICATE, "reissue the certificate with {name} as a subject alternative name, or "
        "set the origin domain (or the forwarded Host) to a name the certificate covers"),
    CauseCode.CERT_CHAIN_INCOMPLETE: _error(
        _S.CERTIFICATE, "append the intermediate '{issuer}' after the leaf in the origin's "
        "certificate file{where}"),
    CauseCode.CERT_CHAIN_ORDER: _error(
        _S.CERTIFICATE, "order the certificate file leaf first, then the certificate that "
        "issued it, and so on up to (not including) the root"),
    CauseCode.CERT_UNTRUSTED: _error(
        _S.CERTIFICATE, "use a certificate from a publicly trusted CA (on Mozilla's list), such "
        "as ACM for load balancers or Let's Encrypt"),
    CauseCode.CERT_EXPIRED: _error(
        _S.CERTIFICATE, "renew the certificate and install it on the origin"),
    CauseCode.CERT_NOT_YET_VALID: _error(
        _S.CERTIFICATE, "install a certificate that is valid now, or fix the issuing system's "
        "clock"),
    CauseCode.CERT_KEY_UNSUPPORTED: _error(_S.CERTIFICATE, _KEY_FIX),
    CauseCode.CERT_SIGNATURE_WEAK: _error(
        _S.CERTIFICATE, "reissue {which} with a SHA-256 (or stronger) signature; CAs stopped "
        "issuing MD5 and SHA-1 signed certificates years ago"),
    CauseCode.CERT_MALFORMED: _error(
        _S.CERTIFICATE, "install a well-formed X.509 certificate (PEM) with its chain on the "
        "origin; CloudFront aborts the handshake on a certificate it cannot read"),
    CauseCode.ORIGIN_NOT_PUBLIC: _error(
        _S.DNS, "publish public addresses for {domain} (an internet-facing load balancer), or "
        "reach the private origin through a CloudFront VPC origin", status=504),
    CauseCode.ORIGIN_COMPLETION_TIMEOUT: _error(
        _S.HTTP, "make the origin send the whole response faster, or raise (or unset) the "
        "origin's ResponseCompletionTimeout", status=504),
    CauseCode.ORIGIN_READ_TIMEOUT: _error(
        _S.HTTP, "find out why the origin is slow (application latency, capacity), then raise "
        "OriginReadTimeout if the work really takes that long", status=504),
    CauseCode.ORIGIN_BAD_RESPONSE: _error(
        _S.HTTP, "make the origin answer GET requests with a valid HTTP/1.1 response (headers "
        "under {limit} bytes)"),
    CauseCode.CERT_EXPIRING_SOON: _warning(
        _S.CERTIFICATE, "renew the certificate before it expires"),
    CauseCode.CERT_NAME_CN_ONLY: _warning(
        _S.CERTIFICATE, "reissue the certificate with {name} as a subject alternative name; "
        "clients are dropping CN matching"),
    CauseCode.CERT_EXTRA_CERTS: _warning(
        _S.CERTIFICATE, "send only the leaf and the intermediates that lead to the root"),
    CauseCode.LEGACY_PROTOCOL: _warning(
        _S.TLS, "enable TLS 1.2 on the origin with an ECDHE-*-AES-GCM suite; older versions are "
        "weak and may be retired"),
    CauseCode.ADDRESS_INCONSISTENT: _warning(
        _S.DNS, "make every backend behind the name serve the same certificate and TLS "
        "settings, or take the odd ones out of DNS"),
    CauseCode.ADDRESS_UNTESTED: _warning(
        _S.TCP, "run cftui from a machine with a route to that address family (often IPv6), or "
        "check that the origin's IpAddressType matches the addresses it publishes"),
    CauseCode.ORIGIN_ERROR_STATUS: _warning(
        _S.HTTP, "look at the origin application's logs: the TLS path works"),
    CauseCode.TLS_OFFER_IGNORED: _warning(
        _S.TLS, "fix the origin's TLS stack: it must pick a suite from those the client offers",
        extension="fix the origin's TLS stack: its ServerHello may carry only extensions the "
        "client sent, each once",
        certificate="make the origin send its certificate with every suite it enables",
        key_exchange="fix the origin's TLS stack: an ECDHE or DHE suite needs a "
        "ServerKeyExchange with an offered curve and signature scheme; plain RSA has none",
        order="fix the origin's TLS stack: its first flight must come in RFC 5246 order"),
    CauseCode.CHECK_INCOMPLETE: _warning(
        _S.DNS, "run the check again; if it happens again, report it as a cftui bug with the "
        "JSON report (cftui check --format json)",
        ca_file="give --ca-file a readable PEM file with at least one certificate"),
    CauseCode.MTLS_UNVERIFIED: _warning(
        _S.TLS, "run the check with --client-cert and --client-key (a certificate from the "
        "same CA as the ACM one OriginMtlsConfig names) to test the origin's acceptance"),
    CauseCode.MTLS_CLIENT_CERT_INVALID: _warning(
        _S.TLS, "issue CloudFront's client certificate valid now, with the clientAuth "
        "extended key usage and digitalSignature key usage"),
    CauseCode.ORIGIN_FLAKY: _warning(
        _S.TCP, "find out why the origin refuses or resets some connections (connection "
        "limits, a backend restarting, a load balancer draining); CloudFront hides it with "
        "retries until they run out"),
    CauseCode.EDGE_FUNCTION_PRESENT: _warning(
        _S.DNS, "check what {functions} do{does} to the request: if it changes Host or the "
        "origin, check the name and origin it produces with --host-header / a DOMAIN"),
    CauseCode.GROUP_PRIMARY_FAILING: _warning(
        _S.DNS, "fix the primary origin {primary} (see its report): until then every GET, HEAD "
        "and OPTIONS pays the failed attempt before the failover, and other methods fail"),
    CauseCode.GROUP_SECONDARY_FAILING: _warning(
        _S.DNS, "fix the secondary origin {secondary} (see its report): failover from "
        "{primary} would not help today"),
    CauseCode.GROUP_FAILING: _error(
        _S.DNS, "fix either origin (see their reports): a working secondary {secondary} "
        "already saves GET, HEAD and OPTIONS requests"),
}
