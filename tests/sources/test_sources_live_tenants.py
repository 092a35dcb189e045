"""`load_account` reads the tenants of a multi-tenant distribution (a recorded-answer client:
the same documents as tests/sources/data/multi-tenant.json)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cftui.sources.aws_live import READ_ONLY_OPERATIONS, load_account


def _documents(path: Path) -> list[Any]:
    text, docs, position = path.read_text(), [], 0
    decoder = json.JSONDecoder()
    while text[position:].strip():
        while text[position].isspace():
            position += 1
        doc, position = decoder.raw_decode(text, position)
        docs.append(doc)
    return docs


class RecordedClient:
    """Answers the read calls cftui makes from recorded AWS CLI output."""

    def __init__(self, data_dir: Path, *, deny_tenants: bool = False) -> None:
        dist, tenant_list, tenant, group = _documents(data_dir / "multi-tenant.json")
        self.summary = {**dist["Distribution"]["DistributionConfig"],
                        "Id": dist["Distribution"]["Id"], "DomainName": "-"}
        self.tenant_list, self.tenant, self.group = tenant_list, tenant, group
        self.deny_tenants = deny_tenants
        self.calls: list[str] = []
        self.meta = SimpleNamespace(events=SimpleNamespace(register=lambda *a, **k: None))

    def get_paginator(self, name: str) -> Any:
        self.calls.append("ListDistributions")
        pages = [{"DistributionList": {"Items": [self.summary]}}]
        return SimpleNamespace(paginate=lambda: iter(pages))

    def list_distribution_tenants(self, **kwargs: Any) -> Any:
        self.calls.append("ListDistributionTenants")
        assert kwargs["AssociationFilter"] == {"DistributionId": "E1XNX8R2GOAABC"}
        if self.deny_tenants:
            error = type("ClientError", (Exception,), {})("denied")
            error.response = {"Error": {"Code": "AccessDenied"}}  # type: ignore[attr-defined]
            raise error
        return self.tenant_list

    def get_distribution_tenant(self, Identifier: str) -> Any:
        self.calls.append("GetDistributionTenant")
        if Identifier == self.tenant["DistributionTenant"]["Id"]:
            return self.tenant
        item = next(t for t in self.tenant_list["DistributionTenantList"]
                    if t["Id"] == Identifier)
        return {"DistributionTenant": {**item, "Parameters": [
            {"Name": "tenantName", "Value": "globex"}, {"Name": "region", "Value": "us"}]}}

    def get_connection_group(self, Identifier: str) -> Any:
        self.calls.append("GetConnectionGroup")
        assert Identifier == self.group["ConnectionGroup"]["Id"]
        return self.group


def test_tenants_are_read_with_their_parameters(data_dir: Path) -> None:
    client = RecordedClient(data_dir)
    inventory = load_account(client=client)
    template, acme, globex = inventory.distributions
    assert template.tenant_only and acme.tenant_of == globex.tenant_of == template.id
    assert acme.origins[0].domain == "acme.eu.origins.example.com"
    assert globex.origins[0].domain == "globex.us.origins.example.com"
    assert globex.domain_name == "dj7xp9ijaa1ab.cloudfront.net"
    assert set(client.calls) <= READ_ONLY_OPERATIONS


def test_a_refused_tenant_call_is_a_note(data_dir: Path) -> None:
    inventory = load_account(client=RecordedClient(data_dir, deny_tenants=True))
    (template,) = inventory.distributions
    assert "could not be read (AccessDenied)" in inventory.notes[0]
    assert not template.origins[0].checkable
