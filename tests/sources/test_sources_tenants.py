"""Multi-tenant distributions: tenants' domains are the Host names, Parameters fill origins."""

from __future__ import annotations

import json
from pathlib import Path

from support.errors import source_error

from cftui.sources import load_export


def test_each_tenant_is_a_distribution_with_its_domains(data_dir: Path) -> None:
    inventory = load_export(data_dir / "multi-tenant.json")
    template, acme, _ = inventory.distributions
    assert template.id == "E1XNX8R2GOAABC" and template.domain_name is None  # "-" is no name
    assert template.tenant_only and "multi-tenant" in template.tags[-1]
    app = template.origin("app")
    assert app is not None and not app.checkable
    assert "{{tenantName}}" in (app.uncheckable_reason or "")
    shared = template.origin("shared")
    assert shared is not None and shared.checkable

    assert (acme.id, acme.name, acme.tenant_of) == (
        "dt_2yMvQgam3QkJo2z54FDl91dk1AB", "acme", "E1XNX8R2GOAABC")
    assert acme.aliases == ("www.acme.example", "acme.example")
    assert acme.domain_name == "dj7xp9ijaa1ab.cloudfront.net"
    acme_app = acme.origin("app")
    assert acme_app is not None and acme_app.checkable
    assert acme_app.domain == "acme.eu.origins.example.com"  # Parameters + the default
    assert acme_app.viewer_hosts == ("www.acme.example", "acme.example")
    targets = acme_app.to_targets()
    assert [t.sni for t in targets] == ["www.acme.example", "acme.example"]
    assert "tenant dt_2yMvQgam3QkJo2z54FDl91dk1AB" in (targets[0].host_header_source or "")
    assert any("filled with tenant" in n for n in targets[0].notes)


def test_a_summary_without_parameters_leaves_the_origin_uncheckable(data_dir: Path) -> None:
    globex = load_export(data_dir / "multi-tenant.json").distributions[2]
    app = globex.origin("app")
    assert app is not None and not app.checkable
    assert "no value for tenantName" in (app.uncheckable_reason or "")
    assert "get-distribution-tenant" in (app.uncheckable_reason or "")
    _, origins = load_export(data_dir / "multi-tenant.json").find("globex", None)
    assert [o.id for o in origins] == ["shared"]


def test_a_template_alone_does_not_abort(data_dir: Path, tmp_path: Path) -> None:
    text = (data_dir / "multi-tenant.json").read_text()
    first = json.JSONDecoder().raw_decode(text)[0]
    (tmp_path / "one.json").write_text(json.dumps(first))
    (dist,) = load_export(tmp_path / "one.json").distributions
    assert [o.id for o in dist.checkable_origins()] == ["shared"]


def test_a_bad_template_is_refused(data_dir: Path, tmp_path: Path) -> None:
    text = (data_dir / "multi-tenant.json").read_text()
    first = json.JSONDecoder().raw_decode(text)[0]
    origin = first["Distribution"]["DistributionConfig"]["Origins"]["Items"][0]
    origin["DomainName"] = "{{tenant name}}.example.com"
    (tmp_path / "bad.json").write_text(json.dumps(first))
    message = source_error(load_export, tmp_path / "bad.json")
    assert "DomainName" in message and "placeholders" in message


def test_a_broken_second_document_is_named(data_dir: Path, tmp_path: Path) -> None:
    text = (data_dir / "get-distribution.json").read_text()
    (tmp_path / "two.json").write_text(text + "\n{\"DistributionTenant\": [1,\n")
    assert "not valid JSON" in source_error(load_export, tmp_path / "two.json")
