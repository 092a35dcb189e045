"""Continuous deployment: policies read from AWS CLI output, staging linked to its primary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.errors import source_error

from cftui.sources import load_export
from cftui.sources.model import Inventory
from cftui.ui.entries import PickerEntries

POLICY = "cd1a2b3c-0000-4000-8000-000000000001"


def _export(tmp_path: Path, data_dir: Path, *names: str) -> Path:
    """Several AWS CLI outputs appended to one file (`aws … >> export.json`)."""
    path = tmp_path / "export.json"
    path.write_text("\n".join((data_dir / n).read_text() for n in names))
    return path


def _by_id(inventory: Inventory) -> dict[str, Any]:
    return {d.id: d for d in inventory.distributions}


def test_a_weighted_policy_links_staging_and_primary(tmp_path: Path, data_dir: Path) -> None:
    path = _export(tmp_path, data_dir, "get-distribution-edge.json",
                   "get-distribution-staging.json", "get-continuous-deployment-policy.json")
    dists = _by_id(load_export(path))
    primary, staging = dists["E5EDGEEXAMPLE"], dists["E7STAGINGEXAMPLE"]
    assert staging.staging and staging.staging_of == "E5EDGEEXAMPLE"
    assert primary.staging_distribution == "E7STAGINGEXAMPLE"
    assert primary.staging_traffic == staging.staging_traffic
    assert staging.staging_traffic.weight == 0.05
    assert staging.tags == ("staging of E5EDGEEXAMPLE (5% of traffic)",)
    assert primary.tags == ("has staging distribution E7STAGINGEXAMPLE (5% of traffic)",)


def test_a_header_policy_from_the_list_output(tmp_path: Path, data_dir: Path) -> None:
    path = _export(tmp_path, data_dir, "list-continuous-deployment-policies.json",
                   "get-distribution-staging.json", "get-distribution-edge.json")
    staging = _by_id(load_export(path))["E7STAGINGEXAMPLE"]
    assert staging.tags == ("staging of E5EDGEEXAMPLE (requests with header "
                            "aws-cf-cd-staging: canary)",)


def test_without_the_policy_the_export_says_the_primary_is_not_known(
        tmp_path: Path, data_dir: Path) -> None:
    path = _export(tmp_path, data_dir, "get-distribution-edge.json",
                   "get-distribution-staging.json")
    dists = _by_id(load_export(path))
    staging = dists["E7STAGINGEXAMPLE"]
    assert staging.staging_of is None
    assert staging.tags == ("staging distribution (continuous deployment)",
                            "primary not known: the export has no continuous deployment policy")
    assert dists["E5EDGEEXAMPLE"].staging_distribution is None


def test_a_policy_whose_primary_is_not_in_the_export(tmp_path: Path, data_dir: Path) -> None:
    path = _export(tmp_path, data_dir, "get-distribution-staging.json",
                   "get-continuous-deployment-policy.json")
    (staging,) = load_export(path).distributions
    assert staging.deployment_note == ("primary not known: no distribution here uses "
                                       f"continuous deployment policy {POLICY} "
                                       "(5% of traffic)")


def test_a_staging_distribution_not_in_the_export_is_named_by_domain(
        tmp_path: Path, data_dir: Path) -> None:
    path = _export(tmp_path, data_dir, "get-distribution-edge.json",
                   "get-continuous-deployment-policy.json")
    (primary,) = load_export(path).distributions
    assert primary.staging_distribution == "d444444abcdef8.cloudfront.net"


def test_the_picker_shows_staging_with_its_primary(tmp_path: Path, data_dir: Path) -> None:
    path = _export(tmp_path, data_dir, "get-distribution-edge.json",
                   "get-distribution-staging.json", "get-continuous-deployment-policy.json")
    groups = {g.title: g for g in PickerEntries.from_inventory(load_export(path)).groups}
    assert "staging of E5EDGEEXAMPLE (5% of traffic)" in groups["E7STAGINGEXAMPLE"].subtitle
    assert ("has staging distribution E7STAGINGEXAMPLE (5% of traffic)"
            in groups["E5EDGEEXAMPLE"].subtitle)


def _policy_doc(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / "get-continuous-deployment-policy.json").read_text())


def _config(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["ContinuousDeploymentPolicy"].pop("ContinuousDeploymentPolicyConfig"),
     "ContinuousDeploymentPolicy.ContinuousDeploymentPolicyConfig: missing"),
    (lambda d: d.update(ContinuousDeploymentPolicy="cd1"),
     "ContinuousDeploymentPolicy: expected an object"),
    (lambda d: _config(d)["StagingDistributionDnsNames"].update(Items=["https://x/"]),
     "StagingDistributionDnsNames.Items[0]"),
    (lambda d: _config(d)["StagingDistributionDnsNames"].update(Items=[]),
     "names no staging distribution"),
    (lambda d: _config(d)["TrafficConfig"]["SingleWeightConfig"].update(Weight=7),
     "7 is out of range: must be between 0 and 1"),
    (lambda d: _config(d)["TrafficConfig"].update(Type="Everything"),
     "'Everything' is not a traffic type"),
    (lambda d: _config(d)["TrafficConfig"].update(
        Type="SingleHeader", SingleHeaderConfig={"Header": "x-evil\n", "Value": "1"}),
     "not a continuous deployment header"),
    (lambda d: _config(d)["TrafficConfig"].update(
        Type="SingleHeader", SingleHeaderConfig={"Header": "aws-cf-cd-a", "Value": "a b"}),
     "not a header value"),
    (lambda d: _config(d).update(Enabled="yes"), "Enabled: expected true or false"),
    (lambda d: d["ContinuousDeploymentPolicy"].update(Id="../../etc"),
     "not a continuous deployment policy id"),
])
def test_a_malformed_policy_is_a_one_line_error(tmp_path: Path, data_dir: Path, edit: Any,
                                                expected: str) -> None:
    doc = _policy_doc(data_dir)
    edit(doc)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc))
    assert expected in source_error(load_export, path)


def test_a_disabled_policy_sends_no_traffic(tmp_path: Path, data_dir: Path) -> None:
    doc = _policy_doc(data_dir)
    _config(doc)["Enabled"] = False
    path = tmp_path / "export.json"
    path.write_text((data_dir / "get-distribution-staging.json").read_text() + json.dumps(doc)
                    + (data_dir / "get-distribution-edge.json").read_text())
    staging = _by_id(load_export(path))["E7STAGINGEXAMPLE"]
    assert staging.tags == ("staging of E5EDGEEXAMPLE (policy disabled: no traffic)",)


def test_the_primary_names_its_staging_distribution_before_the_aliases(
        tmp_path: Path, data_dir: Path) -> None:
    path = _export(tmp_path, data_dir, "get-distribution-edge.json",
                   "get-distribution-staging.json", "get-continuous-deployment-policy.json")
    (primary, _) = PickerEntries.from_inventory(load_export(path)).groups
    assert primary.subtitle.startswith("has staging distribution E7STAGINGEXAMPLE "
                                       "(5% of traffic), www.example.com")


def test_the_check_reports_say_which_primary_a_staging_distribution_serves(
        tmp_path: Path, data_dir: Path) -> None:
    """Not only the picker: every target planned from the staging distribution (and
    from its primary) carries the link in its notes, which the reports print."""
    from cftui.sources.plan import plan

    path = _export(tmp_path, data_dir, "get-distribution-edge.json",
                   "get-distribution-staging.json", "get-continuous-deployment-policy.json")
    dists = _by_id(load_export(path))
    for dist_id, words in (("E7STAGINGEXAMPLE", "staging of E5EDGEEXAMPLE (5% of traffic)"),
                           ("E5EDGEEXAMPLE",
                            "has staging distribution E7STAGINGEXAMPLE (5% of traffic)")):
        dist = dists[dist_id]
        chosen = plan(dist, [o for o in dist.origins if o.uncheckable_reason is None], {})
        assert chosen.targets
        for target in chosen.targets:
            assert f"{dist.label}: {words}" in target.notes  # report.py prints notes


def test_appended_documents_keep_the_refusals_of_one(tmp_path: Path, data_dir: Path) -> None:
    """Each appended document is read once, with the limits of a single one; a broken
    or refused later document is a one-line error naming it."""
    from cftui.sources import guard
    from cftui.sources.model import SourceError

    first = (data_dir / "get-distribution-edge.json").read_text()
    assert len(guard.load_json_documents(first + "\n" + first + "\n", "f")) == 2
    for tail, problem in (('{"a": ', "not valid JSON"), ("1" * 5000, "digits")):
        with pytest.raises(SourceError, match=problem):
            guard.load_json_documents(first + "\n" + tail, "f")
