"""Benchmark origins served by nginx, outside the benchmark's interpreter.

One nginx master (one worker per core) with one `server { listen 127.0.0.1:PORT
ssl; }` block per origin, all with the same certificate chain, each answering
`GET /` with `200 ok`. The Python `ssl` origins of cftui.demo.servers run a thread
per connection under the benchmark's interpreter lock, next to the latency proxy,
so with 50 origins the apparatus, not cftui, was the bottleneck.

"wide" is TLS 1.0-1.3 with `DEFAULT:@SECLEVEL=0`, the Python origin's settings;
"modern" is TLS 1.2-1.3 with Python's default server suites. The nginx process
itself (OPENSSL_CONF, start, stop) is cftui.demo.nginx's, as the tests use it.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from cftui.demo.nginx import NGINX, NginxProcess, free_ports

__all__ = ["NGINX", "NginxOrigins", "cpu_seconds"]
HOST = NginxProcess.host

# Python's own default for server contexts (3.10+), which the "modern" Python origin uses.
PYTHON_SERVER_CIPHERS = ("@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:"
                         "!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM")
PROFILES = {  # kind -> (ssl_protocols, ssl_ciphers)
    "wide": ("TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", "DEFAULT:@SECLEVEL=0"),
    "modern": ("TLSv1.2 TLSv1.3", PYTHON_SERVER_CIPHERS),
}


class NginxOrigins(NginxProcess):
    """`count` TLS origins on 127.0.0.1 in one nginx; `ports[i]` is origin i.

    `pids()` lists the master and its workers, so the benchmark can read their CPU.
    """

    def __init__(self, chain: Path, key: Path, workdir: Path, count: int = 1,
                 kind: str = "wide", workers: int | None = None,
                 start_timeout: float = 10.0):
        super().__init__(workdir, start_timeout=start_timeout)
        self.chain, self.key, self.kind = chain, key, kind
        self.count = count
        self.workers = workers or os.cpu_count() or 1
        self.status_port = 0  # plain HTTP, stub_status: nginx's count of accepted connections
        self._status_reads = 0

    def _choose_ports(self) -> None:
        *self.ports, self.status_port = free_ports(HOST, self.count + 1)

    def _config(self) -> str:
        protocols, ciphers = PROFILES[self.kind]
        lines = self._head(workers=self.workers, log_level="warn", connections=4096)
        lines += [f"  ssl_certificate {self.chain};", f"  ssl_certificate_key {self.key};",
                  f"  ssl_protocols {protocols};", f'  ssl_ciphers "{ciphers}";',
                  "  ssl_prefer_server_ciphers on;"]  # as Python's ssl does
        lines += [f"  server {{ listen {HOST}:{self.status_port};",
                  "    location / { stub_status; } }"]
        for port in self.ports:
            lines += [f"  server {{ listen {HOST}:{port} ssl backlog=1024;",
                      '    location / { return 200 "ok\\n"; } }']
        return "\n".join([*lines, "}", ""])

    @property
    def connections(self) -> int:
        """TCP connections the origins accepted so far (stub_status's `accepts`, minus
        the status requests themselves)."""
        with socket.create_connection((HOST, self.status_port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\nHost: status\r\n\r\n")
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
        self._status_reads += 1
        lines = data.decode("ascii", "replace").split("\r\n\r\n", 1)[-1].splitlines()
        accepts = int(lines[2].split()[0])  # " accepts handled requests" then the numbers
        return accepts - self._status_reads

    def pids(self) -> list[int]:
        """The master and its workers (children found through /proc)."""
        if self.process is None:
            return []
        master = self.process.pid
        found = [master]
        with contextlib.suppress(OSError):
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    with contextlib.suppress(OSError, IndexError, ValueError):
                        stat = Path(f"/proc/{entry}/stat").read_text()
                        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                            found.append(int(entry))
        return found


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU the processes have used so far, from /proc (0 if unreadable)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / tick
