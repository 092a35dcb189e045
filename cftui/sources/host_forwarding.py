"""Does CloudFront forward the viewer's Host to an origin, and so which name must it carry?

A pure decision over a DistributionConfig (or a list-distributions summary, which
has the same behaviour fields): find the cache behaviours whose TargetOriginId is
the origin or an origin group holding it, and ask each one's cache policy, origin
request policy or legacy ForwardedValues (see `policies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cftui.sources.policies as policies
from cftui.sources.policies import PolicyLookup, PolicyVerdict
from cftui.sources.reader import Node


@dataclass(frozen=True)
class BehaviourVerdict:
    path: str  # PathPattern; "*" for the default behaviour
    forwards: bool
    reason: str
    certain: bool = True


@dataclass(frozen=True)
class HostForwarding:
    forwards: bool
    reason: str
    behaviours: tuple[BehaviourVerdict, ...] = ()

    @property
    def mixed(self) -> bool:
        """Some behaviours forward Host and some do not: the expected name differs by path."""
        return len({b.forwards for b in self.behaviours}) > 1


def behaviour_verdict(behaviour: Node, lookup: PolicyLookup | None) -> BehaviourVerdict:
    path = behaviour["PathPattern"].optional_string() or "*"
    cache_id = behaviour["CachePolicyId"].optional_string()
    request_id = behaviour["OriginRequestPolicyId"].optional_string()
    verdicts: list[PolicyVerdict] = []
    if cache_id:
        verdicts.append(policies.cache_policy(cache_id, lookup))
    if request_id:
        verdicts.append(policies.origin_request_policy(request_id, lookup))
    if not verdicts:  # legacy cache settings (a cache policy replaces ForwardedValues)
        forwarded = behaviour["ForwardedValues"]
        if forwarded.present:
            verdicts.append(policies.forwarded_values(forwarded))
        else:
            verdicts.append(PolicyVerdict(False, "no cache policy, origin request policy or "
                                          "ForwardedValues"))
    certain = all(v.certain for v in verdicts)
    forwarding = [v for v in verdicts if v.forwards]
    if forwarding:
        return BehaviourVerdict(path, True, "; ".join(v.reason for v in forwarding), certain)
    plain = [v for v in verdicts if not v.detail]
    reasons = [v.detail for v in verdicts if v.detail]
    if len(plain) == 2:
        reasons.insert(0, f"neither {plain[0].subject} nor {plain[1].subject} forwards Host")
    elif plain:
        reasons.insert(0, plain[0].reason)
    return BehaviourVerdict(path, False, "; ".join(reasons), certain)


def _behaviours(config: Node) -> list[Node]:
    found = []
    default = config["DefaultCacheBehavior"]
    if default.present:
        found.append(default)
    found.extend(config["CacheBehaviors"].aws_list())
    return found


def _targets(origin_id: str, config: Node) -> set[str]:
    """The origin id and every origin group that holds it."""
    targets = {origin_id}
    for group in config["OriginGroups"].aws_list():
        members = {m["OriginId"].string() for m in group["Members"].aws_list()}
        if origin_id in members:
            targets.add(group["Id"].string())
    return targets


def decide(origin_id: str, config: Node | Mapping[str, Any],
           lookup: PolicyLookup | None = None) -> HostForwarding:
    """Whether the behaviours that use origin_id forward the viewer's Host, and why."""
    if not isinstance(config, Node):
        config = Node(config, "<config>")
    targets = _targets(origin_id, config)
    verdicts = tuple(
        behaviour_verdict(b, lookup) for b in _behaviours(config)
        if b["TargetOriginId"].optional_string() in targets
    )
    if not verdicts:
        return HostForwarding(False, "no cache behaviour targets this origin; "
                              "assuming Host is not forwarded")
    forwarding = [v for v in verdicts if v.forwards]
    if not forwarding:
        return HostForwarding(False, _summary(verdicts), verdicts)
    if len(forwarding) == len(verdicts):
        return HostForwarding(True, _summary(verdicts), verdicts)
    others = [v for v in verdicts if not v.forwards]
    reason = (f"behaviours disagree: Host forwarded for {_paths(forwarding)} "
              f"({forwarding[0].reason}), not for {_paths(others)} ({others[0].reason}); "
              "the expected name differs by path, checking with the forwarded Host")
    return HostForwarding(True, reason, verdicts)


#: Events whose function runs before CloudFront connects, and so may change Host or origin.
REQUEST_EVENTS = ("viewer-request", "origin-request")


def edge_functions(origin_id: str, config: Node | Mapping[str, Any]) -> tuple[str, ...]:
    """Lambda@Edge and CloudFront Functions on viewer-request / origin-request of the
    behaviours that use origin_id: `CloudFront Function viewer-request rewrite (/api/*)`."""
    if not isinstance(config, Node):
        config = Node(config, "<config>")
    targets = _targets(origin_id, config)
    found: list[str] = []
    for behaviour in _behaviours(config):
        if behaviour["TargetOriginId"].optional_string() not in targets:
            continue
        where = _paths([BehaviourVerdict(
            behaviour["PathPattern"].optional_string() or "*", False, "")])
        for kind, key, arn_key in (("Lambda@Edge", "LambdaFunctionAssociations",
                                    "LambdaFunctionARN"),
                                   ("CloudFront Function", "FunctionAssociations",
                                    "FunctionARN")):
            for item in behaviour[key].aws_list():
                event = item["EventType"].optional_string() or "?"
                if event in REQUEST_EVENTS:
                    name = _function_name(item[arn_key].optional_string() or "?")
                    found.append(f"{kind} {event} {name} ({where})")
    return tuple(dict.fromkeys(found))


def _function_name(arn: str) -> str:
    """`arn:aws:lambda:us-east-1:1:function:rewrite:3` -> `rewrite:3`; CloudFront
    Functions end in `function/rewrite`."""
    if ":function:" in arn:
        return arn.split(":function:", 1)[1][:200]
    return arn.rsplit("/", 1)[-1][:200]


def _paths(verdicts: Sequence[BehaviourVerdict]) -> str:
    return ", ".join("default behaviour (*)" if v.path == "*" else v.path for v in verdicts)


def _summary(verdicts: Sequence[BehaviourVerdict]) -> str:
    reasons = list(dict.fromkeys(v.reason for v in verdicts))
    if len(reasons) == 1:
        return f"{_paths(verdicts)}: {reasons[0]}"
    return "; ".join(f"{_paths([v])}: {v.reason}" for v in verdicts)


#: The label cftui puts under a wildcard alias: no real certificate lists it as an exact
#: name, so only a certificate that covers every name under the wildcard matches it.
WILDCARD_SAMPLE_LABEL = "cftui-sample"


def wildcard_sample(alias: str) -> str:
    """The name checked for a wildcard alias: `*.example.com` -> `cftui-sample.example.com`."""
    return f"{WILDCARD_SAMPLE_LABEL}.{alias[2:]}"


def viewer_hosts(aliases: Sequence[str],
                 domain_name: str | None) -> tuple[tuple[str, ...], str]:
    """Every Host a viewer may send (each alias, a sample name for a wildcard alias; with no
    aliases the *.cloudfront.net name), and why. Each one is SNI and certificate name."""
    ordered = [a for a in aliases if not a.startswith("*.")] + [
        wildcard_sample(a) for a in aliases if a.startswith("*.")]
    names = tuple(dict.fromkeys(ordered))
    if names:
        wild = [a for a in aliases if a.startswith("*.")]
        why = (f"expected names: each alias ({', '.join(names)})" if len(names) > 1
               else f"expected name: the alias {names[0]}")
        if wild:
            why += ("; for the wildcard alias " + ", ".join(wild) + " cftui checks the sample "
                    "name " + ", ".join(wildcard_sample(a) for a in wild) + ": viewers may "
                    "send any name under it, so only a certificate covering the wildcard "
                    "serves them all (check a name you use with --host-header)")
        return names, why
    if domain_name and domain_name != "-":
        return (domain_name,), f"expected name: {domain_name} (the distribution has no aliases)"
    return (), ("the distribution's aliases and *.cloudfront.net name are unknown: "
                "pass --host-header with the name viewers use")


def viewer_host(aliases: Sequence[str], domain_name: str | None) -> tuple[str | None, str]:
    """The first Host a viewer sends (see `viewer_hosts`) and why."""
    names, why = viewer_hosts(aliases, domain_name)
    return (names[0] if names else None), why
