"""`cftui --aws [--profile NAME]`: the distributions of a live account, through boto3.

Read-only: ListDistributions, GetDistributionConfig (when a list item lacks its
origins or behaviours, as moto's do), GetOriginRequestPolicy and GetCachePolicy
(custom policies only, once each), the tenant calls, and for continuous deployment
GetContinuousDeploymentPolicy (a primary's policy) or ListContinuousDeploymentPolicies
(a staging distribution whose primary is not known yet). A hook on the client refuses
any other call. boto3 is imported lazily: it comes with the `aws` extra.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import cftui.sources.aws_shapes as aws_shapes
import cftui.sources.deployment as deployment
import cftui.sources.tenants as tenants
from cftui.sources.model import Distribution, Inventory
from cftui.sources.policies import PolicyKind
from cftui.sources.reader import Node, SourceError

READ_ONLY_OPERATIONS = frozenset({
    "ListDistributions", "GetDistributionConfig", "GetOriginRequestPolicy", "GetCachePolicy",
    "ListDistributionTenants", "GetDistributionTenant", "GetConnectionGroup",
    "GetContinuousDeploymentPolicy", "ListContinuousDeploymentPolicies",
})
MAX_POLICY_PAGES = 50  # ListContinuousDeploymentPolicies pages (100 policies each)
_INSTALL_HINT = "the --aws source needs boto3: install the aws extra: pip install 'cftui[aws]'"
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_BAD_CREDENTIALS = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                    "SignatureDoesNotMatch", "UnrecognizedClientException"}


def load_account(profile: str | None = None, *, client: Any = None) -> Inventory:
    """Every distribution of the account (the standard credential chain, or `profile`)."""
    source = f"AWS account (profile {profile})" if profile else "AWS account"
    if client is None:
        client = _client(profile, source)
    client.meta.events.register("before-call.cloudfront", _refuse_writes,
                               unique_id="cftui-read-only")
    lookup = _PolicyCache(client)
    distributions = []
    place = "ListDistributions"
    try:
        for position, summary in enumerate(_summaries(client)):
            place = f"DistributionList.Items[{position}]"
            distributions.append(_distribution(client, Node(summary, source, place), lookup))
    except SourceError:
        raise
    except Exception as exc:  # botocore's errors; mapped to one line
        raise _explain(exc, source, place, profile) from None
    notes: list[str] = []
    distributions = _deployment(client, distributions, source)
    found = _tenants(client, distributions, source, notes)
    return Inventory(distributions=tuple(found), source=source, notes=tuple(notes))


def _tenants(client: Any, distributions: list[Distribution], source: str,
             notes: list[str]) -> list[Distribution]:
    """Each multi-tenant distribution's tenants (ListDistributionTenants, then
    GetDistributionTenant for their Parameters, GetConnectionGroup for the endpoint).
    A refused call becomes a note: the template distribution is still listed."""
    found: list[tenants.Tenant] = []
    endpoints: dict[str, str] = {}
    for dist in distributions:
        if not dist.tenant_only or dist.id is None:
            continue
        try:
            marker: str | None = None
            while True:
                page = client.list_distribution_tenants(
                    AssociationFilter={"DistributionId": dist.id},
                    **({"Marker": marker} if marker else {}))
                for item in page.get("DistributionTenantList") or []:
                    full = client.get_distribution_tenant(Identifier=item["Id"])
                    node = Node(full, source, f"GetDistributionTenant({item['Id']})")
                    found.append(tenants.tenant(node["DistributionTenant"]))
                marker = page.get("NextMarker")
                if not marker:
                    break
            for group_id in {t.connection_group_id for t in found} - {None, *endpoints}:
                group = client.get_connection_group(Identifier=group_id)["ConnectionGroup"]
                if group.get("RoutingEndpoint"):
                    endpoints[str(group_id)] = str(group["RoutingEndpoint"])
        except SourceError:
            raise
        except Exception as exc:
            code = _error_code(exc) or type(exc).__name__
            notes.append(f"the tenants of {dist.id} could not be read ({code}); its origins "
                         "with tenant parameters stay unchecked")
    return tenants.expand(distributions, tenants.merge(found), endpoints)


def _deployment(client: Any, distributions: list[Distribution], source: str,
                ) -> list[Distribution]:
    """Staging distributions linked to their primaries through the continuous deployment
    policies. A primary's policy is fetched by its id; list-distributions items do not
    carry that id, so for a staging distribution still unlinked the policies are listed
    and the other distributions' configs read (each once) until its primary is found.
    A refused call leaves the link unknown, with the reason."""
    known: dict[str, deployment.DeploymentPolicy] = {}
    problem = ""
    try:
        for dist in distributions:
            policy_id = dist.continuous_deployment_policy_id
            if policy_id and policy_id not in known:
                place = f"GetContinuousDeploymentPolicy({policy_id})"
                response = client.get_continuous_deployment_policy(Id=policy_id)
                known[policy_id] = deployment.policy(
                    Node(response, source, place)["ContinuousDeploymentPolicy"])
        staged = {d.domain_name.lower() for d in distributions if d.staging and d.domain_name}
        named = {n.lower() for p in known.values() for n in p.staging_domains}
        if staged - named:
            wanted = [p for p in _list_policies(client, source)
                      if staged & {n.lower() for n in p.staging_domains}]
            known.update((p.id, p) for p in wanted)
            distributions = _with_policy_ids(client, distributions, {p.id for p in wanted},
                                             source)
    except SourceError:
        raise
    except Exception as exc:
        problem = (f"the continuous deployment policy could not be read "
                   f"({_error_code(exc) or type(exc).__name__})")
    return deployment.link(distributions, known.values(),
                           problem or "no continuous deployment policy of the account names it")


def _list_policies(client: Any, source: str) -> Iterator[deployment.DeploymentPolicy]:
    marker: str | None = None
    for page_number in range(MAX_POLICY_PAGES):
        page = client.list_continuous_deployment_policies(
            **({"Marker": marker} if marker else {}))
        root = Node(page, source, f"ListContinuousDeploymentPolicies[{page_number}]")
        yield from deployment.policies(root)
        marker = (page.get("ContinuousDeploymentPolicyList") or {}).get("NextMarker")
        if not marker:
            return


def _with_policy_ids(client: Any, distributions: list[Distribution], wanted: set[str],
                     source: str) -> list[Distribution]:
    """Read the configs of distributions not known to be primaries until every policy in
    `wanted` has its primary (list items lack ContinuousDeploymentPolicyId)."""
    missing = wanted - {d.continuous_deployment_policy_id for d in distributions}
    out = list(distributions)
    for position, dist in enumerate(distributions):
        if not missing:
            break
        if dist.staging or dist.continuous_deployment_policy_id or dist.id is None:
            continue
        response = client.get_distribution_config(Id=dist.id)
        node = Node(response, source, f"GetDistributionConfig({dist.id})")
        policy_id = node["DistributionConfig"]["ContinuousDeploymentPolicyId"].optional_string()
        if policy_id:
            out[position] = replace(dist, continuous_deployment_policy_id=policy_id)
            missing.discard(policy_id)
    return out


def _client(profile: str | None, source: str) -> Any:
    try:
        import boto3
        from botocore.exceptions import BotoCoreError
    except ImportError:
        raise SourceError(_INSTALL_HINT, file=source) from None
    try:
        session = boto3.Session(profile_name=profile)
        # CloudFront is global; its API is signed for us-east-1 whatever the profile says.
        return session.client("cloudfront", region_name="us-east-1")
    except BotoCoreError as exc:
        raise _explain(exc, source, None, profile) from None


def _refuse_writes(model: Any, **_: Any) -> None:
    if model.name not in READ_ONLY_OPERATIONS:
        raise SourceError(f"refusing {model.name}: cftui only reads from AWS")


def _summaries(client: Any) -> Iterator[Mapping[str, Any]]:
    for page in client.get_paginator("list_distributions").paginate():
        yield from (page.get("DistributionList") or {}).get("Items") or []


def _distribution(client: Any, summary: Node, lookup: _PolicyCache) -> Distribution:
    dist_id = summary["Id"].string(empty=False)
    domain_name = aws_shapes.domain_name(summary["DomainName"])
    config = summary
    if not (summary["Origins"].present and summary["DefaultCacheBehavior"].present):
        response = client.get_distribution_config(Id=dist_id)
        config = Node(response, summary.file, f"GetDistributionConfig({dist_id})")[
            "DistributionConfig"]
    return aws_shapes.distribution(config, dist_id=dist_id, domain_name=domain_name,
                                   source=summary.file, lookup=lookup)


class _PolicyCache:
    """Custom policy configs, fetched once each; a failure becomes the reason text."""

    def __init__(self, client: Any):
        self._client = client
        self._seen: dict[tuple[str, str], Mapping[str, Any] | str] = {}

    def __call__(self, kind: PolicyKind, policy_id: str) -> Mapping[str, Any] | str:
        key = (kind, policy_id)
        if key not in self._seen:
            self._seen[key] = self._fetch(kind, policy_id)
        return self._seen[key]

    def _fetch(self, kind: PolicyKind, policy_id: str) -> Mapping[str, Any] | str:
        try:
            if kind == "origin-request":
                found = self._client.get_origin_request_policy(Id=policy_id)
                return found["OriginRequestPolicy"]["OriginRequestPolicyConfig"]
            found = self._client.get_cache_policy(Id=policy_id)
            return found["CachePolicy"]["CachePolicyConfig"]
        except SourceError:
            raise
        except Exception as exc:
            code = _error_code(exc) or type(exc).__name__
            return f"could not be read ({code})"


def _error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return (response.get("Error") or {}).get("Code")
    return None


def _explain(exc: Exception, source: str, place: str | None,
             profile: str | None) -> SourceError:
    name = type(exc).__name__
    code = _error_code(exc)
    login = f"aws sso login --profile {profile}" if profile else "aws sso login"
    if name == "ProfileNotFound":
        problem = f"no AWS profile {profile!r} (see ~/.aws/config, or drop --profile)"
    elif name == "NoCredentialsError":
        problem = ("no AWS credentials found (environment, ~/.aws/credentials, ~/.aws/config, "
                   "SSO, instance role): run 'aws configure' or pass --profile")
    elif name in ("SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError"):
        problem = f"the AWS SSO session is missing or expired: run '{login}'"
    elif code in _DENIED:
        operation = getattr(exc, "operation_name", "the call")
        problem = (f"access denied to cloudfront:{operation}; read-only CloudFront access is "
                   "enough (e.g. the CloudFrontReadOnlyAccess managed policy)")
    elif code in _BAD_CREDENTIALS:
        problem = f"AWS rejected the credentials ({code}): refresh them, or '{login}'"
    elif name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"):
        problem = f"cannot reach the CloudFront API: {exc}"
    elif code:
        problem = f"AWS answered {code}: {exc}"
    elif name.endswith(("Error", "Exception")) and type(exc).__module__.startswith("botocore"):
        problem = str(exc)
    else:
        raise exc
    return SourceError(problem, file=source, place=place)
