"""The shared model: targets for the engine, checkability, and choosing what to check."""

from __future__ import annotations

import pytest

from cftui.engine.profile import Protocol
from cftui.engine.target import Target
from cftui.sources import Distribution, Inventory, Origin, OriginGroup, SourceError


def _origin(**fields) -> Origin:
    values = {"id": "app", "domain": "origin.example.com", "distribution": "E1"}
    values.update(fields)
    return Origin(**values)


def test_to_target_carries_the_origin_settings(tmp_path) -> None:
    ca_file = str(tmp_path / "ca.pem")
    open(ca_file, "w").close()
    origin = _origin(https_port=8443, ssl_protocols=(Protocol.TLSv1_1, Protocol.TLSv1_2),
                     connect_timeout=5, read_timeout=60, host_header="www.example.com",
                     connect_to=("192.0.2.7",), ca_file=ca_file, origin_path="/v1")
    assert origin.to_target() == Target(
        domain="origin.example.com", port=8443, protocols=(Protocol.TLSv1_1, Protocol.TLSv1_2),
        host_header="www.example.com", connect_to=("192.0.2.7",), ca_file=ca_file,
        connect_timeout=5, read_timeout=60, path="/v1/", label="E1 / app")
    assert origin.expected_name == "www.example.com"


def test_overrides_win_when_given() -> None:
    origin = _origin(https_port=8443, host_header="www.example.com")
    target = origin.to_target(port=443, protocols=[Protocol.TLSv1], host_header=None,
                              connect_to=["2001:db8::1"], read_timeout=None, http=False)
    assert target.port == 443 and target.protocols == (Protocol.TLSv1,)
    assert target.host_header == "www.example.com"  # None means "not given on the line"
    assert target.connect_to == ("2001:db8::1",) and target.read_timeout == 30
    assert target.http is False
    with pytest.raises(TypeError, match="prot"):
        origin.to_target(prot=1)


@pytest.mark.parametrize(("fields", "reason"), [
    ({}, None),
    ({"protocol_policy": "match-viewer"}, None),
    ({"protocol_policy": "http-only"}, "http-only"),
    ({"kind": "s3"}, "S3 REST origin"),
    ({"kind": "vpc"}, "VPC origin"),
])
def test_checkable(fields: dict, reason: str | None) -> None:
    origin = _origin(**fields)
    assert origin.checkable is (reason is None)
    assert (origin.uncheckable_reason is None) is (reason is None)
    if reason:
        assert reason in origin.uncheckable_reason


def _inventory() -> Inventory:
    one = Distribution(id="E1", name="shop", aliases=("www.example.com",), origins=(
        _origin(), _origin(id="dr", domain="dr.example.com"),
        _origin(id="assets", domain="b.s3.amazonaws.com", kind="s3")),
        origin_groups=(OriginGroup("failover", "app", "dr", (502,)),))
    two = Distribution(id="E2", name="blog", origins=(_origin(id="web", distribution="E2"),))
    return Inventory((one, two), source="cftui.toml")


def test_find() -> None:
    inventory = _inventory()
    dist, origins = inventory.find("E1", None)
    assert dist.name == "shop"
    assert [o.id for o in origins] == ["app", "dr"]
    _, origins = inventory.find("E1", None, checkable_only=False)
    assert [o.id for o in origins] == ["app", "dr", "assets"]
    _, origins = inventory.find("shop", "failover")
    assert [o.id for o in origins] == ["app", "dr"]
    _, origins = inventory.find("e2", "WEB")  # ids are matched case-insensitively too
    assert [o.id for o in origins] == ["web"]
    _, origins = inventory.find("E1", "dr.example.com")  # or the origin's domain
    assert [o.id for o in origins] == ["dr"]


@pytest.mark.parametrize(("dist", "origin", "message"), [
    (None, None, "cftui.toml: holds 2 distributions; pass --distribution (E1, E2)"),
    ("E9", None, "cftui.toml: no distribution 'E9' (distributions: E1, E2)"),
    ("E1", "x", "cftui.toml: no origin 'x' in distribution E1 (origins: app, dr, assets)"),
    ("E1", "assets", "cftui.toml: origin 'assets' in distribution E1 cannot be checked: S3"),
])
def test_find_errors(dist: str | None, origin: str | None, message: str) -> None:
    with pytest.raises(SourceError) as info:
        _inventory().find(dist, origin)
    assert str(info.value).startswith(message)


def test_error_format() -> None:
    error = SourceError("missing", file="a.json", place="Origins.Items[0].DomainName")
    assert str(error) == "a.json: Origins.Items[0].DomainName: missing"
    assert str(SourceError("plain")) == "plain"
