"""Distributions and origins as every source (TOML, AWS CLI JSON, live account) yields them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from cftui.engine import profile, targets
from cftui.engine.profile import Protocol
from cftui.engine.target import Target
from cftui.sources.reader import SourceError

if TYPE_CHECKING:
    from cftui.engine.verdict.group import GroupSpec

OriginKind = Literal["custom", "s3", "vpc"]
ProtocolPolicy = Literal["https-only", "http-only", "match-viewer"]

ORIGIN_KINDS: tuple[str, ...] = ("custom", "s3", "vpc")
PROTOCOL_POLICIES: tuple[str, ...] = ("https-only", "http-only", "match-viewer")
#: The ports CloudFront accepts for HTTPPort / HTTPSPort besides 1024–65535.
CLOUDFRONT_LOW_PORTS = (80, 443)


@dataclass(frozen=True)
class Origin:
    """One entry of a distribution's Origins, with the settings the check needs."""

    id: str
    domain: str
    kind: OriginKind = "custom"
    https_port: int = 443
    http_port: int = 80
    protocol_policy: ProtocolPolicy = "https-only"
    ssl_protocols: tuple[Protocol, ...] = profile.DEFAULT_PROTOCOLS
    connect_timeout: float = profile.CONNECTION_TIMEOUT.default
    read_timeout: float = profile.ORIGIN_READ_TIMEOUT.default
    connection_attempts: int = int(profile.CONNECTION_ATTEMPTS.default)
    keepalive_timeout: float = profile.ORIGIN_KEEPALIVE_TIMEOUT.default
    host_header: str | None = None  # the Host (and SNI) CloudFront sends, when forwarded
    forwards_host: bool = False
    host_forwarding_reason: str = ""
    viewer_hosts: tuple[str, ...] = ()  # every Host viewers send, when forwarded (aliases)
    edge_functions: tuple[str, ...] = ()  # viewer-/origin-request functions that may rewrite
    origin_path: str = ""
    connect_to: tuple[str, ...] = ()
    ca_file: str | None = None
    ip_address_type: str | None = None  # CustomOriginConfig.IpAddressType
    client_certificate_arn: str | None = None  # origin mTLS (OriginMtlsConfig)
    client_cert: str | None = None  # TOML: the PEM to present for origin mTLS
    client_key: str | None = None
    http_version: str | None = None  # CustomOriginConfig.OriginHttpVersion
    response_completion_timeout: float | None = None  # Origin.ResponseCompletionTimeout
    custom_header_names: tuple[str, ...] = ()  # CustomHeaders names; values are secrets
    distribution: str | None = None  # the owning distribution's id or name, for labels
    notes: tuple[str, ...] = ()  # things worth showing: defaults assumed, odd settings
    unresolved: str | None = None  # why the domain is not a name yet (tenant parameters)

    @property
    def expected_name(self) -> str:
        """The name the origin's certificate must cover."""
        return profile.expected_name(self.domain, self.host_header)

    @property
    def uncheckable_reason(self) -> str | None:
        """Why cftui cannot check this origin the way CloudFront connects; None if it can."""
        if self.unresolved:
            return self.unresolved
        if self.kind == "s3":
            return ("S3 REST origin: CloudFront reaches Amazon S3 with its own settings, "
                    "there is no origin TLS to check")
        if self.kind == "vpc":
            return ("VPC origin: CloudFront reaches it over a private path that cannot be "
                    "probed from here")
        if self.protocol_policy == "http-only":
            return "OriginProtocolPolicy is http-only: CloudFront never uses HTTPS to this origin"
        return None

    @property
    def checkable(self) -> bool:
        return self.uncheckable_reason is None

    @property
    def label(self) -> str:
        return f"{self.distribution} / {self.id}" if self.distribution else self.id

    def to_target(self, **overrides: Any) -> Target:
        """The engine's Target, through `targets.make_target`; overrides (the command
        line, already validated strictly) win when they are not None.

        Keys: port, protocols, host_header, connect_to, ca_file, connect_timeout,
        read_timeout, connection_attempts, http, path, label, ip_address_type, client_cert,
        client_key, http_version, response_completion_timeout. Raises ValueError.
        """
        base: dict[str, Any] = {
            "port": self.https_port,
            "protocols": self.ssl_protocols or profile.DEFAULT_PROTOCOLS,
            "host_header": self.host_header,
            "connect_to": self.connect_to,
            "ca_file": self.ca_file,
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "connection_attempts": self.connection_attempts,
            "path": targets.request_path(self.origin_path),
            "label": self.label,
            "ip_address_type": self.ip_address_type,
            "mtls": bool(self.client_certificate_arn or self.client_cert),
            "client_cert": self.client_cert,
            "client_key": self.client_key,
            "http_version": self.http_version,
            "response_completion_timeout": self.response_completion_timeout,
            "host_header_source": self.host_forwarding_reason or None,
            "notes": self.notes,
            "edge_functions": self.edge_functions,
        }
        if overrides.get("host_header") is not None and "host_header_source" not in overrides:
            overrides = {**overrides, "host_header_source": "the Host given on the command line"}
        # values from AWS may exceed the documented ranges (quota increases)
        return targets.make_target(self.domain, strict=False,
                                   **targets.layer(base, overrides))

    def to_targets(self, **overrides: Any) -> list[Target]:
        """One Target per Host viewers send (each alias, checked on its own handshake: an
        origin may serve a different certificate per name), or the one `to_target`."""
        hosts = self.viewer_hosts
        if not self.forwards_host or len(hosts) < 2 or overrides.get("host_header") is not None:
            return [self.to_target(**overrides)]
        return [self.to_target(**{**overrides, "host_header": host,
                                  "host_header_source": self.host_forwarding_reason or None,
                                  "label": f"{self.label} (Host {host})"})
                for host in hosts]


@dataclass(frozen=True)
class OriginGroup:
    """An origin group: CloudFront fails over from primary to secondary."""

    id: str
    primary: str
    secondary: str | None
    failover_status_codes: tuple[int, ...] = ()

    def spec(self, distribution: str) -> GroupSpec:
        """What the group verdict judges (engine/verdict/group.py), labelled with its
        distribution's label; the verdict loads only when a group is there to judge."""
        from cftui.engine.verdict.group import GroupSpec

        return GroupSpec(self.id, self.primary, self.secondary, self.failover_status_codes,
                         f"{distribution} / {self.id}")


@dataclass(frozen=True)
class StagingTraffic:
    """What a continuous deployment policy sends to the staging distribution."""

    weight: float | None = None  # SingleWeight: the share of viewer requests, 0..1
    header: str | None = None  # SingleHeader: requests carrying header: value
    value: str | None = None
    enabled: bool = True  # the policy's Enabled: false sends no traffic to staging

    def describe(self) -> str:
        """`5% of traffic` or `requests with header aws-cf-cd-x: y`."""
        if not self.enabled:
            return "policy disabled: no traffic"
        if self.header is not None:
            return f"requests with header {self.header}: {self.value}"
        if self.weight is not None:
            return f"{self.weight * 100:g}% of traffic"
        return "traffic not configured"


@dataclass(frozen=True)
class Distribution:
    id: str | None  # None: a get-distribution-config export does not carry it
    name: str = ""  # the TOML name or the distribution's Comment
    domain_name: str | None = None  # dxxxx.cloudfront.net
    aliases: tuple[str, ...] = ()
    origins: tuple[Origin, ...] = ()
    origin_groups: tuple[OriginGroup, ...] = ()
    source: str = ""
    enabled: bool = True
    staging: bool = False  # a continuous-deployment staging distribution
    continuous_deployment_policy_id: str | None = None  # set on the primary
    # continuous deployment linked through the policy (sources/deployment.py): on the
    # staging distribution its primary's id, on the primary its staging distribution's
    # id (or DomainName when the source lacks it); both carry the policy's traffic
    staging_of: str | None = None
    staging_distribution: str | None = None
    staging_traffic: StagingTraffic | None = None
    deployment_note: str = ""  # what the source does not say: "primary not known: …"
    tenant_of: str | None = None  # a distribution tenant: the multi-tenant distribution's id
    tenant_only: bool = False  # ConnectionMode tenant-only: viewers come through tenants
    parameter_defaults: tuple[tuple[str, str], ...] = ()  # TenantConfig default values
    notes: tuple[str, ...] = ()
    # cache behaviours, as AWS exports hold them (TOML has none): (PathPattern,
    # TargetOriginId) in CloudFront's precedence order, and the default behaviour's origin
    behaviours: tuple[tuple[str, str], ...] = ()
    default_origin: str | None = None

    @property
    def tags(self) -> tuple[str, ...]:
        """Short markers for the picker: staging, continuous deployment, tenant."""
        found = list(self.deployment_tags)
        if self.tenant_of:
            found.append(f"tenant of {self.tenant_of}")
        if self.tenant_only:
            found.append("multi-tenant: checked per distribution tenant")
        return tuple(found)

    @property
    def deployment_tags(self) -> tuple[str, ...]:
        """Continuous deployment: staging of which primary, with which traffic (also
        each check's notes, so the reports say it too)."""
        found = []
        traffic = f" ({self.staging_traffic.describe()})" if self.staging_traffic else ""
        if self.staging and self.staging_of:
            found.append(f"staging of {self.staging_of}{traffic}")
        elif self.staging:
            found.append("staging distribution (continuous deployment)")
        if self.staging_distribution:
            found.append(f"has staging distribution {self.staging_distribution}{traffic}")
        elif self.continuous_deployment_policy_id:
            found.append(f"continuous deployment policy {self.continuous_deployment_policy_id}")
        if self.deployment_note:
            found.append(self.deployment_note)
        return tuple(found)

    @property
    def label(self) -> str:
        return self.id or self.name or self.domain_name or "distribution"

    def origin(self, origin_id: str) -> Origin | None:
        for origin in self.origins:
            if origin.id == origin_id:
                return origin
        lowered = origin_id.lower()
        return next((o for o in self.origins
                     if o.id.lower() == lowered or o.domain.lower() == lowered), None)

    def group(self, group_id: str) -> OriginGroup | None:
        return next((g for g in self.origin_groups if g.id == group_id), None)

    def why_unchecked(self, origin_id: str, otherwise: str) -> str:
        """Why a group member is not checked: no such origin, one cftui cannot check,
        else `otherwise` (what left it out)."""
        found = self.origin(origin_id)
        if found is None:
            return "no such origin in the distribution"
        return found.uncheckable_reason or otherwise

    def checkable_origins(self) -> tuple[Origin, ...]:
        return tuple(o for o in self.origins if o.checkable)


@dataclass(frozen=True)
class Inventory:
    """Everything one source holds."""

    distributions: tuple[Distribution, ...]
    source: str
    notes: tuple[str, ...] = field(default=())

    def find(self, distribution_id: str | None, origin_id: str | None, *,
             checkable_only: bool = True) -> tuple[Distribution, list[Origin]]:
        """The distribution and the origins to check (--distribution / --origin).

        Without origin_id: every origin (only the checkable ones when checkable_only).
        An origin group id selects its members. A distribution matches by id, alias
        or name; a file with one distribution and no id (get-distribution-config)
        adopts the id given.
        """
        dist = self._distribution(distribution_id)
        if origin_id is None:
            if not checkable_only:
                return dist, list(dist.origins)
            origins = list(dist.checkable_origins())
            if not origins:
                why = "; ".join(f"{o.id}: {o.uncheckable_reason}" for o in dist.origins)
                raise SourceError(f"distribution {dist.label} has no origin cftui can check"
                                  + (f" ({why})" if why else ""), file=self.source)
            return dist, origins
        origins, group = self._origins(dist, origin_id)
        if checkable_only:
            usable = [o for o in origins if o.checkable]
            if group is None and not usable:
                raise SourceError(f"origin {origins[0].id!r} in distribution {dist.label} "
                                  f"cannot be checked: {origins[0].uncheckable_reason}",
                                  file=self.source)
            if not usable:
                raise SourceError(f"origin group {group!r} in distribution {dist.label} has "
                                  "no member cftui can check", file=self.source)
            origins = usable
        return dist, origins

    def _distribution(self, wanted: str | None) -> Distribution:
        dists = self.distributions
        if not dists:
            raise SourceError("holds no distributions", file=self.source)
        if wanted is None:
            if len(dists) == 1:
                return dists[0]
            names = ", ".join(d.label for d in dists)
            raise SourceError(f"holds {len(dists)} distributions; pass --distribution "
                              f"({names})", file=self.source)
        lowered = wanted.lower()
        for match in (
            lambda d: d.id == wanted,
            lambda d: (d.id or "").lower() == lowered or (d.domain_name or "").lower() == lowered,
            lambda d: lowered in (a.lower() for a in d.aliases) or d.name.lower() == lowered,
        ):
            found = [d for d in dists if match(d)]
            if len(found) == 1:
                return found[0]
            if found:
                ids = ", ".join(d.label for d in found)
                raise SourceError(f"{wanted!r} matches {len(found)} distributions ({ids}); "
                                  "pass its id", file=self.source)
        if len(dists) == 1 and dists[0].id is None:
            return replace(dists[0], id=wanted,
                           origins=tuple(replace(o, distribution=wanted) for o in dists[0].origins))
        names = ", ".join(d.label for d in dists)
        raise SourceError(f"no distribution {wanted!r} (distributions: {names})",
                          file=self.source)

    def _origins(self, dist: Distribution, origin_id: str) -> tuple[list[Origin], str | None]:
        """The origin named origin_id, or the members of that origin group."""
        origin = dist.origin(origin_id)
        if origin is not None:
            return [origin], None
        group = dist.group(origin_id)
        if group is not None:
            members = (group.primary, group.secondary)
            found = [o for m in members if m and (o := dist.origin(m)) is not None]
            if found:
                return found, group.id
        names = ", ".join(o.id for o in dist.origins) or "none"
        raise SourceError(f"no origin {origin_id!r} in distribution {dist.label} "
                          f"(origins: {names})", file=self.source)
