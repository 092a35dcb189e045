"""Picker entries, the ad-hoc form's validation and the export file handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from cftui.engine.profile import Protocol
from cftui.ui import export
from cftui.ui.entries import AdhocDefaults, PickerEntries
from cftui.ui.glyphs import UNICODE
from cftui.ui.render.picker import origin_label
from cftui.ui.screens.adhoc import build_target

from .fakes import TARGET, failing_report
from .test_snapshots import inventory


def test_entries_from_inventory() -> None:
    entries = PickerEntries.from_inventory(inventory(), ca_file="/tmp/ca.pem")
    assert [g.title for g in entries.groups] == ["E2EXAMPLE", "E3BLOG"]
    shop = entries.groups[0]
    assert shop.subtitle == "shop.example.com, www.example.com, shop"
    api = shop.entries[1]
    assert (api.domain, api.port, api.forwards_host) == ("api.example.com", 8443, True)
    assert api.target is not None and api.target.ca_file == "/tmp/ca.pem"
    assets = shop.entries[2]
    assert not assets.checkable and "S3" in assets.note
    label = origin_label(api, UNICODE).plain
    assert label == "api  api.example.com:8443  TLSv1.1,TLSv1.2  Host from viewer"
    assert entries.adhoc.ca_file == "/tmp/ca.pem"


def test_filter_matches_every_word_in_group_or_origin() -> None:
    entries = PickerEntries.from_inventory(inventory())
    assert [e.name for e in entries.filtered("blog").entries()] == ["blog"]
    assert [e.name for e in entries.filtered("e2example 8443").entries()] == ["api"]
    assert len(list(entries.filtered("shop.example.com").entries())) == 3
    assert not entries.filtered("nothing-like-this").groups


def test_build_target_validates_the_form() -> None:
    defaults = AdhocDefaults(ca_file="/tmp/ca.pem")
    target = build_target({"domain": " Origin.Example.com ", "port": "8443",
                           "protocols": "TLSv1,TLSv1.2", "host": "shop.example.com",
                           "connect": "127.0.0.1"}, defaults)
    assert target.domain == "origin.example.com" and target.port == 8443
    assert target.protocols == (Protocol.TLSv1, Protocol.TLSv1_2)
    assert target.sni == "shop.example.com" and target.connect_to == ("127.0.0.1",)
    assert target.ca_file == "/tmp/ca.pem"
    for bad in ({"domain": ""}, {"domain": "a.example", "port": "70000"},
                {"domain": "a.example", "protocols": "TLSv9"},
                {"domain": "a.example", "connect": "not-an-ip"}):
        with pytest.raises(ValueError):
            build_target(bad, defaults)


def test_export_name_format_and_no_overwrite(tmp_path: Path) -> None:
    report = failing_report()
    name = export.default_name(report, 0.0)
    assert name.startswith("cftui-origin.example.com-") and name.endswith(".md")
    hostile = failing_report(target=TARGET.__class__("../../etc/x;rm -rf", port=443))
    assert "/" not in export.default_name(hostile, 0.0).removeprefix("cftui-")
    path = export.resolve("out.md", tmp_path)
    export.write(report, path)
    assert path.read_text().startswith("# cftui report")
    with pytest.raises(FileExistsError):
        export.write(report, path)
    export.write(report, tmp_path / "out.json", overwrite=True)
    assert '"schema": "cftui.report/1"' in (tmp_path / "out.json").read_text()
    with pytest.raises(ValueError):
        export.format_for(tmp_path / "out.txt")
    with pytest.raises(OSError) as info:
        export.write(report, tmp_path / "missing" / "x.md")
    assert export.describe_error(info.value, tmp_path / "missing" / "x.md").startswith(
        "no such directory")


def test_origin_groups_show_primary_and_secondary() -> None:
    from cftui.sources.model import Distribution, Inventory, Origin, OriginGroup

    dist = Distribution(id="E1", origins=(Origin("app", "app.example.com"),
                                          Origin("dr", "dr.example.net")),
                        origin_groups=(OriginGroup("failover", "app", "dr"),))
    entries = PickerEntries.from_inventory(Inventory((dist,), "cftui.toml"))
    app, dr = entries.groups[0].entries
    assert app.groups == "primary of failover" and dr.groups == "secondary of failover"
    assert origin_label(dr, UNICODE).plain.endswith("secondary of failover")
    assert [e.name for e in entries.filtered("failover").entries()] == ["app", "dr"]
