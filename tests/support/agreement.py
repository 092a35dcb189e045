"""One truth for causes: a report's stage statuses and its verdict's causes agree."""

from __future__ import annotations

from cftui.engine.results import Report, Status

#: Statuses a finished report may carry (DONE, RUNNING and PENDING are live-only).
FINAL = frozenset({Status.PASS, Status.WARN, Status.FAIL, Status.SKIPPED})


def assert_causes_agree(report: Report) -> None:
    """Each FAIL stage names one of the verdict's blocking causes at that stage, each WARN
    stage a warning there; each cause's stage shows it (FAIL for an error, at least WARN
    for a warning); stages that show nothing are PASS or SKIPPED."""
    causes = report.verdict.causes
    for stage in report.stages:
        assert stage.status in FINAL, (stage.stage, stage.status)
        own = [c for c in causes if c.stage is stage.stage]
        if stage.status is Status.FAIL:
            blocking = [c for c in own if c.blocking]
            assert blocking, f"{stage.stage.value} fails, but no blocking cause names it"
            assert stage.summary.startswith(blocking[0].message), (stage.summary, blocking)
        elif stage.status is Status.WARN:
            assert own and not any(c.blocking for c in own), (stage.stage, own)
            assert stage.summary.startswith(own[0].message), (stage.summary, own)
        else:
            assert not own, f"{stage.stage.value} is {stage.status.value} with causes {own}"
    shown = {s.stage: s.status for s in report.stages}
    for c in causes:
        want = {Status.FAIL} if c.blocking else {Status.WARN, Status.FAIL}
        assert shown.get(c.stage) in want, (c.code, c.stage, shown.get(c.stage))
    assert report.verdict.would_fail == any(c.blocking for c in causes)
