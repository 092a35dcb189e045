"""The demo's origin group, judged from real checks of its two loopback origins."""

from __future__ import annotations

from cftui.demo.origins import DemoOrigins
from cftui.engine import report as report_mod
from cftui.engine.run import check
from cftui.engine.verdict.group import judge_group


def test_the_demo_group_is_saved_by_its_secondary() -> None:
    origins = DemoOrigins(["missing-intermediate", "healthy"])
    with origins as demo:
        (spec,) = origins.groups
        reports = {d.key: [check(d.target)] for d in demo}
    verdict = judge_group(spec, reports)
    assert not verdict.would_fail and verdict.primary.fails
    assert verdict.secondary is not None and verdict.secondary.fails is False
    assert [c.code.value for c in verdict.causes] == ["group-primary-failing"]
    assert "cert-chain-incomplete" in verdict.primary.answer
    text = report_mod.group_text(verdict)
    assert text.startswith("origin group demo / failover: works through failover")


def test_no_group_when_a_member_is_not_started() -> None:
    origins = DemoOrigins(["healthy"])
    with origins:
        assert origins.groups == ()
