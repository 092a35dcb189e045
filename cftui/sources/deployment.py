"""Continuous deployment: the policy that links a staging distribution to its primary.

The primary's DistributionConfig names the policy (`ContinuousDeploymentPolicyId`); the
policy names the staging distribution by its DomainName (`StagingDistributionDnsNames`)
and says which requests go there (`TrafficConfig`: a weight, or one header). The
staging distribution itself only says `Staging: true`. Read from
`get-continuous-deployment-policy` ({ContinuousDeploymentPolicy, ETag}) and
`list-continuous-deployment-policies` ({ContinuousDeploymentPolicyList: {Items:
[{ContinuousDeploymentPolicy}]}}) output, or the live calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from cftui.engine import validate
from cftui.sources.model import Distribution, StagingTraffic
from cftui.sources.reader import Node

_POLICY_ID = re.compile(r"[A-Za-z0-9-]{1,128}")
# CloudFront requires the header to start with aws-cf-cd-; names and values are short tokens
_HEADER = re.compile(r"aws-cf-cd-[A-Za-z0-9-]{1,100}", re.IGNORECASE)
_VALUE = re.compile(r"[\x21-\x7e]{1,256}")
TRAFFIC_TYPES = ("SingleWeight", "SingleHeader")
NO_POLICY = "the export has no continuous deployment policy"


@dataclass(frozen=True)
class DeploymentPolicy:
    id: str
    staging_domains: tuple[str, ...]  # the staging distribution's DomainName
    traffic: StagingTraffic


def is_policy_document(doc: object) -> bool:
    return isinstance(doc, dict) and ("ContinuousDeploymentPolicy" in doc
                                      or "ContinuousDeploymentPolicyList" in doc)


def policies(root: Node) -> list[DeploymentPolicy]:
    """The policies in one get- or list-continuous-deployment-policies document."""
    if "ContinuousDeploymentPolicy" in root.mapping():
        return [policy(root["ContinuousDeploymentPolicy"])]
    listing = root["ContinuousDeploymentPolicyList"]
    return [policy(item["ContinuousDeploymentPolicy"]) for item in listing.aws_list()]


def policy(node: Node) -> DeploymentPolicy:
    """One ContinuousDeploymentPolicy object: Id and ContinuousDeploymentPolicyConfig."""
    policy_id = node["Id"].string(empty=False)
    if not _POLICY_ID.fullmatch(policy_id):
        raise node["Id"].error("not a continuous deployment policy id")
    config = node["ContinuousDeploymentPolicyConfig"]
    if not config.present:
        raise config.error("missing: a continuous deployment policy has a "
                           "ContinuousDeploymentPolicyConfig")
    names = config["StagingDistributionDnsNames"]
    if not names.present:
        raise names.error("missing: the policy names its staging distribution")
    domains = tuple(n.checked(validate.domain, "StagingDistributionDnsNames")
                    for n in names.aws_list())
    if not domains:
        raise names.error("empty: the policy names no staging distribution")
    return DeploymentPolicy(policy_id, domains,
                            _traffic(config["TrafficConfig"], config["Enabled"].boolean()))


def _traffic(node: Node, enabled: bool) -> StagingTraffic:
    if not node.present:
        return StagingTraffic(enabled=enabled)
    kind = node["Type"].string(empty=False)
    if kind not in TRAFFIC_TYPES:
        raise node["Type"].error(f"{kind[:40]!r} is not a traffic type: expected "
                                 + " or ".join(TRAFFIC_TYPES))
    if kind == "SingleWeight":
        weight = node["SingleWeightConfig"]["Weight"].number(low=0, high=1)
        return StagingTraffic(weight=weight, enabled=enabled)
    single = node["SingleHeaderConfig"]
    header = single["Header"].string(empty=False)
    if not _HEADER.fullmatch(header):
        raise single["Header"].error("not a continuous deployment header "
                                     "(aws-cf-cd- and letters, digits or -)")
    value = single["Value"].string(empty=False)
    if not _VALUE.fullmatch(value):
        raise single["Value"].error("not a header value (1 to 256 visible ASCII characters)")
    return StagingTraffic(header=header, value=value, enabled=enabled)


def link(distributions: Sequence[Distribution], known: Iterable[DeploymentPolicy],
         missing: str = NO_POLICY) -> list[Distribution]:
    """Each primary with its staging distribution and each staging distribution with
    its primary, through the policies; what cannot be linked says why (`missing`: how
    to say that the source holds no policy at all)."""
    by_id: Mapping[str, DeploymentPolicy] = {p.id: p for p in known}
    by_domain = {(d.domain_name or "").lower(): d for d in distributions if d.domain_name}
    primary_of: dict[int, Distribution] = {}  # id(staging) -> primary
    out: list[Distribution] = []
    for dist in distributions:
        policy_id = dist.continuous_deployment_policy_id
        found = by_id.get(policy_id) if policy_id else None
        if policy_id is None:
            out.append(dist)
        elif found is None:
            out.append(replace(dist, deployment_note=f"staging distribution not known: {missing}"))
        else:
            domain = found.staging_domains[0]
            staging = by_domain.get(domain.lower())
            if staging is not None:
                primary_of[id(staging)] = dist
            out.append(replace(dist, staging_distribution=(staging.label if staging else domain),
                               staging_traffic=found.traffic))
    for position, dist in enumerate(out):
        if not dist.staging:
            continue
        primary = primary_of.get(id(distributions[position]))
        if primary is not None:
            out[position] = replace(dist, staging_of=primary.label,
                                    staging_traffic=_policy_of(primary, by_id).traffic)
            continue
        naming = next((p for p in by_id.values() if dist.domain_name and dist.domain_name.lower()
                       in (d.lower() for d in p.staging_domains)), None)
        note = (f"primary not known: no distribution here uses continuous deployment policy "
                f"{naming.id} ({naming.traffic.describe()})" if naming is not None
                else f"primary not known: {missing}")
        out[position] = replace(dist, deployment_note=note,
                                staging_traffic=naming.traffic if naming else None)
    return out


def _policy_of(primary: Distribution, by_id: Mapping[str, DeploymentPolicy]
               ) -> DeploymentPolicy:
    return by_id[primary.continuous_deployment_policy_id or ""]
