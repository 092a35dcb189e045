"""Make a Cause from the table in `causes`: severity, stage and fix come from there."""

from __future__ import annotations

from collections.abc import Iterable

from cftui.engine.causes import CauseCode
from cftui.engine.profile import Protocol
from cftui.engine.results import Cause, Stage


def cause(code: CauseCode, message: str, *, fix: str = "default", stage: Stage | None = None,
          **fields: object) -> Cause:
    """A cause with the table's severity and stage (unless `stage` says where it shows
    itself first) and the fix template `fix`, filled with `fields`."""
    rule = code.rule
    return Cause(code, rule.severity, stage or rule.stage, message,
                 rule.fixes[fix].format(**fields))


def names(protocols: Iterable[Protocol]) -> str:
    """A comma list of protocol names, or "none"."""
    return ", ".join(p.value for p in protocols) or "none"
