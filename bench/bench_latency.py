"""Latency benchmark: `cftui check` against the by-hand way and sslyze, 0/20/100 ms away.

On loopback a check is a few milliseconds of work; across the internet what counts
is how many round trips happen one after another. This script starts one healthy
loopback origin (RSA; TLS 1.0-1.3 by default, --origin modern for TLS 1.2+),
served by nginx (bench/nginx_origin.py; Python `ssl` threads in this process if
nginx is missing, or with --servers python), puts it behind the user-space
latency proxy of bench/latency_proxy.py at each RTT, run in processes of its own
(bench/proxy_processes.py; --proxies 0 runs it as a thread here), at 0 ms the
tools talk to the origin directly, and times as processes, median of N runs:

- `cftui check DOMAIN --connect-to 127.0.0.1 --port P --protocols
  SSLv3,TLSv1,TLSv1.1,TLSv1.2 --ca-file ROOT --format json` (HTTP included);
- the by-hand way: four `openssl s_client` runs one after another, one per
  OriginSslProtocol, with CloudFront's cipher list and stdin closed (OpenSSL 3
  has no -ssl3: that run fails at once, as it does for a person);
- sslyze --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --certinfo, if installed (the
  SSLYZE environment variable, or sslyze on PATH);

printing wall time, TCP connections and round trips on the critical path, then
50 origins at 100 ms in one `cftui check --config` process (with the CPU that
cftui and each part of the apparatus used in it), `cftui check --help`, and the
issue's goals with met / not met. Round trips: see bench/latency_proxy.py
and docs/benchmarks.md.

Usage: python bench/bench_latency.py [--runs N] [--quick] [--rtts 0,20,100]
                                    [--origin wide|modern] [--fifty N]
                                    [--servers nginx|python] [--proxies N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_proxy import LatencyProxy
from nginx_origin import NGINX, NginxOrigins, cpu_seconds
from proxy_processes import ProxyProcesses

from cftui.demo.pki import Issued, Pki
from cftui.demo.servers import TlsOrigin
from cftui.engine.profile import ORIGIN_SSL_PROTOCOLS, cloudfront_cipher_string

NAME = "origin.bench.test"
PROTOCOLS = ",".join(p.value for p in ORIGIN_SSL_PROTOCOLS)  # SSLv3,TLSv1,TLSv1.1,TLSv1.2
S_CLIENT_FLAGS = {"SSLv3": "-ssl3", "TLSv1": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2"}


def cftui_command() -> list[str]:
    """The installed `cftui` script next to this interpreter, else `python -m cftui`."""
    script = Path(sys.executable).with_name("cftui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cftui"]


def sslyze_command() -> str | None:
    return os.environ.get("SSLYZE") or shutil.which("sslyze")


Proxy = LatencyProxy | ProxyProcesses


@dataclass
class Sample:
    wall_ms: float
    connections: int
    round_trips: float | None  # proxy's critical path; None at RTT 0
    reported: int | None = None  # connections cftui's JSON report counts


@dataclass
class Row:
    tool: str
    rtt: float
    samples: list[Sample]

    @property
    def wall(self) -> float:
        return statistics.median(s.wall_ms for s in self.samples)

    @property
    def connections(self) -> int:
        return round(statistics.median(s.connections for s in self.samples))

    @property
    def round_trips(self) -> float | None:
        values = [s.round_trips for s in self.samples if s.round_trips is not None]
        return statistics.median(values) if values else None


class Lab:
    """Healthy origins, reachable directly (RTT 0) or through a proxy per RTT.

    The origins are served by nginx (bench/nginx_origin.py) unless `server` is
    "python" or nginx is missing or fails to start: then by Python `ssl` servers in
    this process, which compete with the proxy for its interpreter lock."""

    def __init__(self, stack: contextlib.ExitStack, workdir: Path, kind: str = "wide",
                 server: str = "nginx", proxy_processes: int = 0):
        self.stack = stack
        self.kind = kind
        self.workdir = workdir
        pki = Pki.create("cftui Latency Bench")
        self.ca_file = pki.write_root(workdir)
        self.leaf: Issued = pki.issue(NAME)
        self.leaf_files = self.leaf.write(workdir, "leaf")
        self.server = server
        if server == "nginx" and NGINX is None:
            print("note: nginx is not installed; the origins are Python ssl servers in this "
                  "process", file=sys.stderr)
            self.server = "python"
        self.python_origins: list[TlsOrigin] = []
        self.nginxes: list[NginxOrigins] = []
        self.origin_port = self.new_origins(1)[0]
        self.proxy_processes = proxy_processes
        self.proxies: dict[float, Proxy] = {}
        self.proxy_kind = (f"{proxy_processes} process(es) of its own" if proxy_processes
                           else "a thread of this process")
        self.ports: dict[float, int] = {}  # RTT -> the proxy port in front of the origin

    def new_origins(self, count: int) -> list[int]:
        """Start `count` more origins; their ports. "wide": TLS 1.0-1.3 with legacy
        suites, so every s_client run completes a handshake and cftui enumerates suites
        under three protocols; "modern": TLS 1.2+."""
        if self.server == "nginx":
            try:
                nginx = NginxOrigins(self.leaf_files.chain, self.leaf_files.key,
                                     self.workdir / f"nginx{len(self.nginxes)}", count,
                                     self.kind)
                self.nginxes.append(self.stack.enter_context(nginx))
                return nginx.ports
            except RuntimeError as exc:
                print(f"note: {exc}; falling back to Python ssl origins in this process",
                      file=sys.stderr)
                self.server = "python"
        return [self.python_origin().port for _ in range(count)]

    def python_origin(self) -> TlsOrigin:
        if self.kind == "modern":
            origin = TlsOrigin(self.leaf, min_version="TLSv1.2")
        else:
            origin = TlsOrigin(self.leaf, min_version="TLSv1", ciphers="DEFAULT:@SECLEVEL=0")
        self.python_origins.append(self.stack.enter_context(origin))
        return origin

    @property
    def connections(self) -> int:
        """TCP connections all origins accepted so far."""
        return (sum(o.connections for o in self.python_origins)
                + sum(n.connections for n in self.nginxes))

    def cpu(self) -> dict[str, float]:
        """CPU seconds (user + system) used so far by each part of the apparatus."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        parts = {"bench process": own.ru_utime + own.ru_stime}
        if self.nginxes:
            parts["nginx"] = cpu_seconds([p for n in self.nginxes for p in n.pids()])
        for rtt, proxy in self.proxies.items():  # one by one: is any of them saturated?
            for i, pid in enumerate(proxy.pids()):
                parts[f"proxy process {i + 1} at {rtt:g} ms"] = cpu_seconds([pid])
        return parts

    def proxy(self, rtt: float) -> Proxy:
        if rtt not in self.proxies:
            proxy: Proxy = (ProxyProcesses(rtt, self.proxy_processes) if self.proxy_processes
                            else LatencyProxy(rtt))
            self.stack.enter_context(proxy)
            self.proxies[rtt] = proxy
        return self.proxies[rtt]

    def port(self, rtt: float) -> int:
        if rtt not in self.ports:
            self.ports[rtt] = self.proxy(rtt).front(self.origin_port)
        return self.ports[rtt]


Tool = Callable[[int], int | None]  # port -> connections cftui reports (or None)


def cftui_check(lab: Lab) -> Tool:
    def run(port: int) -> int | None:
        out = subprocess.run(
            [*cftui_command(), "check", NAME, "--connect-to", "127.0.0.1", "--port", str(port),
             "--protocols", PROTOCOLS, "--ca-file", str(lab.ca_file), "--format", "json"],
            capture_output=True, timeout=120, check=False)
        try:
            report = json.loads(out.stdout)
        except ValueError:
            print(f"  warning: cftui printed no JSON (exit {out.returncode}): "
                  f"{out.stderr.decode(errors='replace')[-300:]}", file=sys.stderr)
            return None
        if report.get("verdict", {}).get("would_fail"):
            print(f"  warning: cftui says the origin would fail (exit {out.returncode})",
                  file=sys.stderr)
        return sum(int(p.get("connections", 0)) for a in report.get("per_address", [])
                   for p in a.get("protocols", []))
    return run


def by_hand(lab: Lab) -> Tool:
    """The manual procedure: one s_client per protocol, one after another."""
    def run(port: int) -> None:
        for protocol in ORIGIN_SSL_PROTOCOLS:
            subprocess.run(
                ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", NAME,
                 S_CLIENT_FLAGS[protocol.value], "-cipher", cloudfront_cipher_string(protocol),
                 "-CAfile", str(lab.ca_file), "-verify_hostname", NAME],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=False)
        return None
    return run


def sslyze(lab: Lab, exe: str) -> Tool:
    def run(port: int) -> None:
        subprocess.run(
            [exe, f"{NAME}:{port}{{127.0.0.1}}", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2",
             "--certinfo", f"--certinfo_ca_file={lab.ca_file}", "--quiet"],
            capture_output=True, timeout=300, check=False)
        return None
    return run


def measure(lab: Lab, tool: Tool, rtt: float, runs: int) -> list[Sample]:
    samples = []
    for _ in range(runs):
        if rtt:
            proxy, port = lab.proxy(rtt), lab.port(rtt)
            proxy.reset()
        else:
            port, before = lab.origin_port, lab.connections
        start = time.monotonic()
        reported = tool(port)
        end = time.monotonic()
        if rtt:
            stats = proxy.stats()
            conns, rts = stats.connections, stats.round_trips(start, end)
            if stats.silent:
                print(f"  note: {stats.silent} connections carried no byte (not charged)",
                      file=sys.stderr)
        else:
            conns, rts = lab.connections - before, None
        samples.append(Sample((end - start) * 1000, conns, rts, reported))
    return samples


@dataclass
class Fifty:
    """The 50-origin case: medians over the runs, CPU in seconds per run."""

    wall_ms: float
    connections: int
    round_trips: float | None
    cftui_cpu: float  # the cftui process's user + system (RUSAGE_CHILDREN delta)
    apparatus_cpu: dict[str, float]  # the bench's parts, same run


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fifty_origins(lab: Lab, count: int, rtt: float, runs: int) -> Fifty:
    """`count` origins, each behind its own proxy port, in one `cftui check --config`."""
    proxy = lab.proxy(rtt)
    lines = ['[[distribution]]', 'id = "EBENCH"', 'name = "bench"', '']
    for i, origin_port in enumerate(lab.new_origins(count)):
        port = proxy.front(origin_port)
        lines += ['[[distribution.origin]]', f'id = "o{i + 1}"', f'domain = "{NAME}"',
                  f'https_port = {port}', f'protocols = {json.dumps(PROTOCOLS.split(","))}',
                  'connect_to = ["127.0.0.1"]', f'ca_file = "{lab.ca_file}"', '']
    config = lab.workdir / "fifty.toml"
    config.write_text("\n".join(lines))
    walls, conns, rts, cpus = [], 0, [], []
    apparatus: dict[str, list[float]] = {}
    for _ in range(runs):
        proxy.reset()
        cpu_before, apparatus_before = children_cpu(), lab.cpu()
        start = time.monotonic()
        out = subprocess.run([*cftui_command(), "check", "--config", str(config),
                              "--distribution", "bench", "--format", "json"],
                             capture_output=True, timeout=600, check=False)
        end = time.monotonic()
        cpus.append(children_cpu() - cpu_before)
        for part, seconds in lab.cpu().items():
            apparatus.setdefault(part, []).append(seconds - apparatus_before.get(part, 0.0))
        walls.append((end - start) * 1000)
        stats = proxy.stats()
        conns = stats.connections
        rts.append(stats.round_trips(start, end) or 0.0)
        try:
            reports = json.loads(out.stdout).get("reports", [])
        except ValueError:
            reports = []
        failing = sum(1 for r in reports if r.get("verdict", {}).get("would_fail"))
        if len(reports) != count or failing:
            print(f"  warning: {len(reports)} reports, {failing} would fail "
                  f"(exit {out.returncode})")
    return Fifty(statistics.median(walls), conns, statistics.median(rts),
                 statistics.median(cpus),
                 {part: statistics.median(v) for part, v in apparatus.items()})


def help_time(runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.monotonic()
        subprocess.run([*cftui_command(), "check", "--help"], capture_output=True, check=True)
        times.append((time.monotonic() - start) * 1000)
    return statistics.median(times)


def fmt_rt(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "–"


def print_table(rows: Sequence[Row], by: dict[tuple[str, float], Row]) -> None:
    print("| tool | RTT | wall (median) | connections | round trips (proxy) "
          "| round trips ((wall − wall@0)/RTT) | ÷ cftui |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        base = by.get((row.tool, 0.0))
        by_wall = (row.wall - base.wall) / row.rtt if base and row.rtt else None
        cftui = by.get(("cftui check", row.rtt))
        ratio = f"{row.wall / cftui.wall:.2f}×" if cftui and row.tool != "cftui check" else ""
        print(f"| {row.tool} | {row.rtt:g} ms | {row.wall:.0f} ms | {row.connections} "
              f"| {fmt_rt(row.round_trips)} | {fmt_rt(by_wall)} | {ratio} |")


def goals(by: dict[tuple[str, float], Row], fifty_ms: float | None, help_ms: float) -> None:
    def line(text: str, value: str, met: bool | None) -> None:
        mark = "n/a" if met is None else ("met" if met else "NOT met")
        print(f"- {text}: {value} — {mark}")

    print("\nGoals (issue: faster than by hand):")
    c100, h100 = by.get(("cftui check", 100.0)), by.get(("s_client ×4", 100.0))
    s100 = by.get(("sslyze", 100.0))
    if c100:
        line("one origin at 100 ms ≤ 600 ms", f"{c100.wall:.0f} ms", c100.wall <= 600)
        rts = c100.round_trips
        line("≤ 5 round trips on the critical path at 100 ms", fmt_rt(rts),
             rts is not None and rts <= 5)
        line("≥ 2.5× faster than s_client ×4 at 100 ms",
             f"{h100.wall / c100.wall:.2f}×" if h100 else "–",
             h100.wall / c100.wall >= 2.5 if h100 else None)
        line("≥ 30× faster than sslyze at 100 ms",
             f"{s100.wall / c100.wall:.1f}×" if s100 else "–",
             s100.wall / c100.wall >= 30 if s100 else None)
        line("connections per origin ≤ 40", str(c100.connections), c100.connections <= 40)
    c0, s0 = by.get(("cftui check", 0.0)), by.get(("sslyze", 0.0))
    if c0:
        line("loopback: ≥ 10× faster than sslyze", f"{s0.wall / c0.wall:.1f}×" if s0 else "–",
             s0.wall / c0.wall >= 10 if s0 else None)
    if fifty_ms is not None:
        line("50 origins at 100 ms in one process ≤ 1.5 s", f"{fifty_ms:.0f} ms",
             fifty_ms <= 1500)
    line("`cftui check --help` ≤ 60 ms", f"{help_ms:.0f} ms", help_ms <= 60)


@contextlib.contextmanager
def lab_running(kind: str, server: str = "nginx", proxies: int = 0) -> Iterator[Lab]:
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        yield Lab(stack, Path(tmp), kind, server, proxies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per tool and RTT (median)")
    parser.add_argument("--quick", action="store_true", help="3 runs, sslyze once")
    parser.add_argument("--rtts", default="0,20,100", help="comma list of RTTs in ms")
    parser.add_argument("--fifty", type=int, default=50, help="origins in the scale case "
                        "(0 skips it)")
    parser.add_argument("--origin", choices=("wide", "modern"), default="wide",
                        help="wide: TLS 1.0-1.3 (default); modern: TLS 1.2+ only")
    parser.add_argument("--servers", choices=("nginx", "python"), default="nginx",
                        help="who serves the origins: nginx (default; Python if nginx is "
                        "missing) or Python ssl threads in this process")
    parser.add_argument("--proxies", type=int, default=2,
                        help="latency proxy processes per RTT (0: a thread of this process)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    runs = 3 if args.quick else args.runs
    rtts = [float(r) for r in args.rtts.split(",")]
    sy = sslyze_command()
    # An installed package has its .pyc files (pip compiles them); a checkout under
    # PYTHONDONTWRITEBYTECODE=1 would compile every module at every start instead.
    import cftui

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(cftui.__file__).parent)],
                   check=False, capture_output=True)
    print(f"latency benchmark, {time.strftime('%Y-%m-%d')}; python {sys.version.split()[0]}; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"{runs} runs (sslyze fewer), medians; {args.origin} origin; "
          f"cftui: {' '.join(cftui_command())}; sslyze: {sy or 'not installed'}\n")
    with lab_running(args.origin, args.servers, args.proxies) as lab:
        print(f"origins: {lab.server}; latency proxy: {lab.proxy_kind}\n")
        tools: list[tuple[str, Tool, Callable[[float], int]]] = [
            ("cftui check", cftui_check(lab), lambda rtt: runs),
            ("s_client ×4", by_hand(lab), lambda rtt: runs),
        ]
        if sy:
            tools.append(("sslyze", sslyze(lab, sy),
                          lambda rtt: 1 if args.quick or rtt >= 100 else max(1, runs // 2)))
        for _, tool, _ in tools:  # warm the disk cache and the interpreters' .pyc files
            tool(lab.origin_port)
        rows: list[Row] = []
        for rtt in rtts:
            for name, tool, count in tools:
                rows.append(Row(name, rtt, measure(lab, tool, rtt, count(rtt))))
                print(f"  {name} at {rtt:g} ms: {rows[-1].wall:.0f} ms", file=sys.stderr)
        by = {(r.tool, r.rtt): r for r in rows}
        print_table(rows, by)
        for rtt in rtts:
            row = by[("cftui check", rtt)]
            reported = [s.reported for s in row.samples if s.reported is not None]
            if reported:
                print(f"\ncftui's report counts {reported[-1]} connections at {rtt:g} ms "
                      f"(the proxy/origin {row.connections}).", end="")
        print()
        fifty = None
        if args.fifty and 100.0 in rtts:
            case = fifty_origins(lab, args.fifty, 100.0, 1 if args.quick else 2)
            fifty = case.wall_ms
            wall_s = case.wall_ms / 1000
            print(f"\n{args.fifty} origins at 100 ms, one `cftui check --config` process: "
                  f"{fifty:.0f} ms, {case.connections} connections, "
                  f"{fmt_rt(case.round_trips)} round trips (proxy); cftui CPU "
                  f"{case.cftui_cpu:.2f} s ({case.cftui_cpu / wall_s:.0%} of one core)")
            print("  apparatus CPU in that run: " + ", ".join(
                f"{part} {seconds:.2f} s ({seconds / wall_s:.0%} of one core)"
                for part, seconds in case.apparatus_cpu.items()
                if seconds >= 0.005 or not part.startswith("proxy")))
        help_ms = help_time(20)
        print(f"\n`cftui check --help`: {help_ms:.0f} ms (median of 20)")
        goals(by, fifty, help_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
