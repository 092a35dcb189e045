"""Speed, side by side: cftui against the by-hand `openssl s_client` way (and sslyze).

Starts loopback origins (healthy RSA, healthy ECDSA, TLS 1.0 only, missing
intermediate), then times on each, in one run:

- cftui's full check in process (all four OriginSslProtocols enabled, suites
  enumerated, certificate, verdict, HTTP) and as a command (`cftui check`);
- the by-hand way: one `openssl s_client` per protocol with CloudFront's cipher
  list (OpenSSL 3 cannot even try SSLv3, so that one is left out);
- sslyze with comparable scan commands, when it is installed (on PATH, or named by
  the SSLYZE environment variable: it pins its own cryptography, so a venv of its
  own is best: python -m venv /tmp/sy && /tmp/sy/bin/pip install sslyze);

and prints medians, ratios and TCP connection counts, then a scale test: 50
origins checked concurrently. Usage: python bench/bench_check.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from cftui.demo.loopback import LoopbackServer
from cftui.demo.pki import Pki
from cftui.demo.servers import TlsOrigin
from cftui.engine.profile import ORIGIN_SSL_PROTOCOLS, Protocol, cloudfront_cipher_string
from cftui.engine.run import check
from cftui.engine.target import Target

NAME = "origin.bench.test"


@dataclass
class Origin:
    title: str
    server: LoopbackServer


@contextlib.contextmanager
def origins(workdir: Path) -> Iterator[tuple[list[Origin], Path]]:
    pki = Pki.create("cftui Bench")
    ca_file = pki.write_root(workdir)
    rsa = pki.issue(NAME)
    ecdsa = pki.issue(NAME, key_type="ec:secp256r1", key_index=5)
    plans = [
        ("healthy RSA", TlsOrigin(rsa, min_version="TLSv1.2")),
        ("healthy ECDSA", TlsOrigin(ecdsa, min_version="TLSv1.2")),
        ("TLS 1.0 only", TlsOrigin(rsa, min_version="TLSv1", max_version="TLSv1",
                                   ciphers="DEFAULT:@SECLEVEL=0")),
        ("missing intermediate", TlsOrigin(rsa, (), min_version="TLSv1.2")),
    ]
    with contextlib.ExitStack() as stack:
        started = [Origin(title, stack.enter_context(server)) for title, server in plans]
        yield started, ca_file


def target(origin: Origin, ca_file: Path) -> Target:
    return Target(domain=NAME, port=origin.server.port, protocols=ORIGIN_SSL_PROTOCOLS,
                  connect_to=("127.0.0.1",), ca_file=str(ca_file), connect_timeout=5,
                  read_timeout=5)


def timed(fn: Callable[[], object], runs: int, server: LoopbackServer) -> tuple[float, int]:
    """Median wall time in ms, and TCP connections per run."""
    fn()  # warm-up
    before = server.connections
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), round((server.connections - before) / runs)


def by_hand(origin: Origin, ca_file: Path) -> Callable[[], object]:
    """The manual procedure: one s_client per protocol OpenSSL 3 still has."""
    flags = {Protocol.TLSv1: "-tls1", Protocol.TLSv1_1: "-tls1_1", Protocol.TLSv1_2: "-tls1_2"}

    def run() -> None:
        for protocol, flag in flags.items():
            subprocess.run(
                ["openssl", "s_client", "-connect", f"127.0.0.1:{origin.server.port}",
                 "-servername", NAME, flag, "-cipher", cloudfront_cipher_string(protocol),
                 "-CAfile", str(ca_file), "-verify_hostname", NAME],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=30, check=False)

    return run


def as_command(origin: Origin, ca_file: Path) -> Callable[[], object]:
    args = [sys.executable, "-m", "cftui", "check", NAME, "--connect-to", "127.0.0.1",
            "--port", str(origin.server.port), "--protocols", "SSLv3,TLSv1,TLSv1.1,TLSv1.2",
            "--ca-file", str(ca_file), "--format", "json"]
    return lambda: subprocess.run(args, capture_output=True, timeout=60, check=False)


def sslyze(origin: Origin, ca_file: Path) -> Callable[[], object] | None:
    exe = os.environ.get("SSLYZE") or shutil.which("sslyze")
    if exe is None:
        return None
    args = [exe, f"{NAME}:{origin.server.port}{{127.0.0.1}}", "--sslv3", "--tlsv1",
            "--tlsv1_1", "--tlsv1_2", "--certinfo", f"--certinfo_ca_file={ca_file}", "--quiet"]
    return lambda: subprocess.run(args, capture_output=True, timeout=120, check=False)


def scale(count: int, ca_file: Path, origin: Origin) -> tuple[float, int]:
    """`count` origins (one server per origin) checked concurrently."""
    pki_servers: list[LoopbackServer] = []
    with contextlib.ExitStack() as stack:
        template = origin.server
        assert isinstance(template, TlsOrigin)
        for _ in range(count):
            server = TlsOrigin.__new__(TlsOrigin)
            server.__dict__.update(template.__dict__)
            LoopbackServer.__init__(server, "127.0.0.1", 0)
            pki_servers.append(stack.enter_context(server))
        targets = [target(Origin("x", s), ca_file) for s in pki_servers]
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(check, targets))
        took = (time.perf_counter() - start) * 1000
        return took, sum(s.connections for s in pki_servers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--scale", type=int, default=50)
    args = parser.parse_args()
    print(f"cftui benchmark, {args.runs} runs each, medians; python {sys.version.split()[0]}; "
          f"threads {threading.active_count()}")
    print(f"{'origin':<22}{'cftui in-process':>20}{'cftui command':>18}{'s_client x3':>16}"
          f"{'sslyze':>16}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp, origins(Path(tmp)) as (started, ca_file):
        for origin in started:
            t = target(origin, ca_file)
            inproc, conns = timed(functools.partial(check, t), args.runs, origin.server)
            command, _ = timed(as_command(origin, ca_file), max(3, args.runs // 3),
                               origin.server)
            hand, hand_conns = timed(by_hand(origin, ca_file), max(3, args.runs // 3),
                                     origin.server)
            sslyze_fn = sslyze(origin, ca_file)
            sy, sy_conns = (timed(sslyze_fn, 3, origin.server) if sslyze_fn else (None, 0))
            baseline = sy if sy else hand
            print(f"{origin.title:<22}{inproc:>9.1f} ms {conns:>3} conn{command:>11.1f} ms"
                  f"{hand:>9.1f} ms {hand_conns:>2} c"
                  + (f"{sy:>9.1f} ms {sy_conns:>3} c" if sy else f"{'n/a':>16}")
                  + f"{baseline / inproc:>7.1f}x")
        took, conns = scale(args.scale, ca_file, started[0])
        print(f"scale: {args.scale} origins concurrently in {took:.0f} ms, {conns} connections")
    return 0


if __name__ == "__main__":
    sys.exit(main())
