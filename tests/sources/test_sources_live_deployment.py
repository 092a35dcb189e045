"""`load_account` links staging distributions to their primaries (a recorded-answer client:
the same documents as tests/sources/data, in the shapes boto3 returns)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cftui.sources import SourceError
from cftui.sources.aws_live import READ_ONLY_OPERATIONS, load_account

POLICY = "cd1a2b3c-0000-4000-8000-000000000001"


class RecordedClient:
    """list-distributions items (which lack ContinuousDeploymentPolicyId, as in AWS), the
    configs behind them, and the continuous deployment policy."""

    def __init__(self, data_dir: Path, *, deny: bool = False, policy: Any = None) -> None:
        def load(name: str) -> Any:
            return json.loads((data_dir / name).read_text())

        self.dists = [load("get-distribution-edge.json")["Distribution"],
                      load("get-distribution-staging.json")["Distribution"]]
        self.policy = policy or load("get-continuous-deployment-policy.json")
        self.deny = deny
        self.calls: list[str] = []
        self.meta = SimpleNamespace(events=SimpleNamespace(register=lambda *a, **k: None))

    def get_paginator(self, name: str) -> Any:
        self.calls.append("ListDistributions")
        items = []
        for dist in self.dists:
            config = {k: v for k, v in dist["DistributionConfig"].items()
                      if k != "ContinuousDeploymentPolicyId"}
            items.append({**config, "Id": dist["Id"], "DomainName": dist["DomainName"]})
        return SimpleNamespace(paginate=lambda: iter([{"DistributionList": {"Items": items}}]))

    def get_distribution_config(self, Id: str) -> Any:
        self.calls.append("GetDistributionConfig")
        dist = next(d for d in self.dists if d["Id"] == Id)
        return {"ETag": "E1", "DistributionConfig": dist["DistributionConfig"]}

    def list_continuous_deployment_policies(self, **kwargs: Any) -> Any:
        self.calls.append("ListContinuousDeploymentPolicies")
        if self.deny:
            error = type("ClientError", (Exception,), {})("denied")
            error.response = {"Error": {"Code": "AccessDenied"}}  # type: ignore[attr-defined]
            raise error
        return {"ContinuousDeploymentPolicyList": {
            "MaxItems": 100, "Quantity": 1,
            "Items": [{"ContinuousDeploymentPolicy": self.policy["ContinuousDeploymentPolicy"]}]}}

    def get_continuous_deployment_policy(self, Id: str) -> Any:
        self.calls.append("GetContinuousDeploymentPolicy")
        assert Id == POLICY
        return self.policy


def test_the_primary_is_found_through_the_listed_policy(data_dir: Path) -> None:
    client = RecordedClient(data_dir)
    primary, staging = load_account(client=client).distributions
    assert staging.staging_of == "E5EDGEEXAMPLE" and staging.staging_traffic.weight == 0.05
    assert primary.staging_distribution == "E7STAGINGEXAMPLE"
    assert primary.continuous_deployment_policy_id == POLICY
    assert client.calls == ["ListDistributions", "ListContinuousDeploymentPolicies",
                            "GetDistributionConfig"]
    assert set(client.calls) <= READ_ONLY_OPERATIONS


def test_a_policy_id_in_the_config_is_fetched_by_id(data_dir: Path) -> None:
    client = RecordedClient(data_dir)
    original = client.get_paginator

    def stripped(name: str) -> Any:
        pages = list(original(name).paginate())
        for item in pages[0]["DistributionList"]["Items"]:
            item.pop("Origins")  # list items without origins: configs are read (like moto)
        return SimpleNamespace(paginate=lambda: iter(pages))

    client.get_paginator = stripped  # type: ignore[method-assign]
    _primary, staging = load_account(client=client).distributions
    assert staging.tags == ("staging of E5EDGEEXAMPLE (5% of traffic)",)
    assert "GetContinuousDeploymentPolicy" in client.calls
    assert "ListContinuousDeploymentPolicies" not in client.calls


def test_a_refused_policy_call_leaves_the_primary_unknown(data_dir: Path) -> None:
    _primary, staging = load_account(client=RecordedClient(data_dir, deny=True)).distributions
    assert staging.staging_of is None
    assert staging.deployment_note == ("primary not known: the continuous deployment policy "
                                       "could not be read (AccessDenied)")


def test_a_malformed_live_policy_is_a_one_line_error(data_dir: Path) -> None:
    policy = json.loads((data_dir / "get-continuous-deployment-policy.json").read_text())
    policy["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"]["TrafficConfig"][
        "SingleWeightConfig"]["Weight"] = "lots"
    with pytest.raises(SourceError) as info:
        load_account(client=RecordedClient(data_dir, policy=policy))
    message = str(info.value)
    assert "Weight: expected a number" in message and "\n" not in message
