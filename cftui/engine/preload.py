"""Load, ahead of need, what a check uses only after its first round trips.

A process that checks an origin 100 ms away waits on the network for most of its
life, but it would still spend ~100 ms importing OpenSSL's bindings, the verdict and
the report and reading Mozilla's roots if it did so before connecting or after the
last answer. Callers start their checks first and call `preload` in the meantime.
"""

from __future__ import annotations

from collections.abc import Iterable

from cftui.engine.target import Target


def preload(targets: Iterable[Target]) -> None:
    """Import and read what checking `targets` needs after its first round trips (the
    real handshake's OpenSSL, the trust store, the verdict, the report)."""
    chosen = list(targets)
    if any(t.http for t in chosen):
        import cftui.engine.http
    import cftui.engine.report
    import cftui.engine.verdict  # noqa: F401
    from cftui.engine.x509 import judge

    for ca_file in dict.fromkeys(t.ca_file for t in chosen):
        judge.preload(ca_file)
