"""Edge functions, custom policies the export lacks, continuous deployment: read and shown."""

from __future__ import annotations

import json
from pathlib import Path

from cftui.sources import load_export


def test_request_functions_on_the_origins_behaviours(data_dir: Path) -> None:
    (dist,) = load_export(data_dir / "get-distribution-edge.json").distributions
    app, api = dist.origins
    # viewer-request and origin-request run before CloudFront connects; responses do not.
    assert app.edge_functions == (
        "Lambda@Edge origin-request pick-origin:7 (default behaviour (*))",
        "CloudFront Function viewer-request rewrite-host (default behaviour (*))")
    assert api.edge_functions == ()
    target = app.to_target()
    assert target.edge_functions == app.edge_functions
    assert target.host_header_source and "CachingOptimized" in target.host_header_source


def test_a_custom_policy_missing_from_the_export_is_a_stated_guess(data_dir: Path) -> None:
    (dist,) = load_export(data_dir / "get-distribution-edge.json").distributions
    api = dist.origin("api")
    assert api is not None and not api.forwards_host
    (note,) = api.notes
    assert "Host forwarding is a guess for /api/*" in note and "--aws" in note
    assert note in api.to_target().notes


def test_continuous_deployment_is_shown(data_dir: Path) -> None:
    (dist,) = load_export(data_dir / "get-distribution-edge.json").distributions
    assert not dist.staging
    assert dist.continuous_deployment_policy_id == "cd1a2b3c-0000-4000-8000-000000000001"
    assert dist.tags == ("continuous deployment policy cd1a2b3c-0000-4000-8000-000000000001",
                         "staging distribution not known: the export has no continuous "
                         "deployment policy")


def test_a_staging_distribution_is_marked(data_dir: Path, tmp_path: Path) -> None:
    doc = json.loads((data_dir / "list-distributions.json").read_text())
    doc["DistributionList"]["Items"][0]["Staging"] = True
    (tmp_path / "list.json").write_text(json.dumps(doc))
    first = load_export(tmp_path / "list.json").distributions[0]
    assert first.staging and "staging distribution (continuous deployment)" in first.tags


def test_the_picker_says_so(data_dir: Path) -> None:
    from cftui.ui.entries import PickerEntries

    entries = PickerEntries.from_inventory(load_export(data_dir / "get-distribution-edge.json"))
    (group,) = entries.groups
    assert "continuous deployment policy" in group.subtitle
    app, api = group.entries
    assert app.edge.startswith("edge functions may change Host or origin: ")
    assert "pick-origin:7" in app.edge and api.edge == ""
