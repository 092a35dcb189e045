"""Causes that come from the distribution's settings rather than from the origin's answers.

The source (TOML, AWS export, live account) records facts on the Target; this turns
them into causes, so that causes still have one home (the verdict).
"""

from __future__ import annotations

from cftui.engine.causes import CauseCode
from cftui.engine.results import Cause
from cftui.engine.target import Target
from cftui.engine.verdict.build import cause


def source_causes(target: Target) -> list[Cause]:
    """`edge-function-present` when viewer-request or origin-request functions run."""
    if not target.edge_functions:
        return []
    many = len(target.edge_functions) > 1
    listed = "; ".join(target.edge_functions)
    return [cause(CauseCode.EDGE_FUNCTION_PRESENT,
                  f"edge function{'s' if many else ''} on the behaviours using this origin "
                  f"({listed}) may change the Host header or the origin per request; cftui "
                  "checks the origin as configured",
                  functions="these functions" if many else "this function",
                  does="" if many else "es")]
