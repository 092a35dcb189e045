"""`cftui demo --serve`: keep the demo origins running and print a `cftui check` command
for each, to paste into another terminal (the ports are random, the CA file is temporary)."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from cftui.demo.hangup import HungUp
from cftui.demo.origins import DemoOrigin, DemoOrigins


def check_command(origin: DemoOrigin) -> str:
    """The `cftui check` command line that checks this running demo origin."""
    from cftui.options import check_command as command_for

    return command_for(origin.target)


def serve(*, out: TextIO | None = None, stop: threading.Event | None = None) -> int:
    """Run every demo origin until Ctrl+C, SIGTERM or SIGHUP (or `stop`), then remove
    them and their temp dir. Returns the exit code: 0, or 128 + the signal."""
    out = out or sys.stdout
    origins = DemoOrigins()
    try:
        with origins as demo:
            for note in origins.skipped:
                print(f"# skipped, cannot run here: {note}", file=out)
            print(f"# {len(demo)} demo origins on loopback; Ctrl+C stops them and removes "
                  f"{origins.ca_file.parent if origins.ca_file else 'the temp dir'}", file=out)
            for origin in demo:
                print(f"\n# {origin.key}: {origin.title}", file=out)
                print(check_command(origin), file=out)
            out.flush()
            (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        return 0
    except HungUp as exc:
        return int(exc.code or 0)
    return 0
