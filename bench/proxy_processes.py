"""The latency proxy in processes of its own, with `LatencyProxy`'s API.

A `LatencyProxy` is an asyncio loop in a thread of whoever starts it, so it shares
that interpreter's lock (and core) with everything else there. `ProxyProcesses`
starts `count` processes of `python bench/latency_proxy.py --serve --rtt RTT`,
gives each new front to the next process in turn, and merges their counts: the
in-flight intervals are `time.monotonic()` (CLOCK_MONOTONIC) in every process, so
their union is the same as one proxy's. The model is latency_proxy.py's, unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from latency_proxy import Stats

_SCRIPT = Path(__file__).resolve().with_name("latency_proxy.py")


class _Child:
    """One `latency_proxy.py --serve` process: a command line out, a JSON line back."""

    def __init__(self, rtt_ms: float):
        self.process = subprocess.Popen(
            [sys.executable, str(_SCRIPT), "--serve", "--rtt", f"{rtt_ms:g}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lock = threading.Lock()
        if not self.read().get("ready"):
            raise RuntimeError("latency proxy process did not start")

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"latency proxy process exited ({self.process.poll()})")
        value: dict[str, Any] = json.loads(line)
        if "error" in value:
            raise RuntimeError(f"latency proxy process: {value['error']}")
        return value

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        with self.lock:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
            return self.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()


class ProxyProcesses:
    """`count` latency proxies at `rtt_ms`, each in its own process; see the module
    docstring. Same methods as `LatencyProxy`, plus `pids()` for their CPU."""

    def __init__(self, rtt_ms: float, count: int = 1):
        self.rtt_ms = rtt_ms
        self.count = max(1, count)
        self._children: list[_Child] = []
        self._next = 0

    def start(self) -> ProxyProcesses:
        try:
            for _ in range(self.count):
                self._children.append(_Child(self.rtt_ms))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        children, self._children = self._children, []
        for child in children:
            child.stop()

    def __enter__(self) -> ProxyProcesses:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def pids(self) -> list[int]:
        return [child.process.pid for child in self._children]

    def front(self, upstream_port: int, listen_port: int = 0) -> int:
        """A new port forwarding to `upstream_port`, in the next process in turn."""
        child = self._children[self._next % len(self._children)]
        self._next += 1
        port: int = child.ask(f"front {upstream_port} {listen_port}")["port"]
        return port

    def reset(self) -> None:
        for child in self._children:
            child.ask("reset")

    def stats(self) -> Stats:
        """The counts of all processes, summed; their in-flight intervals together."""
        stats = Stats(self.rtt_ms)
        for child in self._children:
            part = child.ask("stats")
            stats.connections += int(part["connections"])
            stats.silent += int(part["silent"])
            stats.intervals += [(float(a), float(b)) for a, b in part["intervals"]]
        return stats
