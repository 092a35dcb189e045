"""Causes from the distribution's settings: edge functions, and what the reports show."""

from __future__ import annotations

from cftui.engine import report as report_mod
from cftui.engine.stage import Status


def test_edge_functions_are_a_warning_next_to_a_working_origin(tls_origin, run_check) -> None:
    fn = "CloudFront Function viewer-request rewrite-host (default behaviour (*))"
    report = run_check(tls_origin().port, edge_functions=(fn,),
                       host_header_source="default behaviour (*): CachingOptimized",
                       notes=("a note from the source",))
    assert not report.verdict.would_fail
    (edge,) = [c for c in report.verdict.causes if c.code.value == "edge-function-present"]
    assert edge.severity.value == "warning" and "rewrite-host" in edge.message
    assert "this function does" in edge.fix
    assert report.stages[0].status is Status.WARN
    doc = report_mod.to_json(report)
    assert doc["target"]["edge_functions"] == [fn]
    assert doc["target"]["notes"] == ["a note from the source"]
    text = report_mod.to_text(report)
    assert "Host: default behaviour (*): CachingOptimized" in text
    assert "note: a note from the source" in text


def test_no_edge_functions_no_warning(tls_origin, run_check) -> None:
    report = run_check(tls_origin().port)
    assert report.verdict.causes == ()
    assert report_mod.to_json(report)["target"]["host_header_source"] is None
