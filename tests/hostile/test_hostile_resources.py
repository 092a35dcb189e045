"""Memory, file descriptors and threads stay flat over hundreds of checks of hostile peers."""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from peers import (
    HELLO_DONE,
    Hello,
    alert,
    answer,
    certificate,
    flood,
    good_flight,
    records,
    server_hello,
)
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


# --- peak memory of one check against the largest first flights ---------------------------

#: What one check may add to the interpreter's peak RSS (MiB), whatever the origin sends.
CHECK_BUDGET_MIB = 64
#: The child's peak RSS in KiB: VmHWM, which exec starts afresh (ru_maxrss carries the
#: forking parent's peak over, and pytest's is larger than any check's).
_CHILD = """
import resource, sys
from cftui.engine.target import Target
from cftui.engine.profile import ORIGIN_SSL_PROTOCOLS
from cftui.engine.run import check

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

base = peak()
report = check(Target("origin.example.com", int(sys.argv[1]), connect_to=("127.0.0.1",),
                      connect_timeout=2, read_timeout=2, protocols=ORIGIN_SSL_PROTOCOLS))
print(base, peak(), len(report.per_address[0].protocols[3].attempts))
"""


def _big_flights(pki: SessionPki) -> dict[str, Callable[[Hello], bytes]]:
    def tiny_certificates(hello: Hello) -> bytes:  # 120 000 one-byte entries, 480 KB
        return records(22, server_hello(hello.version, hello.suite())
                       + certificate([b"\x30"] * 120_000) + HELLO_DONE, hello.version)

    def empty_extensions(hello: Hello) -> bytes:  # 16 000 empty extensions, 64 KB
        ext = b"".join(struct.pack("!HH", 0x1000 + i % 0xE000, 0) for i in range(16_000))
        return records(22, server_hello(hello.version, hello.suite(), extensions=ext)
                       + certificate((pki.leaf.der,)) + HELLO_DONE, hello.version)

    def chain_up_to_the_cap(hello: Hello) -> bytes:  # 64 entries of 7.9 KB: just under 512 KB
        blob = b"\x30\x82" + bytes(range(256)) * 31
        return records(22, server_hello(hello.version, hello.suite())
                       + certificate([blob] * 64) + HELLO_DONE, hello.version)

    return {"tiny-certificates": tiny_certificates, "empty-extensions": empty_extensions,
            "chain-up-to-the-cap": chain_up_to_the_cap}


@pytest.mark.skipif(not (PROC / "status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("name", ["tiny-certificates", "empty-extensions",
                                  "chain-up-to-the-cap"])
def test_one_check_of_a_huge_first_flight_stays_within_budget(name: str, pki: SessionPki,
                                                              hostile: Hostile) -> None:
    """Every attempt of the check (about 17 at four versions) gets the same flight; the
    parser's caps and one copy of the raw bytes keep the check's peak bounded."""
    peer = hostile(answer(_big_flights(pki)[name]))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(peer.port)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    base, peak, attempts = (int(x) for x in done.stdout.split())
    grew_mib = (peak - base) / 1024
    print(f"{name}: {attempts} TLS 1.2 attempts, peak {base} -> {peak} KiB (+{grew_mib:.1f} MiB)")
    assert grew_mib <= CHECK_BUDGET_MIB, (name, base, peak)
