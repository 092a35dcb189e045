"""CloudFront's managed cache and origin request policies: which of them forward Host.

CloudFront sends the origin its own DomainName as Host unless a behaviour
forwards the viewer's Host; then the Host, the SNI name and the name the
certificate must carry all become the viewer's. Sources: AWS "Use managed origin
request policies" and "Use managed cache policies" (CloudFront Developer Guide).
Every header a cache policy puts in the cache key is also sent to the origin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cftui.sources.reader import Node

PolicyKind = Literal["origin-request", "cache"]
#: Fetches a custom policy's config: the mapping, or a short reason it is unavailable.
PolicyLookup = Callable[[PolicyKind, str], "Mapping[str, Any] | str"]


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    forwards_host: bool
    headers: str  # what it sends, for the reason text


MANAGED_ORIGIN_REQUEST_POLICIES: dict[str, ManagedPolicy] = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": ManagedPolicy(
        "AllViewer", True, "all viewer headers"),
    "33f36d7e-f396-46d9-90e0-52428a34d9dc": ManagedPolicy(
        "AllViewerAndCloudFrontHeaders-2022-06", True,
        "all viewer headers and CloudFront headers"),
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": ManagedPolicy(
        "AllViewerExceptHostHeader", False, "all viewer headers except Host"),
    "bf0718e1-ba1e-49d1-88b1-f726733018ae": ManagedPolicy(
        "HostHeaderOnly", True, "only Host"),
    "59781a5b-3903-41f3-afcb-af62929ccde1": ManagedPolicy(
        "CORS-CustomOrigin", False, "Origin"),
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": ManagedPolicy(
        "CORS-S3Origin", False,
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"),
    "acba4595-bd28-49b8-b9fe-13317c0390fa": ManagedPolicy(
        "UserAgentRefererHeaders", False, "User-Agent, Referer"),
    "775133bc-15f2-49f9-abea-afb2e0bf67d2": ManagedPolicy(
        "Elemental-MediaTailor-PersonalizedManifests", False,
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Method, User-Agent, "
        "X-Forwarded-For"),
}

MANAGED_CACHE_POLICIES: dict[str, ManagedPolicy] = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": ManagedPolicy("CachingOptimized", False, "no headers"),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": ManagedPolicy(
        "CachingOptimizedForUncompressedObjects", False, "no headers"),
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": ManagedPolicy("CachingDisabled", False, "no headers"),
    "08627262-05a9-4f76-9ded-b50ca2e3a84f": ManagedPolicy(
        "Elemental-MediaPackage", False, "Origin"),
    "2e54312d-136d-493c-8eb9-b001f22f67d2": ManagedPolicy(
        "Amplify", True, "Authorization, CloudFront-Viewer-Country, Host"),
    "83da9c7e-98b4-4e11-a168-04f0df8e2c65": ManagedPolicy(
        "UseOriginCacheControlHeaders", True,
        "Host, Origin, X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override"),
    "4cc15a8a-d715-48a4-82b8-cc0b614638fe": ManagedPolicy(
        "UseOriginCacheControlHeaders-QueryStrings", True,
        "Host, Origin, X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override"),
}


@dataclass(frozen=True)
class PolicyVerdict:
    """What one policy (or legacy ForwardedValues) says about Host."""

    forwards: bool
    subject: str  # "origin request policy AllViewer (all viewer headers)"
    certain: bool = True
    detail: str = ""  # replaces the plain sentence when there is more to say

    @property
    def reason(self) -> str:
        if self.detail:
            return self.detail
        return f"{self.subject} {'forwards' if self.forwards else 'does not forward'} Host"


def _header_names(headers: Any) -> list[str]:
    """Header names from a `{Quantity, Items}` wrapper; tolerant of absent Items."""
    if not isinstance(headers, Mapping):
        return []
    items = headers.get("Items") or []
    return [h for h in items if isinstance(h, str)] if isinstance(items, list) else []


def _has_host(names: list[str]) -> bool:
    return any(name.strip().lower() == "host" for name in names)


def _unknown(kind: str, policy_id: str, why: str, assumption: str) -> PolicyVerdict:
    subject = f"custom {kind} {policy_id}"
    return PolicyVerdict(False, subject, certain=False,
                         detail=f"unknown: {subject} {why}; assuming {assumption}")


def origin_request_policy(policy_id: str, lookup: PolicyLookup | None) -> PolicyVerdict:
    managed = MANAGED_ORIGIN_REQUEST_POLICIES.get(policy_id)
    if managed is not None:
        return PolicyVerdict(managed.forwards_host,
                             f"origin request policy {managed.name} ({managed.headers})")
    doc = _fetch(lookup, "origin-request", policy_id)
    if isinstance(doc, str):
        return _unknown("origin request policy", policy_id, doc, "Host is not forwarded")
    config = doc.get("OriginRequestPolicyConfig", doc)
    headers = config.get("HeadersConfig") or {}
    behavior = headers.get("HeaderBehavior")
    has_host = _has_host(_header_names(headers.get("Headers")))
    subject = f"origin request policy {config.get('Name') or policy_id}"
    if behavior in ("allViewer", "allViewerAndWhitelistCloudFront"):
        return PolicyVerdict(True, f"{subject} (HeaderBehavior {behavior})")
    if behavior == "whitelist":
        listed = "Host listed" if has_host else "Host not listed"
        return PolicyVerdict(has_host, f"{subject} (whitelist, {listed})")
    if behavior == "allExcept":
        excluded = "Host excluded" if has_host else "Host not excluded"
        return PolicyVerdict(not has_host, f"{subject} (allExcept, {excluded})")
    if behavior == "none":
        return PolicyVerdict(False, f"{subject} (HeaderBehavior none)")
    return PolicyVerdict(False, subject, certain=False,
                         detail=f"{subject} has HeaderBehavior {behavior!r}, which cftui does "
                         "not know; assuming Host is not forwarded")


def cache_policy(policy_id: str, lookup: PolicyLookup | None) -> PolicyVerdict:
    managed = MANAGED_CACHE_POLICIES.get(policy_id)
    if managed is not None:
        return PolicyVerdict(managed.forwards_host,
                             f"cache policy {managed.name} (cache key: {managed.headers})")
    doc = _fetch(lookup, "cache", policy_id)
    if isinstance(doc, str):
        return _unknown("cache policy", policy_id, doc, "Host is not in its cache key")
    config = doc.get("CachePolicyConfig", doc)
    params = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    headers = params.get("HeadersConfig") or {}
    forwards = headers.get("HeaderBehavior") == "whitelist" and _has_host(
        _header_names(headers.get("Headers")))
    key = "Host in its cache key" if forwards else "no Host in its cache key"
    return PolicyVerdict(forwards, f"cache policy {config.get('Name') or policy_id} ({key})")


def forwarded_values(forwarded: Node) -> PolicyVerdict:
    """Legacy cache settings: ForwardedValues.Headers lists Host or `*`."""
    names = [h.string() for h in forwarded["Headers"].aws_list()]
    if "*" in (n.strip() for n in names):
        return PolicyVerdict(True, "legacy ForwardedValues (all headers, *)")
    if _has_host(names):
        return PolicyVerdict(True, "legacy ForwardedValues (Headers include Host)")
    listed = ", ".join(names) if names else "no headers"
    return PolicyVerdict(False, f"legacy ForwardedValues ({listed})")


def _fetch(lookup: PolicyLookup | None, kind: PolicyKind,
           policy_id: str) -> Mapping[str, Any] | str:
    if lookup is None:
        return "not in the export"
    doc = lookup(kind, policy_id)
    return doc if isinstance(doc, (Mapping, str)) else "could not be read"
