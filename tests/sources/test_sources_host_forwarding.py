"""The Host-forwarding decision: managed policies, custom ones, legacy ForwardedValues."""

from __future__ import annotations

from typing import Any

import pytest

from cftui.sources.host_forwarding import decide, viewer_host
from cftui.sources.policies import MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def config(default: dict[str, Any], *behaviours: dict[str, Any],
           groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A DistributionConfig with two origins, app and dr, and the given behaviours."""
    doc: dict[str, Any] = {
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "app", "DomainName": "origin.example.com"},
            {"Id": "dr", "DomainName": "dr.example.com"},
        ]},
        "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
                                 **default},
        "CacheBehaviors": {"Quantity": len(behaviours)},
        "OriginGroups": {"Quantity": 0},
    }
    if behaviours:
        doc["CacheBehaviors"]["Items"] = list(behaviours)
    if groups:
        doc["OriginGroups"] = {"Quantity": len(groups), "Items": groups}
    return doc


# Each managed origin request policy, by id, and whether it sends the viewer's Host.
MANAGED_ORP = [
    ("216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer", True),
    ("33f36d7e-f396-46d9-90e0-52428a34d9dc", "AllViewerAndCloudFrontHeaders-2022-06", True),
    ("b689b0a8-53d0-40ab-baf2-68738e2966ac", "AllViewerExceptHostHeader", False),
    ("bf0718e1-ba1e-49d1-88b1-f726733018ae", "HostHeaderOnly", True),
    ("59781a5b-3903-41f3-afcb-af62929ccde1", "CORS-CustomOrigin", False),
    ("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "CORS-S3Origin", False),
    ("acba4595-bd28-49b8-b9fe-13317c0390fa", "UserAgentRefererHeaders", False),
    ("775133bc-15f2-49f9-abea-afb2e0bf67d2", "Elemental-MediaTailor-PersonalizedManifests", False),
]


@pytest.mark.parametrize(("policy_id", "name", "forwards"), MANAGED_ORP)
def test_managed_origin_request_policies(policy_id: str, name: str, forwards: bool) -> None:
    result = decide("app", config({"CachePolicyId": CACHING_DISABLED,
                                   "OriginRequestPolicyId": policy_id}))
    assert result.forwards is forwards
    assert name in result.reason
    assert all(b.certain for b in result.behaviours)


def test_every_managed_origin_request_policy_is_covered() -> None:
    assert {p for p, _, _ in MANAGED_ORP} == set(MANAGED_ORIGIN_REQUEST_POLICIES)


@pytest.mark.parametrize(("policy_id", "forwards"), [
    (CACHING_OPTIMIZED, False),
    (CACHING_DISABLED, False),
    ("b2884449-e4de-46a7-ac36-70bc7f1ddd6d", False),  # CachingOptimizedForUncompressedObjects
    ("08627262-05a9-4f76-9ded-b50ca2e3a84f", False),  # Elemental-MediaPackage
    ("2e54312d-136d-493c-8eb9-b001f22f67d2", True),  # Amplify
    ("83da9c7e-98b4-4e11-a168-04f0df8e2c65", True),  # UseOriginCacheControlHeaders
    ("4cc15a8a-d715-48a4-82b8-cc0b614638fe", True),  # ...-QueryStrings
])
def test_managed_cache_policies(policy_id: str, forwards: bool) -> None:
    result = decide("app", config({"CachePolicyId": policy_id}))
    assert result.forwards is forwards
    assert MANAGED_CACHE_POLICIES[policy_id].name in result.reason


@pytest.mark.parametrize(("headers", "forwards", "text"), [
    ({"Quantity": 1, "Items": ["Host"]}, True, "Headers include Host"),
    ({"Quantity": 2, "Items": ["Authorization", "host"]}, True, "Headers include Host"),
    ({"Quantity": 1, "Items": ["*"]}, True, "all headers, *"),
    ({"Quantity": 1, "Items": ["CloudFront-Viewer-Country"]}, False, "CloudFront-Viewer-Country"),
    ({"Quantity": 0}, False, "no headers"),
    (None, False, "no headers"),
])
def test_legacy_forwarded_values(headers: dict | None, forwards: bool, text: str) -> None:
    forwarded: dict[str, Any] = {"QueryString": False, "Cookies": {"Forward": "none"}}
    if headers is not None:
        forwarded["Headers"] = headers
    result = decide("app", config({"ForwardedValues": forwarded, "MinTTL": 0}))
    assert result.forwards is forwards
    assert "legacy ForwardedValues" in result.reason and text in result.reason


def test_cache_policy_replaces_forwarded_values() -> None:
    # moto (and old exports) print an empty ForwardedValues next to a cache policy.
    behaviour = {"CachePolicyId": CACHING_OPTIMIZED, "OriginRequestPolicyId": "",
                 "ForwardedValues": {"Headers": {"Quantity": 1, "Items": ["Host"]}}}
    assert not decide("app", config(behaviour)).forwards


def test_no_policy_and_no_forwarded_values() -> None:
    result = decide("app", config({}))
    assert not result.forwards and "no cache policy" in result.reason


CUSTOM_ORP = "a1b2c3d4-1111-2222-3333-444455556666"
CUSTOM_CACHE = "c0ffee00-1111-2222-3333-444455556666"


def test_custom_policy_not_in_the_export() -> None:
    result = decide("app", config({"CachePolicyId": CUSTOM_CACHE,
                                   "OriginRequestPolicyId": CUSTOM_ORP}))
    assert not result.forwards
    assert f"unknown: custom origin request policy {CUSTOM_ORP} not in the export" in (
        result.reason)
    assert f"unknown: custom cache policy {CUSTOM_CACHE} not in the export" in result.reason
    assert not result.behaviours[0].certain


def _headers(behavior: str, *names: str) -> dict[str, Any]:
    headers: dict[str, Any] = {"HeaderBehavior": behavior, "Headers": {"Quantity": len(names)}}
    if names:
        headers["Headers"]["Items"] = list(names)
    return headers


@pytest.mark.parametrize(("headers", "forwards"), [
    (_headers("allViewer"), True),
    (_headers("allViewerAndWhitelistCloudFront", "CloudFront-Viewer-Country"), True),
    (_headers("whitelist", "Host", "Origin"), True),
    (_headers("whitelist", "Origin"), False),
    (_headers("allExcept", "Authorization"), True),
    (_headers("allExcept", "Host"), False),
    (_headers("none"), False),
])
def test_custom_origin_request_policy_documents(headers: dict, forwards: bool) -> None:
    document = {"OriginRequestPolicyConfig": {"Name": "app-headers", "HeadersConfig": headers}}
    asked: list[tuple[str, str]] = []

    def lookup(kind: str, policy_id: str) -> dict[str, Any]:
        asked.append((kind, policy_id))
        return document

    result = decide("app", config({"CachePolicyId": CACHING_DISABLED,
                                   "OriginRequestPolicyId": CUSTOM_ORP}), lookup)
    assert result.forwards is forwards
    assert "app-headers" in result.reason
    assert asked == [("origin-request", CUSTOM_ORP)]  # managed ids are never looked up


@pytest.mark.parametrize(("headers", "forwards"), [
    (_headers("whitelist", "Host"), True),
    (_headers("whitelist", "Accept-Language"), False),
    (_headers("none"), False),
])
def test_custom_cache_policy_whitelist(headers: dict, forwards: bool) -> None:
    parameters = {"EnableAcceptEncodingGzip": True, "HeadersConfig": headers}
    document = {"CachePolicyConfig": {
        "Name": "by-host", "ParametersInCacheKeyAndForwardedToOrigin": parameters}}
    result = decide("app", config({"CachePolicyId": CUSTOM_CACHE}), lambda kind, pid: document)
    assert result.forwards is forwards and "by-host" in result.reason


def test_lookup_failure_is_reported() -> None:
    result = decide("app", config({"OriginRequestPolicyId": CUSTOM_ORP}),
                    lambda kind, pid: "could not be read (AccessDenied)")
    assert not result.forwards and "could not be read (AccessDenied)" in result.reason


def test_behaviours_disagree() -> None:
    doc = config(
        {"CachePolicyId": CACHING_DISABLED},
        {"PathPattern": "/api/*", "TargetOriginId": "app", "CachePolicyId": CACHING_DISABLED,
         "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
        {"PathPattern": "/dr/*", "TargetOriginId": "dr", "CachePolicyId": CACHING_DISABLED},
    )
    result = decide("app", doc)
    assert result.forwards and result.mixed
    assert [b.path for b in result.behaviours] == ["*", "/api/*"]
    assert "behaviours disagree" in result.reason
    assert "/api/*" in result.reason and "default behaviour (*)" in result.reason
    assert not decide("dr", doc).forwards


def test_behaviour_targeting_an_origin_group() -> None:
    group = {"Id": "failover", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [502]}},
             "Members": {"Quantity": 2, "Items": [{"OriginId": "app"}, {"OriginId": "dr"}]}}
    doc = config({"TargetOriginId": "failover",
                  "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
                 groups=[group])
    assert decide("app", doc).forwards and decide("dr", doc).forwards


def test_origin_without_behaviour() -> None:
    result = decide("dr", config({"OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"}))
    assert not result.forwards and "no cache behaviour targets this origin" in result.reason


@pytest.mark.parametrize(("aliases", "domain", "expected", "text"), [
    (("www.example.com", "example.com"), "d1.cloudfront.net", "www.example.com", "each alias"),
    (("*.example.com", "shop.example.com"), None, "shop.example.com", "cftui-sample.example"),
    (("*.example.com",), None, "cftui-sample.example.com", "wildcard alias *.example.com"),
    ((), "d1.cloudfront.net", "d1.cloudfront.net", "no aliases"),
    ((), None, None, "--host-header"),
])
def test_viewer_host(aliases: tuple[str, ...], domain: str | None, expected: str | None,
                     text: str) -> None:
    host, reason = viewer_host(aliases, domain)
    assert host == expected and text in reason
