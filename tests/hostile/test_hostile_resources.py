"""Memory, file descriptors and threads stay flat over hundreds of checks of hostile peers."""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import threading
import time
from pathlib import Path

import pytest
from peers import alert, answer, flood, good_flight, records, server_hello
from support import SessionPki
from support.hostile import Hostile, RunCheck, TlsOrigins

PROC = Path("/proc/self")
WARM_UP = 40
CHECKS = 300


def status_kib(field: str) -> int:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in KiB."""
    for line in (PROC / "status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


def rss_kib() -> int:
    return status_kib("VmRSS")


def open_fds() -> int:
    return len(os.listdir(PROC / "fd"))


def settled_threads(baseline: int, wait: float = 3.0) -> int:
    """The thread count once server connection threads have finished (bounded wait)."""
    deadline = time.monotonic() + wait
    count = threading.active_count()
    while count > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
        count = threading.active_count()
    return count


@pytest.mark.skipif(not (PROC / "status").exists(), reason="needs /proc (Linux)")
def test_memory_fds_and_threads_stay_flat(pki: SessionPki, hostile: Hostile,
                                          tls_origin: TlsOrigins, run_check: RunCheck) -> None:
    ders = (pki.leaf.der, pki.intermediate.der)
    ports = [
        hostile(answer(lambda h: b"\x00\xffgarbage" * 20)).port,  # not-tls
        hostile(answer(lambda h: alert(2, 40))).port,  # handshake failure alert
        hostile(answer(lambda h: records(22, server_hello(h.version, h.suite())),
                       "reset")).port,  # accepted, then reset: the HTTP stage runs too
        hostile(answer(lambda h: good_flight(h, (b"\x30\x03\x02\x01\x00",)))).port,  # bad cert
        hostile(answer(lambda h: good_flight(h, ders) + alert(2, 80))).port,
        hostile(flood(lambda h: records(22, server_hello(h.version, h.suite())),
                      alert(1, 112))).port,  # warning alerts until the client leaves
        tls_origin(io_timeout=5.0, min_version="TLSv1.2", max_version="TLSv1.2",
                   ciphers="ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA").port,  # a good origin
    ]
    expect_blocking = [True, True, True, True, True, True, False]

    def run(count: int) -> None:
        for i in range(count):
            got = run_check(ports[i % len(ports)])
            assert got.report.verdict.would_fail is expect_blocking[i % len(ports)]

    peak_start = status_kib("VmHWM")
    run(WARM_UP)
    gc.collect()
    threads0 = settled_threads(0, wait=0.0)
    fds0, rss0, peak0 = open_fds(), rss_kib(), status_kib("VmHWM")
    started = time.monotonic()
    run(CHECKS // 2)
    gc.collect()
    rss_half = rss_kib()
    run(CHECKS - CHECKS // 2)
    took = time.monotonic() - started
    gc.collect()
    threads1 = settled_threads(threads0)
    fds1, rss1, peak1 = open_fds(), rss_kib(), status_kib("VmHWM")
    report = (f"{CHECKS} checks in {took:.1f} s; fds {fds0} -> {fds1}; threads {threads0} -> "
              f"{threads1}; RSS {rss0} -> {rss_half} -> {rss1} KiB, peak {peak_start} -> "
              f"{peak0} -> {peak1} KiB")
    print(report)
    assert took < CHECKS * 0.1, report
    assert fds1 - fds0 <= 2, report
    assert threads1 - threads0 <= 1, report
    assert rss1 - rss0 < 8 * 1024, report  # allocator slack, not a leak per check
    assert rss1 - rss_half < 4 * 1024, report  # and no steady climb in the second half
    assert peak1 - peak_start < 32 * 1024, report  # no check ever holds a flood in memory


@pytest.mark.skipif(resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 1400,
                    reason="needs more than 1400 file descriptors")
def test_check_works_when_descriptors_are_over_fd_setsize(tls_origin: TlsOrigins,
                                                          run_check: RunCheck) -> None:
    """A long-running TUI holds many descriptors; select() fails on those over 1024."""
    origin = tls_origin(io_timeout=5.0)
    held: list[int] = []
    try:
        while len(held) < 1200 and (not held or held[-1] < 1100):
            held.append(os.open(os.devnull, os.O_RDONLY))
        got = run_check(origin.port)
    finally:
        for fd in held:
            with contextlib.suppress(OSError):
                os.close(fd)
    assert got.blocking == set(), got.report.verdict.causes
    http = got.report.per_address[0].http
    assert http is not None and http.status_code == 200
