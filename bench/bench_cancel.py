"""How fast cftui lets go: cancel and Ctrl+C against origins that never answer.

Goals (issue "A calm, honest screen over SSH"): Ctrl+C on `cftui check` exits 130
within 0.5 s; a cancelled check stops its network work at once. Three loopback
peers: one that accepts and never sends a byte, one whose accept queue is full (SYNs
unanswered: a silent firewall), and one that answers TLS but never the HTTP request.
Usage: python bench/bench_cancel.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

from cftui.demo.origins import DemoOrigins
from cftui.engine.run import check
from cftui.engine.target import Target

NAME = "origin.bench.test"


@contextlib.contextmanager
def accepting_silent() -> Iterator[int]:
    """Accepts every connection and never sends anything."""
    held: list[socket.socket] = []
    stop = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        listener.settimeout(0.1)

        def accept() -> None:
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    held.append(listener.accept()[0])

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield listener.getsockname()[1]
        finally:
            stop.set()
            thread.join()
            for sock in held:
                sock.close()


def ctrl_c(port: int) -> float:
    """Seconds from SIGINT to the exit of `cftui check` (exit status must be 130)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cftui", "check", NAME, "--connect-to", "127.0.0.1",
         "--port", str(port), "--connect-timeout", "10", "--read-timeout", "30"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # imports done, probes waiting
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=60)
    took = time.monotonic() - sent
    if code != 130:
        raise SystemExit(f"cftui check exited {code}, not 130")
    return took


def cancel_in_process(target: Target) -> float:
    """Seconds from setting the cancel event to check() returning."""
    cancel = threading.Event()
    done = threading.Event()
    def run() -> None:
        check(target, cancel=cancel)
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.8)
    sent = time.monotonic()
    cancel.set()
    done.wait(60)
    took = time.monotonic() - sent
    thread.join()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    rows: list[tuple[str, float]] = []
    with accepting_silent() as port:
        rows.append(("Ctrl+C on `cftui check`, origin accepts and stays silent",
                     statistics.median(ctrl_c(port) for _ in range(runs))))
        target = Target(NAME, port=port, connect_to=("127.0.0.1",), connect_timeout=10,
                        read_timeout=30)
        rows.append(("cancel in process, origin accepts and stays silent",
                     statistics.median(cancel_in_process(target) for _ in range(runs))))
    with DemoOrigins(only=("slow",), read_timeout=30) as origins:
        rows.append(("cancel in process, TLS fine, HTTP answer 30 s away",
                     statistics.median(cancel_in_process(origins[0].target)
                                       for _ in range(runs))))
    print(f"| case | median of {runs} |\n| --- | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.0f} ms |")
    worst = max(seconds for _, seconds in rows)
    verdict = "met" if worst <= 0.5 else "NOT met"
    print(f"\ngoal: ≤ 500 ms — {verdict} (worst {worst * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
