"""Origin groups in the picker: the engine's group verdict (judge_group) under the members."""

from __future__ import annotations

from dataclasses import replace

from cftui.demo.origins import DemoOrigin
from cftui.sources.model import Distribution, Inventory, Origin, OriginGroup
from cftui.ui.app import CftuiApp
from cftui.ui.entries import OriginGroupEntry, PickerEntries
from cftui.ui.glyphs import ASCII
from cftui.ui.render.picker import group_detail, group_row_label, group_summary
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.picker import OriginList, PickerScreen

from .conftest import settle
from .fakes import failing_report


def _entries(*groups: OriginGroup, origins: tuple[Origin, ...] = ()) -> OriginGroupEntry:
    dist = Distribution(id="E1", origins=origins or (Origin("app", "app.example.com"),
                                                      Origin("dr", "dr.example.net")),
                        origin_groups=groups)
    return PickerEntries.from_inventory(Inventory((dist,), "cftui.toml")).groups[0] \
        .origin_groups[0]


def _reports(group: OriginGroupEntry, failing: set[str], checked: set[str]) -> dict:
    out: dict = {}
    for member in group.members:
        if member.origin in checked and member.target is not None:
            report = failing_report(member.target)
            if member.origin not in failing:
                report = replace(report, verdict=replace(report.verdict, would_fail=False,
                                                         http_status=None, causes=()))
            out[member.target] = report
    return out


def test_group_verdict_in_words_from_judge_group() -> None:
    group = _entries(OriginGroup("app-failover", "app", "dr", (503,)))
    assert group_summary(group.verdict({}))[:2] == ("not checked yet", "")
    both = group.verdict(_reports(group, {"app", "dr"}, {"app", "dr"}))
    assert group_summary(both)[:2] == ("would fail (both members fail)",
                                       "every method gets 502")
    primary = group.verdict(_reports(group, {"app"}, {"app", "dr"}))
    assert group_summary(primary)[:2] == (
        "primary failing, secondary healthy",
        "GET/HEAD/OPTIONS fail over, other methods get 502")
    half = group.verdict(_reports(group, {"app"}, {"app"}))
    assert group_summary(half)[0] == "primary failing, secondary not checked yet"
    healthy = group.verdict(_reports(group, set(), {"app", "dr"}))
    assert group_summary(healthy)[:2] == ("healthy", "")
    label = group_row_label(group, both, ASCII, "   ").plain
    assert label == ("x group app-failover: would fail (both members fail)\n"
                     "   every method gets 502")
    assert label.isascii()
    assert "group-failing" in group_detail(both).plain


def test_group_member_that_cannot_be_checked_says_why() -> None:
    group = _entries(OriginGroup("g", "app", "bucket"),
                     origins=(Origin("app", "app.example.com"),
                              Origin("bucket", "b.s3.amazonaws.com", kind="s3")))
    verdict = group.verdict(_reports(group, set(), {"app"}))
    head = group_summary(verdict)[0]
    assert head.startswith("primary healthy, secondary ") and "not checked yet" not in head
    assert group.first_unchecked({}) == group.members[0].target


def test_filter_keeps_a_group_with_its_members() -> None:
    dist = Distribution(id="E1", origins=(Origin("app", "app.example.com"),
                                          Origin("dr", "dr.example.net"),
                                          Origin("web", "web.example.org")),
                        origin_groups=(OriginGroup("failover", "app", "dr"),))
    entries = PickerEntries.from_inventory(Inventory((dist,), "cftui.toml"))
    assert [g.spec.id for g in entries.filtered("app").groups[0].origin_groups] == ["failover"]
    assert entries.filtered("web").groups[0].origin_groups == ()


def _group_row(app: CftuiApp) -> str:
    labels = app.screen.query_one(OriginList).labels()
    return next(line for line in labels if "group failover" in line)


async def test_picker_shows_the_demo_group_verdict_once_both_members_are_checked(
        demo: dict[str, DemoOrigin]) -> None:
    app = CftuiApp.from_demo([demo["missing-intermediate"], demo["healthy"]], ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, PickerScreen)
        assert "group failover: not checked yet" in _group_row(app)
        await pilot.press("down", "down")  # the keyboard reaches the group row
        origins = app.screen.query_one(OriginList)
        assert isinstance(origins.current, OriginGroupEntry)
        assert "Enter checks the next unchecked member" in str(
            app.screen.query_one("#entry-detail").render())
        for member in ("missing-intermediate", "healthy"):
            await pilot.press("enter")  # checks the next unchecked member
            await settle(pilot)
            assert isinstance(app.screen, CheckScreen)
            assert app.screen.session.target == demo[member].target
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, PickerScreen)
            if member == "missing-intermediate":
                assert ("primary failing, secondary not checked yet"
                        in _group_row(app))
        row = _group_row(app)
        assert row.startswith("`- ! group failover: primary failing, secondary healthy\n")
        assert row.endswith("GET/HEAD/OPTIONS fail over, other methods get 502")
        assert all(len(line) <= 78 for line in row.splitlines())
        assert "group-primary-failing" in str(app.screen.query_one("#entry-detail").render())
