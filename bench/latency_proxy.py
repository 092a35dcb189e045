"""A user-space latency proxy: loopback origins made to look RTT milliseconds away.

netem is not available on the project's machines, so this asyncio proxy stands in
for the network. One `LatencyProxy` runs an event loop in a thread and can front
any number of loopback origins, one listening port each (`front(upstream_port)`).

The network it models:

- every chunk read from one side is written to the other RTT/2 later, in order
  (one queue per direction, each chunk with its release time; release times only
  grow, so order is preserved), and EOF travels the same way;
- a connection is charged one RTT for the TCP handshake: a client's connect()
  returns at once on loopback, so nothing it sends is released before
  accept + RTT (+ RTT/2 in flight), which is when the bytes would arrive if its
  connect() had really taken one round trip. The proxy connects upstream at
  accept + RTT. A connection that is opened and closed without a byte in either
  direction is not charged (user space cannot slow down connect() itself).

What it counts (`Stats`):

- `connections`: TCP connections accepted;
- `network_ms`: the length of the union of all intervals during which something
  was in flight (a handshake being charged, or a chunk waiting for its release);
  time in which several connections were in flight at once counts once;
- `round_trips()`: network_ms / RTT, "round trips on the critical path". For a
  client that waits for every answer before it sends again, this is exactly its
  sequential round trips (connect = 1, each request/response = 1, a last flight
  nobody answers = 1/2); concurrent connections overlap and count once.

Run alone: python bench/latency_proxy.py --rtt 100 --upstream 8443 [--listen 9443]
In its own process, driven by the benchmark: --serve (see `serve`, and
bench/proxy_processes.py for the client).
Check its timing: python bench/latency_proxy.py --selftest [--rtt 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

LOCALHOST = "127.0.0.1"
_CHUNK = 65536


@dataclass
class Stats:
    """What went through the proxy since the last `reset()`."""

    rtt_ms: float
    connections: int = 0
    silent: int = 0  # connections closed before a byte moved: their handshake not charged
    intervals: list[tuple[float, float]] = field(default_factory=list)  # monotonic s

    def network_ms(self, start: float | None = None, end: float | None = None) -> float:
        """Length of the union of the in-flight intervals, in ms, clipped to
        [start, end] (time.monotonic() seconds) when given: what is still in flight
        after the client under test has exited is not its time."""
        lo, hi = start if start is not None else float("-inf"), end or float("inf")
        total, reached = 0.0, float("-inf")
        for first, last in sorted(self.intervals):
            first, last = max(first, lo, reached), min(last, hi)
            if last > first:
                total += last - first
                reached = last
        return total * 1000

    def merged(self) -> list[tuple[float, float]]:
        """The in-flight intervals as their union (sorted, disjoint); clipping the union
        gives the same network_ms as clipping the intervals."""
        out: list[tuple[float, float]] = []
        for first, last in sorted(self.intervals):
            if out and first <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], last))
            elif last > first:
                out.append((first, last))
        return out

    def round_trips(self, start: float | None = None, end: float | None = None) -> float | None:
        """Round trips on the critical path: network_ms / RTT (None at RTT 0)."""
        return self.network_ms(start, end) / self.rtt_ms if self.rtt_ms > 0 else None


class LatencyProxy:
    """Delays loopback TCP traffic by RTT/2 per direction; see the module docstring."""

    def __init__(self, rtt_ms: float, host: str = LOCALHOST):
        self.rtt = rtt_ms / 1000
        self.host = host
        self._stats = Stats(rtt_ms)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()  # its time() is time.monotonic()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name=f"latency-proxy-{rtt_ms:g}ms")
        self._servers: list[asyncio.base_events.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()

    # --- control, from any thread ---------------------------------------------------

    def start(self) -> LatencyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            for server in self._servers:
                server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def front(self, upstream_port: int, listen_port: int = 0) -> int:
        """Listen on a new port that forwards to `upstream_port`; returns the new port."""
        async def listen() -> int:
            server = await asyncio.start_server(
                lambda r, w: self._accepted(r, w, upstream_port), self.host, listen_port,
                backlog=512)
            self._servers.append(server)
            port: int = server.sockets[0].getsockname()[1]
            return port

        return asyncio.run_coroutine_threadsafe(listen(), self._loop).result(5)

    def pids(self) -> list[int]:
        """Processes other than the caller's that carry the traffic: none, it is a thread."""
        return []

    def reset(self) -> None:
        with self._lock:
            self._stats = Stats(self._stats.rtt_ms)

    def stats(self) -> Stats:
        """A copy of the counts so far."""
        with self._lock:
            return Stats(self._stats.rtt_ms, self._stats.connections, self._stats.silent,
                         list(self._stats.intervals))

    # --- the loop -----------------------------------------------------------------

    def _in_flight(self, start: float, stop: float) -> None:
        if stop > start:
            with self._lock:
                self._stats.intervals.append((start, stop))

    def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  upstream_port: int) -> None:
        task = asyncio.ensure_future(self._relay(reader, writer, upstream_port))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _relay(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter,
                     upstream_port: int) -> None:
        loop = asyncio.get_running_loop()
        accepted = loop.time()
        established = accepted + self.rtt  # when the client's connect() would return
        with self._lock:
            self._stats.connections += 1
        self._in_flight(accepted, established)
        to_server: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()
        moved = [False]  # did any byte pass, in either direction
        pumps = [asyncio.ensure_future(self._read(c_reader, to_server, established, moved))]
        u_writer: asyncio.StreamWriter | None = None
        try:
            await asyncio.sleep(max(0.0, established - loop.time()))
            try:
                u_reader, u_writer = await asyncio.wait_for(
                    asyncio.open_connection(LOCALHOST, upstream_port), 10)
            except (OSError, asyncio.TimeoutError):
                return
            to_client: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()
            assert u_writer is not None
            pumps += [asyncio.ensure_future(self._read(u_reader, to_client, established, moved)),
                      asyncio.ensure_future(self._write(to_server, u_writer)),
                      asyncio.ensure_future(self._write(to_client, c_writer))]
            await asyncio.gather(*pumps[2:])  # both directions delivered their EOF
        finally:
            if not moved[0]:
                with self._lock:
                    self._stats.silent += 1
            for pump in pumps:
                pump.cancel()
            for w in (c_writer, u_writer):
                if w is not None:
                    w.close()

    async def _read(self, reader: asyncio.StreamReader,
                    queue: asyncio.Queue[tuple[float, bytes | None]], established: float,
                    moved: list[bool]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                chunk: bytes | None = await reader.read(_CHUNK)
            except (OSError, asyncio.IncompleteReadError):
                chunk = b""
            moved[0] = moved[0] or bool(chunk)
            sent = max(loop.time(), established)
            release = sent + self.rtt / 2
            self._in_flight(sent, release)
            await queue.put((release, chunk or None))
            if not chunk:
                return

    async def _write(self, queue: asyncio.Queue[tuple[float, bytes | None]],
                     writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        while True:
            release, chunk = await queue.get()
            await asyncio.sleep(max(0.0, release - loop.time()))
            try:
                if chunk is None:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(chunk)
                await writer.drain()
            except OSError:
                return


def selftest(rtt_ms: float = 100, slack_ms: float = 20, processes: int = 0) -> None:
    """Against a loopback echo server: connect() is instant, the first echo comes back
    after 2 RTT (handshake + one exchange), the next after 3, order is kept, and the
    proxy counts 1 connection and 4 round trips (handshake, two exchanges, and the
    FIN each way, a half each). `processes`: test bench/proxy_processes.py's
    `ProxyProcesses` with that many processes instead of a `LatencyProxy` thread."""
    if processes:
        from proxy_processes import ProxyProcesses

        proxied: contextlib.AbstractContextManager[Any] = ProxyProcesses(rtt_ms, processes)
    else:
        proxied = LatencyProxy(rtt_ms)
    with socket.create_server((LOCALHOST, 0)) as listener, proxied as proxy:
        def echo() -> None:
            conn, _ = listener.accept()
            with conn:
                while data := conn.recv(_CHUNK):
                    conn.sendall(data)

        threading.Thread(target=echo, daemon=True).start()
        port = proxy.front(listener.getsockname()[1])
        start = time.monotonic()
        echoes: list[tuple[bytes, float]] = []
        with socket.create_connection((LOCALHOST, port), timeout=5) as sock:
            for word in (b"one", b"two"):
                sock.sendall(word)
                echoes.append((sock.recv(_CHUNK), (time.monotonic() - start) * 1000))
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(_CHUNK) == b""
        end = time.monotonic()
        stats = proxy.stats()
    rts = stats.round_trips(start, end) or 0.0
    label = f" ({processes} proxy processes)" if processes else ""
    print(f"selftest at {rtt_ms:g} ms RTT{label}: echoes {[(w, round(t)) for w, t in echoes]} ms, "
          f"{stats.connections} connection, {rts:.2f} round trips")
    assert [w for w, _ in echoes] == [b"one", b"two"], echoes
    assert abs(echoes[0][1] - 2 * rtt_ms) < slack_ms, echoes
    assert abs(echoes[1][1] - 3 * rtt_ms) < slack_ms, echoes
    assert stats.connections == 1 and abs(rts - 4) < 0.05, (stats.connections, rts)
    spread = Stats(rtt_ms, intervals=[(0.0, 2.0), (1.0, 3.0), (5.0, 6.0), (5.5, 5.7), (7.0, 7.0)])
    union = Stats(rtt_ms, intervals=spread.merged())
    assert union.intervals == [(0.0, 3.0), (5.0, 6.0)], union.intervals
    for lo, hi in ((None, None), (0.5, 5.5), (2.5, 9.0)):
        assert abs(spread.network_ms(lo, hi) - union.network_ms(lo, hi)) < 1e-9, (lo, hi)


def serve(rtt_ms: float) -> None:
    """A proxy for another process (bench/proxy_processes.py), driven by one command
    per line on stdin, one JSON line back on stdout: `front UPSTREAM [LISTEN]` ->
    {"port": N}; `reset` -> {}; `stats` -> {"connections", "silent", "intervals"}
    (the intervals merged); `quit` or EOF stops it."""
    def reply(value: object) -> None:
        sys.stdout.write(json.dumps(value) + "\n")
        sys.stdout.flush()

    with LatencyProxy(rtt_ms) as proxy:
        reply({"ready": True})
        for line in sys.stdin:
            command, *args = line.split() or [""]
            if command == "front":
                reply({"port": proxy.front(*(int(a) for a in args[:2]))})
            elif command == "reset":
                proxy.reset()
                reply({})
            elif command == "stats":
                stats = proxy.stats()
                reply({"connections": stats.connections, "silent": stats.silent,
                       "intervals": stats.merged()})
            elif command == "quit":
                break
            else:
                reply({"error": f"unknown command {command!r}"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt", type=float, default=100, help="round-trip time in ms")
    parser.add_argument("--upstream", type=int, help="the loopback origin port")
    parser.add_argument("--listen", type=int, default=0, help="port to listen on (default any)")
    parser.add_argument("--selftest", action="store_true", help="check the proxy's timing")
    parser.add_argument("--processes", type=int, default=0,
                        help="with --selftest: test the proxy in N processes of its own")
    parser.add_argument("--serve", action="store_true",
                        help="take commands on stdin (see serve(); used by the benchmark)")
    args = parser.parse_args()
    if args.serve:
        serve(args.rtt)
        return 0
    if args.selftest:
        selftest(args.rtt or 100, processes=args.processes)
        return 0
    if args.upstream is None:
        parser.error("--upstream PORT is required")
    with LatencyProxy(args.rtt) as proxy:
        port = proxy.front(args.upstream, args.listen)
        print(f"127.0.0.1:{port} -> 127.0.0.1:{args.upstream} at {args.rtt:g} ms RTT; "
              "Ctrl-C prints the counts and stops", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
        stats = proxy.stats()
        print(f"{stats.connections} connections ({stats.silent} silent), "
              f"{stats.network_ms():.0f} ms in flight"
              + (f", {stats.round_trips():.1f} round trips" if args.rtt else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
