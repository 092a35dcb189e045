"""What to check: one origin, with the settings CloudFront would use for it.

Apart from the engine's model (engine/model.py) so that the command line can build its
targets, and open their first connections (engine/net/early.py), before the rest of the
engine loads."""

from __future__ import annotations

from dataclasses import dataclass

from cftui.engine import profile
from cftui.engine.net.budget import DEFAULT_PER_ORIGIN
from cftui.engine.profile import Protocol


@dataclass(frozen=True)
class Target:
    """One origin to check, with the settings CloudFront would use for it."""

    domain: str
    port: int = 443
    protocols: tuple[Protocol, ...] = profile.DEFAULT_PROTOCOLS
    host_header: str | None = None
    connect_to: tuple[str, ...] = ()  # addresses to use instead of resolving domain
    ca_file: str | None = None
    connect_timeout: float = profile.CONNECTION_TIMEOUT.default
    read_timeout: float = profile.ORIGIN_READ_TIMEOUT.default
    connection_attempts: int = int(profile.CONNECTION_ATTEMPTS.default)
    http: bool = True
    path: str = "/"
    label: str | None = None  # a name for display: "distribution / origin id"
    max_connections: int = DEFAULT_PER_ORIGIN  # connections to the origin in flight at once
    ip_address_type: str = profile.DEFAULT_IP_ADDRESS_TYPE  # ipv4 | ipv6 | dualstack
    mtls: bool = False  # origin mTLS configured (OriginMtlsConfig, or a client cert given)
    client_cert: str | None = None  # PEM chain CloudFront would present (origin mTLS)
    client_key: str | None = None
    http_version: str = profile.DEFAULT_HTTP_VERSION  # http1.1 | http2 (OriginHttpVersion)
    response_completion_timeout: float | None = None  # ResponseCompletionTimeout; None: no cap
    host_header_source: str | None = None  # how the Host decision was made (policy, option…)
    notes: tuple[str, ...] = ()  # the source's assumptions and odd settings, for the reports
    edge_functions: tuple[str, ...] = ()  # viewer-/origin-request functions on its behaviours

    @property
    def sni(self) -> str:
        return self.host_header or self.domain

    @property
    def expected_name(self) -> str:
        return profile.expected_name(self.domain, self.host_header)
