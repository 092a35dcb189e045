"""`cftui demo --serve`: keep the demo origins running and print a `cftui check` command
for each, to paste into another terminal (the ports are random, the CA file is temporary)."""

from __future__ import annotations

import shlex
import sys
import threading
from typing import TextIO

from cftui.demo.hangup import HungUp
from cftui.demo.origins import DemoOrigin, DemoOrigins
from cftui.engine.profile import DEFAULT_PROTOCOLS


def check_command(origin: DemoOrigin) -> str:
    """The `cftui check` command line that checks this running demo origin."""
    t = origin.target
    args = ["cftui", "check", t.domain, "--port", str(t.port)]
    if t.protocols != DEFAULT_PROTOCOLS:
        args += ["--protocols", ",".join(p.value for p in t.protocols)]
    for address in t.connect_to:
        args += ["--connect-to", address]
    if t.host_header:
        args += ["--host-header", t.host_header]
    if t.ca_file:
        args += ["--ca-file", t.ca_file]
    args += ["--connect-timeout", f"{t.connect_timeout:g}",
             "--read-timeout", f"{t.read_timeout:g}"]
    return " ".join(shlex.quote(a) for a in args)


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
