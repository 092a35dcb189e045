"""CloudFront API shapes (as the AWS CLI prints them and boto3 returns them) to the model.

Shared by the file import and the live account. Lenient about what it does not
use (newer API versions add fields; lists may lack Items when empty), strict
about the types and values of what it does use.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from cftui.engine import profile, validate
from cftui.engine.profile import Protocol
from cftui.sources.host_forwarding import BehaviourVerdict, decide, edge_functions, viewer_hosts
from cftui.sources.model import (
    CLOUDFRONT_LOW_PORTS,
    PROTOCOL_POLICIES,
    Distribution,
    Origin,
    OriginGroup,
    OriginKind,
)
from cftui.sources.policies import PolicyLookup
from cftui.sources.reader import Node

# bucket.s3.amazonaws.com, bucket.s3.eu-west-1.amazonaws.com, bucket.s3-us-west-2.amazonaws.com;
# S3 *website* endpoints (s3-website…) are custom origins and stay out.
_S3_REST = re.compile(r"\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$", re.IGNORECASE)


def looks_like_s3_rest(domain: str) -> bool:
    return bool(_S3_REST.search(domain)) and "s3-website" not in domain.lower()


def distribution(config: Node, *, dist_id: str | None, domain_name: str | None, source: str,
                 lookup: PolicyLookup | None = None) -> Distribution:
    """One distribution from a DistributionConfig or a list-distributions summary."""
    aliases = tuple(_checked(a, validate.alias, "alias") for a in config["Aliases"].aws_list())
    name = config["Comment"].string(default="")
    label = dist_id or name or None
    origins_node = config["Origins"]
    if not origins_node.present:
        raise origins_node.error("missing: a distribution always has Origins")
    origins = []
    for node in origins_node.aws_list():
        origin = _origin(node, distribution=label)
        origins.append(_with_host(origin, config, aliases, domain_name, lookup))
    return Distribution(
        id=dist_id,
        name=name,
        domain_name=domain_name,
        aliases=aliases,
        origins=tuple(origins),
        origin_groups=tuple(_group(g) for g in config["OriginGroups"].aws_list()),
        source=source,
        enabled=config["Enabled"].boolean(default=True),
        staging=config["Staging"].boolean(default=False),
        tenant_only=config["ConnectionMode"].optional_string() == "tenant-only",
        parameter_defaults=_parameter_defaults(config),
        continuous_deployment_policy_id=(
            config["ContinuousDeploymentPolicyId"].optional_string() or None),
        behaviours=tuple(
            (pattern, target) for b in config["CacheBehaviors"].aws_list()
            if (pattern := b["PathPattern"].optional_string())
            and (target := b["TargetOriginId"].optional_string())),
        default_origin=config["DefaultCacheBehavior"]["TargetOriginId"].optional_string(),
    )


def _with_host(origin: Origin, config: Node, aliases: tuple[str, ...], domain_name: str | None,
               lookup: PolicyLookup | None) -> Origin:
    origin = replace(origin, edge_functions=edge_functions(origin.id, config))
    verdict = decide(origin.id, config, lookup)
    unsure = [b for b in verdict.behaviours if not b.certain]
    if unsure:
        origin = replace(origin, notes=(*origin.notes, (
            "Host forwarding is a guess for " + _where(unsure) + ": a policy there is not "
            "in this input (custom policies are not in CLI exports; use --aws, or "
            "--host-header when you know the Host)")))
    if not verdict.forwards:
        return replace(origin, forwards_host=False, host_forwarding_reason=(
            f"{verdict.reason}; CloudFront sends the origin domain as Host and SNI"))
    hosts, why = viewer_hosts(aliases, domain_name)
    return replace(origin, forwards_host=True, host_header=hosts[0] if hosts else None,
                   viewer_hosts=hosts, host_forwarding_reason=f"{verdict.reason}; {why}")


def _where(behaviours: list[BehaviourVerdict]) -> str:
    return ", ".join("the default behaviour (*)" if b.path == "*" else b.path
                     for b in behaviours)


def _origin(node: Node, *, distribution: str | None) -> Origin:
    origin_id = node["Id"].string(empty=False)
    notes: list[str] = []
    unresolved = None
    if "{{" in (node["DomainName"].string(empty=False)):
        domain = node["DomainName"].checked(tenant_template, "DomainName")
        unresolved = (f"origin domain {domain} has tenant parameters: it is checked for each "
                      "distribution tenant (import get-distribution-tenant output with it)")
    else:
        domain = _checked(node["DomainName"], validate.domain, "DomainName")
    custom, s3, vpc = node["CustomOriginConfig"], node["S3OriginConfig"], node["VpcOriginConfig"]
    fields: dict = {
        "connect_timeout": _timeout(node["ConnectionTimeout"], profile.CONNECTION_TIMEOUT, notes),
        "connection_attempts": node["ConnectionAttempts"].integer(
            default=3, low=int(profile.CONNECTION_ATTEMPTS.low),
            high=int(profile.CONNECTION_ATTEMPTS.high)),
        "origin_path": (node["OriginPath"].checked(validate.origin_path, "OriginPath")
                        if node["OriginPath"].present else ""),
        "custom_header_names": tuple(
            _checked(h["HeaderName"], validate.header_name, "HeaderName")
            for h in node["CustomHeaders"].aws_list()),
    }
    kind: OriginKind
    if custom.present:
        fields.update(_custom(custom, notes))
        kind = "custom"
    elif vpc.present:
        kind = "vpc"
        fields["read_timeout"] = _timeout(vpc["OriginReadTimeout"],
                                          profile.ORIGIN_READ_TIMEOUT, notes)
    elif s3.present:
        kind = "s3"
        fields["read_timeout"] = _timeout(s3["OriginReadTimeout"],
                                          profile.ORIGIN_READ_TIMEOUT, notes)
    elif looks_like_s3_rest(domain):
        kind = "s3"
        notes.append("no S3OriginConfig in the document; treated as an S3 origin from its domain")
    else:
        raise node.error("has none of CustomOriginConfig, S3OriginConfig, VpcOriginConfig")
    completion = node["ResponseCompletionTimeout"]
    if completion.present and completion.value is not None:
        fields["response_completion_timeout"] = _timeout(completion,
                                                         profile.ORIGIN_READ_TIMEOUT)
    legacy_mtls = node["OriginMtlsConfig"]
    if legacy_mtls.present:
        arn = legacy_mtls["ClientCertificateArn"].optional_string() or \
            legacy_mtls["CertificateArn"].optional_string()
        notes.append("OriginMtlsConfig is at the origin level (the developer guide's sample "
                     "shape); the API reads it inside CustomOriginConfig as "
                     "OriginMtlsConfig.ClientCertificateArn: CloudFront may ignore it here")
        if arn and custom.present and not custom["OriginMtlsConfig"].present:
            fields["client_certificate_arn"] = arn
    shield = node["OriginShield"]
    if shield.present and shield["Enabled"].boolean(default=False):
        region = shield["OriginShieldRegion"].optional_string() or "?"
        notes.append(f"Origin Shield in {region}: origin fetches come from that Region")
    return Origin(id=origin_id, domain=domain, kind=kind, distribution=distribution,
                  notes=tuple(notes), unresolved=unresolved, **fields)


def _custom(node: Node, notes: list[str]) -> dict:
    policy_node = node["OriginProtocolPolicy"]
    policy = policy_node.string()
    if policy not in PROTOCOL_POLICIES:
        raise policy_node.error(f"unknown OriginProtocolPolicy {policy!r} "
                                f"(CloudFront knows {', '.join(PROTOCOL_POLICIES)})")
    protocols = []
    for item in node["OriginSslProtocols"].aws_list():
        try:
            protocol = Protocol.parse(item.string())
        except ValueError as exc:
            raise item.error(str(exc)) from None
        if protocol not in protocols:
            protocols.append(protocol)
    if not protocols:
        notes.append("OriginSslProtocols is empty; assuming "
                     + ", ".join(p.value for p in profile.DEFAULT_PROTOCOLS))
    https_port = _port(node["HTTPSPort"], 443, notes)
    mtls = node["OriginMtlsConfig"]
    return {
        "protocol_policy": policy,
        "https_port": https_port,
        "http_port": _port(node["HTTPPort"], 80, notes),
        "ssl_protocols": tuple(protocols) or profile.DEFAULT_PROTOCOLS,
        "read_timeout": _timeout(node["OriginReadTimeout"], profile.ORIGIN_READ_TIMEOUT, notes),
        "keepalive_timeout": _timeout(node["OriginKeepaliveTimeout"],
                                      profile.ORIGIN_KEEPALIVE_TIMEOUT, notes),
        "ip_address_type": _choice(node["IpAddressType"], profile.IP_ADDRESS_TYPES),
        "http_version": _choice(node["OriginHttpVersion"], profile.HTTP_VERSIONS),
        "client_certificate_arn": (mtls["ClientCertificateArn"].optional_string()
                                   if mtls.present else None),
    }


def _choice(node: Node, allowed: tuple[str, ...]) -> str | None:
    value = node.optional_string()
    if value is not None and value not in allowed:
        raise node.error(f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _port(node: Node, default: int, notes: list[str]) -> int:
    port = node.integer(default=default, low=1, high=65535)
    if port not in CLOUDFRONT_LOW_PORTS and port < 1024:
        notes.append(f"{node.path.rsplit('.', 1)[-1]} {port}: CloudFront accepts only 80, 443 "
                     "or 1024-65535")
    return port


def _timeout(node: Node, limits: profile.TimeoutRange, notes: list[str] | None = None) -> float:
    """Finite and positive; AWS may hold more than the documented range after a quota
    increase, so the range is not enforced here, only noted."""
    value = node.number(default=limits.default)
    checked = node.checked(lambda _: validate.timeout(value, limits, "timeout", strict=False))
    if notes is not None and not limits.low <= checked <= limits.high:
        notes.append(f"{node.path.rsplit('.', 1)[-1]} {checked:g} s is outside the documented "
                     f"{limits.low:g}-{limits.high:g} s (possible after a quota increase)")
    return checked


def _checked(node: Node, validator: Any, what: str) -> Any:
    node.string(empty=False)
    return node.checked(validator, what)


def domain_name(node: Node) -> str | None:
    """A distribution's *.cloudfront.net name, when present; a multi-tenant distribution
    has "-" (its viewers use the tenants' domains)."""
    if not node.present or not node.value or node.value == "-":
        return None
    return _checked(node, validate.domain, "DomainName")


_PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_-]{1,128})\}\}")
_TEMPLATE = re.compile(r"^(?:[A-Za-z0-9.-]|\{\{[A-Za-z0-9_-]{1,128}\}\})+$")


def tenant_template(text: str, what: str = "DomainName") -> str:
    """An origin domain with `{{name}}` tenant parameters (multi-tenant distributions)."""
    if not isinstance(text, str) or len(text) > 1000 or not _TEMPLATE.match(text):
        raise ValueError(f"{what} {validate.shown(text)} is neither a host name nor a host "
                         "name with {{parameter}} placeholders")
    return text


def placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def fill(template: str, values: dict[str, str]) -> str:
    """The template with each `{{name}}` replaced; KeyError for a missing value."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _parameter_defaults(config: Node) -> tuple[tuple[str, str], ...]:
    found = []
    tenant_config = config["TenantConfig"]
    if not tenant_config.present:
        return ()
    node = tenant_config["ParameterDefinitions"]
    for item in (node.items() if node.present else ()):
        definition = item["Definition"]
        schema = definition["StringSchema"] if definition.present else definition
        default = schema["DefaultValue"].optional_string() if schema.present else None
        if default is not None:
            found.append((item["Name"].string(empty=False), default))
    return tuple(found)


def _group(node: Node) -> OriginGroup:
    members = [m["OriginId"].string(empty=False) for m in node["Members"].aws_list()]
    if not members:
        raise node["Members"].error("an origin group needs a primary and a secondary origin")
    codes = tuple(c.integer(low=100, high=599)
                  for c in node["FailoverCriteria"]["StatusCodes"].aws_list()
                  ) if node["FailoverCriteria"].present else ()
    return OriginGroup(id=node["Id"].string(empty=False), primary=members[0],
                       secondary=members[1] if len(members) > 1 else None,
                       failover_status_codes=codes)
