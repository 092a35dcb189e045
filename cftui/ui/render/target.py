"""Title lines describing a target: domain, port, SNI, protocols, watch state."""

from __future__ import annotations

from textual.content import Content

from cftui.engine.target import Target
from cftui.ui.format import plain, safe

MUTED = "$text-muted"


def target_title(target: Target, *, watching: bool = False, interval: float = 10.0,
                 runs: int = 0, checked_at: str | None = None, busy: bool = False) -> Content:
    """`origin.example.com:443  SNI …  TLSv1.2  watch 10 s, round 2  [label]`: one line,
    the most useful parts first (the widget cuts the end with an ellipsis)."""
    parts: list[Content | tuple[str, str]] = [safe(f"{target.domain}:{target.port}", "bold")]
    if target.sni != target.domain:
        parts += [("  SNI ", MUTED), safe(target.sni)]
    parts.append((f"  {','.join(p.value for p in target.protocols)}", MUTED))
    if target.connect_to:
        parts += [("  via ", MUTED), safe(", ".join(target.connect_to))]
    if watching:
        now = ", checking" if busy else ""
        parts.append((f"  watch {interval:g} s, round {runs + (1 if busy else 0)}{now}",
                      "$accent bold"))
    elif checked_at:
        parts.append((f"  checked {plain(checked_at)}", MUTED))
    if target.label:
        parts += [("  ", ""), safe(target.label, MUTED)]
    return Content.assemble(*parts)
