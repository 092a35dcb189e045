"""Multi-tenant distributions: each distribution tenant becomes a distribution of its own.

A multi-tenant distribution (ConnectionMode tenant-only) has no viewer domain of its
own (its DomainName is "-"); viewers use each tenant's Domains, which are then the
Host names, and a tenant's Parameters fill `{{name}}` placeholders in origin domains.
Shapes: `get-distribution-tenant` ({DistributionTenant, ETag}), `list-distribution-tenants`
({DistributionTenantList: [summary]}; summaries carry no Parameters) and
`get-connection-group` ({ConnectionGroup, ETag}).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import cftui.sources.aws_shapes as aws_shapes
from cftui.engine import validate
from cftui.sources.host_forwarding import viewer_hosts
from cftui.sources.model import Distribution, Origin
from cftui.sources.reader import Node


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    distribution_id: str
    domains: tuple[str, ...]
    parameters: tuple[tuple[str, str], ...] | None  # None: a summary, Parameters not carried
    connection_group_id: str | None = None
    enabled: bool = True


def tenant(node: Node) -> Tenant:
    """A DistributionTenant or a DistributionTenantSummary."""
    domains = tuple(d["Domain"].checked(validate.alias, "Domain")
                    for d in (node["Domains"].items() if node["Domains"].present else ()))
    params = node["Parameters"]
    return Tenant(
        id=node["Id"].string(empty=False),
        name=node["Name"].string(default=""),
        distribution_id=node["DistributionId"].string(empty=False),
        domains=domains,
        parameters=(tuple((p["Name"].string(empty=False), p["Value"].string())
                          for p in params.items()) if params.present else None),
        connection_group_id=node["ConnectionGroupId"].optional_string(),
        enabled=node["Enabled"].boolean(default=True),
    )


def merge(found: Sequence[Tenant]) -> list[Tenant]:
    """One per id; a full tenant (with Parameters) wins over a summary."""
    by_id: dict[str, Tenant] = {}
    for t in found:
        if t.id not in by_id or by_id[t.id].parameters is None:
            by_id[t.id] = t
    return list(by_id.values())


def expand(dists: Sequence[Distribution], tenants: Sequence[Tenant],
           endpoints: dict[str, str]) -> list[Distribution]:
    """Each distribution followed by its tenants (endpoints: connection group id ->
    RoutingEndpoint, the tenant's *.cloudfront.net-like name)."""
    out: list[Distribution] = []
    for dist in dists:
        out.append(dist)
        out += [_tenant_distribution(dist, t, endpoints) for t in tenants
                if t.distribution_id == dist.id]
    return out


def _tenant_distribution(dist: Distribution, t: Tenant,
                         endpoints: dict[str, str]) -> Distribution:
    values = dict(dist.parameter_defaults)
    values.update(dict(t.parameters or ()))
    endpoint = endpoints.get(t.connection_group_id or "")
    origins = tuple(_origin(o, t, values, endpoint) for o in dist.origins)
    return replace(dist, id=t.id, name=t.name, aliases=t.domains, domain_name=endpoint,
                   origins=origins, tenant_of=dist.id, tenant_only=False,
                   enabled=dist.enabled and t.enabled)


def _origin(origin: Origin, t: Tenant, values: dict[str, str], endpoint: str | None) -> Origin:
    label = t.id
    changed = replace(origin, distribution=label)
    if origin.unresolved:
        names = aws_shapes.placeholders(origin.domain)
        missing = [n for n in names if n not in values]
        if missing:
            why = ("list-distribution-tenants does not carry Parameters: import "
                   "get-distribution-tenant output" if t.parameters is None
                   else "the tenant sets no value and the distribution has no default")
            return replace(changed, unresolved=(
                f"origin domain {origin.domain}: no value for {', '.join(missing)} ({why})"))
        filled = aws_shapes.fill(origin.domain, values)
        try:
            domain = validate.domain(filled, "origin domain")
        except ValueError as exc:
            return replace(changed, unresolved=f"origin domain {origin.domain} filled with "
                           f"the tenant's parameters is not a host name: {exc}")
        changed = replace(changed, domain=domain, unresolved=None, notes=(
            *origin.notes, f"origin domain {origin.domain} filled with tenant {t.id}'s "
            f"parameters: {domain}"))
    if origin.forwards_host:
        hosts, why = viewer_hosts(t.domains, endpoint)
        reason = origin.host_forwarding_reason.split("; expected name", 1)[0]
        changed = replace(changed, viewer_hosts=hosts, host_header=hosts[0] if hosts else None,
                          host_forwarding_reason=f"{reason}; tenant {t.id}: {why}")
    return changed
