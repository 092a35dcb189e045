"""Leave nothing behind when the terminal goes away: SIGHUP (SSH drop, tmux kill) and
SIGTERM end the process the normal way, so `with` blocks remove the demo's temp dir
(which holds a private key) and stop the servers."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name))


class HungUp(SystemExit):
    """Raised in the main thread by SIGHUP or SIGTERM; exit code 128 + the signal."""


def _raise(signum: int, frame: FrameType | None) -> None:
    raise HungUp(128 + signum)


@contextlib.contextmanager
def exit_cleanly_on_hangup() -> Iterator[None]:
    """While inside, SIGHUP/SIGTERM raise `HungUp` (unless a handler of someone else's is
    installed); the previous handlers come back afterwards. Main thread only, else a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    for sig, handler in previous.items():
        if handler in (signal.SIG_DFL, None):
            signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler in (signal.SIG_DFL, None):
                signal.signal(sig, signal.SIG_DFL)
