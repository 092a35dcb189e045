"""`load_export`: the three AWS CLI shapes, their quirks, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.errors import source_error

from cftui.engine.profile import Protocol
from cftui.sources import SourceError, load_export


def test_get_distribution_config(data_dir: Path) -> None:
    inventory = load_export(data_dir / "get-distribution-config.json")
    (dist,) = inventory.distributions
    assert dist.id is None  # get-distribution-config does not carry the id
    assert dist.name == "shop front"
    assert dist.aliases == ("www.example.com", "example.com")
    app, assets = dist.origins
    assert (app.kind, app.domain, app.https_port, app.protocol_policy) == (
        "custom", "origin.example.com", 443, "https-only")
    assert app.ssl_protocols == (Protocol.TLSv1_2,)
    assert (app.connect_timeout, app.read_timeout, app.connection_attempts) == (10, 30, 3)
    assert app.custom_header_names == ("X-Origin-Verify",)
    assert app.ip_address_type == "ipv4"
    assert app.forwards_host and app.host_header == "www.example.com"
    assert "AllViewer" in app.host_forwarding_reason
    assert "each alias (www.example.com, example.com)" in app.host_forwarding_reason
    assert app.viewer_hosts == ("www.example.com", "example.com")
    assert assets.kind == "s3" and not assets.checkable
    assert "S3" in (assets.uncheckable_reason or "")
    assert not assets.forwards_host and "CORS-S3Origin" in assets.host_forwarding_reason


def test_get_distribution_config_adopts_the_id_given(data_dir: Path) -> None:
    inventory = load_export(data_dir / "get-distribution-config.json")
    dist, origins = inventory.find(None, None)
    assert [o.id for o in origins] == ["app"]  # the S3 origin is not checkable
    dist, origins = inventory.find("E2EXAMPLE1ABC", "app")
    assert dist.id == "E2EXAMPLE1ABC"
    assert origins[0].to_target().label == "E2EXAMPLE1ABC / app"


def test_get_distribution(data_dir: Path) -> None:
    (dist,) = load_export(data_dir / "get-distribution.json").distributions
    assert dist.id == "E1API2EXAMPLE"
    assert dist.domain_name == "d111111abcdef8.cloudfront.net"
    assert dist.aliases == ()
    primary, secondary, legacy = dist.origins
    assert (primary.https_port, primary.protocol_policy) == (8443, "match-viewer")
    assert primary.ssl_protocols == (Protocol.TLSv1_1, Protocol.TLSv1_2)
    assert (primary.connect_timeout, primary.read_timeout, primary.connection_attempts) == (
        5, 60, 2)
    assert primary.origin_path == "/v2" and primary.to_target().path == "/v2/"
    assert any("Origin Shield in eu-central-1" in n for n in primary.notes)
    # The default behaviour targets the origin group; legacy ForwardedValues lists Host,
    # and without aliases the viewer Host is the *.cloudfront.net name.
    for member in (primary, secondary):
        assert member.forwards_host
        assert member.host_header == "d111111abcdef8.cloudfront.net"
        assert "ForwardedValues" in member.host_forwarding_reason
    assert secondary.client_certificate_arn and secondary.ip_address_type == "dualstack"
    assert legacy.ssl_protocols == (Protocol.SSLv3, Protocol.TLSv1)
    assert not legacy.forwards_host and legacy.host_header is None
    (group,) = dist.origin_groups
    assert (group.id, group.primary, group.secondary) == ("api-group", "api-primary",
                                                          "api-secondary")
    assert group.failover_status_codes == (502, 503, 504)


def test_origin_group_id_selects_its_members(data_dir: Path) -> None:
    inventory = load_export(data_dir / "get-distribution.json")
    _, origins = inventory.find(None, "api-group")
    assert [o.id for o in origins] == ["api-primary", "api-secondary"]


def test_list_distributions(data_dir: Path) -> None:
    inventory = load_export(data_dir / "list-distributions.json")
    assert [d.id for d in inventory.distributions] == [
        "E2EXAMPLE1ABC", "E3STATICSITE9", "E4VPCEXAMPLE7"]
    app = inventory.distributions[0].origins[0]
    assert app.ssl_protocols == (Protocol.TLSv1_1, Protocol.TLSv1_2)
    # A custom origin request policy is not in an export: unknown, assumed not forwarded.
    assert not app.forwards_host
    assert "unknown: custom origin request policy 0d2a8b5e" in app.host_forwarding_reason
    assert "not in the export" in app.host_forwarding_reason

    static = inventory.distributions[1]
    bucket, redirects = static.origins
    assert bucket.kind == "s3" and not bucket.checkable
    assert redirects.kind == "custom" and redirects.protocol_policy == "http-only"
    assert "http-only" in (redirects.uncheckable_reason or "")
    with pytest.raises(SourceError, match="has no origin cftui can check"):
        inventory.find("E3STATICSITE9", None)

    vpc = inventory.distributions[2]
    assert not vpc.enabled
    internal, router = vpc.origins
    assert internal.kind == "vpc" and internal.read_timeout == 45 and not internal.checkable
    assert not internal.forwards_host and "AllViewerExceptHostHeader" in (
        internal.host_forwarding_reason)
    # HostHeaderOnly forwards Host; the only alias is a wildcard: a stated sample name.
    assert router.forwards_host and router.host_header == "cftui-sample.apps.example.com"
    assert "HostHeaderOnly" in router.host_forwarding_reason
    assert "wildcard" in router.host_forwarding_reason


def test_list_distributions_needs_a_choice(data_dir: Path) -> None:
    inventory = load_export(data_dir / "list-distributions.json")
    with pytest.raises(SourceError) as info:
        inventory.find(None, "app")
    message = str(info.value)
    assert message.startswith(str(data_dir / "list-distributions.json"))
    assert ("holds 3 distributions; pass --distribution (E2EXAMPLE1ABC, E3STATICSITE9, "
            "E4VPCEXAMPLE7)") in message
    with pytest.raises(SourceError, match=r"no origin 'nope' in distribution E2EXAMPLE1ABC "
                                          r"\(origins: app\)"):
        inventory.find("E2EXAMPLE1ABC", "nope")
    dist, _ = inventory.find("www.example.com", None)  # an alias works too
    assert dist.id == "E2EXAMPLE1ABC"


def test_no_paginate_form_and_truncation(data_dir: Path) -> None:
    inventory = load_export(data_dir / "list-distributions-no-paginate.json")
    (dist,) = inventory.distributions
    assert dist.origins[0].forwards_host  # UseOriginCacheControlHeaders has Host in its key
    assert any("truncated" in note for note in inventory.notes)


def test_empty_list_without_items(data_dir: Path) -> None:
    inventory = load_export(data_dir / "list-distributions-empty.json")
    assert inventory.distributions == ()
    with pytest.raises(SourceError, match="holds no distributions"):
        inventory.find(None, None)


def test_auto_paginated_empty_list(write_json) -> None:
    assert load_export(write_json({"DistributionList": {"Items": []}})).distributions == ()
    assert load_export(write_json({"DistributionList": {}})).distributions == ()


def test_lists_without_items_and_unknown_fields(write_json, aws_doc) -> None:
    doc = aws_doc("get-distribution-config.json")
    config = doc["DistributionConfig"]
    config["Aliases"] = {"Quantity": 0}
    config["CacheBehaviors"] = {"Quantity": 0}
    origin = config["Origins"]["Items"][0]
    origin["CustomHeaders"] = {"Quantity": 0}
    origin["SomethingNew"] = {"Quantity": 3, "Items": [1, 2, 3]}
    origin["CustomOriginConfig"]["FutureSetting"] = "on"
    doc["NewTopLevelField"] = True
    (dist,) = load_export(write_json(doc)).distributions
    assert dist.aliases == ()
    assert dist.origins[0].custom_header_names == ()
    # Host forwarded, no aliases and no domain name known: say what to do.
    assert dist.origins[0].forwards_host and dist.origins[0].host_header is None
    assert "--host-header" in dist.origins[0].host_forwarding_reason


def test_bare_objects_and_lists(write_json, aws_doc) -> None:
    config = aws_doc("get-distribution-config.json")["DistributionConfig"]
    assert load_export(write_json(config)).distributions[0].name == "shop front"
    distribution = aws_doc("get-distribution.json")["Distribution"]
    assert load_export(write_json(distribution)).distributions[0].id == "E1API2EXAMPLE"
    items = aws_doc("list-distributions.json")["DistributionList"]["Items"]
    assert len(load_export(write_json(items)).distributions) == 3


def test_utf16_with_bom(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "get-distribution.json").read_text()
    path = tmp_path / "ps.json"
    path.write_bytes(text.encode("utf-16"))  # what Windows PowerShell's > writes
    assert load_export(path).distributions[0].id == "E1API2EXAMPLE"


def test_s3_origin_without_config_block_is_recognised(write_json, aws_doc) -> None:
    doc = aws_doc("get-distribution-config.json")
    del doc["DistributionConfig"]["Origins"]["Items"][1]["S3OriginConfig"]  # as moto stores it
    assets = load_export(write_json(doc)).distributions[0].origins[1]
    assert assets.kind == "s3" and assets.notes


# --- errors: each names the file and the place ---------------------------------------

ORIGIN = "DistributionConfig.Origins.Items[0]"


def _error(path: Path) -> str:
    return source_error(load_export, path)


@pytest.mark.parametrize(("edit", "place", "problem"), [
    (lambda o: o["CustomOriginConfig"]["OriginSslProtocols"].update(Items=["TLSv1.2", "TLSv1.3"]),
     f"{ORIGIN}.CustomOriginConfig.OriginSslProtocols.Items[1]", "unknown protocol 'TLSv1.3'"),
    (lambda o: o["CustomOriginConfig"].update(HTTPSPort=70000),
     f"{ORIGIN}.CustomOriginConfig.HTTPSPort", "70000 is out of range"),
    (lambda o: o["CustomOriginConfig"].update(HTTPSPort="443"),
     f"{ORIGIN}.CustomOriginConfig.HTTPSPort", "expected a whole number, found a string"),
    (lambda o: o.pop("DomainName"), f"{ORIGIN}.DomainName", "missing"),
    (lambda o: o["CustomOriginConfig"].update(OriginProtocolPolicy="https-please"),
     f"{ORIGIN}.CustomOriginConfig.OriginProtocolPolicy", "unknown OriginProtocolPolicy"),
    (lambda o: o.update(ConnectionTimeout=0), f"{ORIGIN}.ConnectionTimeout",
     "must be a positive number of seconds"),
    (lambda o: o.update(ConnectionAttempts=True), f"{ORIGIN}.ConnectionAttempts",
     "expected a whole number, found a boolean"),
    (lambda o: o["CustomOriginConfig"].update(OriginSslProtocols=["TLSv1.2"]),
     f"{ORIGIN}.CustomOriginConfig.OriginSslProtocols", "expected an object, found a list"),
    (lambda o: o.pop("CustomOriginConfig"), ORIGIN, "has none of CustomOriginConfig"),
])
def test_bad_values(write_json, aws_doc, edit, place, problem) -> None:
    doc = aws_doc("get-distribution-config.json")
    edit(doc["DistributionConfig"]["Origins"]["Items"][0])
    message = _error(write_json(doc))
    assert f": {place}: " in message and problem in message


def test_wrong_shape(write_json) -> None:
    message = _error(write_json({"CachePolicyList": {"Quantity": 0}}))
    assert "not a CloudFront distribution export" in message
    assert "get-distribution-config" in message
    message = _error(write_json("just a string"))
    assert "at the top level" in message


def test_missing_origins_in_list_item(write_json, aws_doc) -> None:
    doc = aws_doc("list-distributions.json")
    del doc["DistributionList"]["Items"][2]["Origins"]
    message = _error(write_json(doc))
    assert ": DistributionList.Items[2].Origins: missing" in message


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"DistributionList": {\n  "Items": [,]\n}}')
    message = _error(path)
    assert "not valid JSON" in message and "line 2, column" in message


def test_unreadable_and_empty(tmp_path: Path) -> None:
    assert "cannot read" in _error(tmp_path / "missing.json")
    (tmp_path / "empty.json").write_text("  \n")
    assert "empty file" in _error(tmp_path / "empty.json")
    (tmp_path / "binary.json").write_bytes(b"\x80\x81\x82")
    assert "not text" in _error(tmp_path / "binary.json")


def test_error_keeps_the_json_path_for_list_items(write_json, aws_doc) -> None:
    doc = aws_doc("list-distributions.json")
    items = doc["DistributionList"]["Items"][1]["Origins"]["Items"][1]
    items["CustomOriginConfig"]["OriginSslProtocols"]["Items"] = ["TLS1.2"]
    message = _error(write_json(doc))
    assert ("DistributionList.Items[1].Origins.Items[1].CustomOriginConfig."
            "OriginSslProtocols.Items[0]: unknown protocol 'TLS1.2'") in message
    json.dumps(message)  # plain text, printable as one line


def test_timeouts_raised_by_quota_are_taken_and_noted(data_dir: Path, tmp_path: Path) -> None:
    """AWS accepts OriginReadTimeout / OriginKeepaliveTimeout above the documented range
    after a quota increase: the export is taken as it is, with a note, not refused."""
    doc = json.loads((data_dir / "get-distribution-config.json").read_text())
    custom = next(o["CustomOriginConfig"] for o in doc["DistributionConfig"]["Origins"]["Items"]
                  if "CustomOriginConfig" in o)
    custom["OriginReadTimeout"] = 240
    custom["OriginKeepaliveTimeout"] = 150
    path = tmp_path / "raised.json"
    path.write_text(json.dumps(doc))
    origin = next(o for d in load_export(path).distributions for o in d.origins
                  if o.kind == "custom")
    assert origin.read_timeout == 240
    assert origin.to_target().read_timeout == 240
    notes = " ".join(origin.notes)
    assert "OriginReadTimeout 240 s is outside the documented" in notes
    assert "OriginKeepaliveTimeout 150 s is outside the documented" in notes
