"""Benchmark origins served by nginx, outside the benchmark's interpreter.

One nginx master (one worker per core) with one `server { listen 127.0.0.1:PORT
ssl; }` block per origin, all with the same certificate chain, each answering
`GET /` with `200 ok`. The Python `ssl` origins of cftui.demo.servers run a thread
per connection under the benchmark's interpreter lock, next to the latency proxy,
so with 50 origins the apparatus, not cftui, was the bottleneck.

"wide" is TLS 1.0-1.3 with `DEFAULT:@SECLEVEL=0`, the Python origin's settings;
"modern" is TLS 1.2-1.3 with Python's default server suites. nginx applies
`ssl_ciphers` after it has loaded the certificate, so the security level is also
set process-wide through an `OPENSSL_CONF` file (as tests/support/nginx.py does).
Config, logs, pid file and temp directories stay in `workdir`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
HOST = "127.0.0.1"

_OPENSSL_CONF = """\
openssl_conf = cftui_bench
[cftui_bench]
ssl_conf = cftui_ssl
[cftui_ssl]
system_default = cftui_system
[cftui_system]
CipherString = DEFAULT:@SECLEVEL=0
"""

# Python's own default for server contexts (3.10+), which the "modern" Python origin uses.
PYTHON_SERVER_CIPHERS = ("@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:"
                         "!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM")
PROFILES = {  # kind -> (ssl_protocols, ssl_ciphers)
    "wide": ("TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", "DEFAULT:@SECLEVEL=0"),
    "modern": ("TLSv1.2 TLSv1.3", PYTHON_SERVER_CIPHERS),
}


def free_ports(count: int) -> list[int]:
    """`count` distinct ports the kernel just handed out (all held until chosen)."""
    socks = [socket.create_server((HOST, 0)) for _ in range(count)]
    try:
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class NginxOrigins:
    """`count` TLS origins on 127.0.0.1 in one nginx; `ports[i]` is origin i.

    `pids()` lists the master and its workers, so the benchmark can read their CPU.
    """

    def __init__(self, chain: Path, key: Path, workdir: Path, count: int = 1,
                 kind: str = "wide", workers: int | None = None,
                 start_timeout: float = 10.0):
        if NGINX is None:
            raise RuntimeError("nginx is not installed")
        self.chain, self.key, self.kind = chain, key, kind
        self.workdir = Path(workdir)
        self.count = count
        self.workers = workers or os.cpu_count() or 1
        self.start_timeout = start_timeout
        self.ports: list[int] = []
        self.status_port = 0  # plain HTTP, stub_status: nginx's count of accepted connections
        self._status_reads = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.error_log = self.workdir / "error.log"

    def _config(self) -> str:
        w = self.workdir
        protocols, ciphers = PROFILES[self.kind]
        lines = ["user root;" if os.geteuid() == 0 else "",
                 f"worker_processes {self.workers};", f"pid {w / 'nginx.pid'};",
                 f"error_log {self.error_log} warn;",
                 "events { worker_connections 4096; multi_accept on; }",
                 "http {", "  access_log off;", "  default_type text/plain;",
                 f"  ssl_certificate {self.chain};", f"  ssl_certificate_key {self.key};",
                 f"  ssl_protocols {protocols};", f'  ssl_ciphers "{ciphers}";',
                 "  ssl_prefer_server_ciphers on;"]  # as Python's ssl does
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            lines.append(f"  {temp}_temp_path {w / 'temp' / temp};")
        lines += [f"  server {{ listen {HOST}:{self.status_port};",
                  "    location / { stub_status; } }"]
        for port in self.ports:
            lines += [f"  server {{ listen {HOST}:{port} ssl backlog=1024;",
                      '    location / { return 200 "ok\\n"; } }']
        return "\n".join([*lines, "}", ""])

    def start(self) -> NginxOrigins:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "temp").mkdir(exist_ok=True)
        openssl_conf = self.workdir / "openssl.cnf"
        openssl_conf.write_text(_OPENSSL_CONF)
        env = {**os.environ, "OPENSSL_CONF": str(openssl_conf)}
        last_error = "did not start"
        for _ in range(3):  # a port can be taken between choosing and binding it
            *self.ports, self.status_port = free_ports(self.count + 1)
            (self.workdir / "nginx.conf").write_text(self._config())
            self.process = subprocess.Popen(
                [str(NGINX), "-p", str(self.workdir), "-e", str(self.error_log),
                 "-c", str(self.workdir / "nginx.conf"), "-g", "daemon off;"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env)
            if self._wait_ready():
                return self
            last_error = self.log[-2000:]
            self.stop()
        raise RuntimeError(f"nginx did not start: {last_error}")

    def _wait_ready(self) -> bool:
        """Every port accepts a TCP connection (a connect alone: no TLS, no log)."""
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        waiting = list(self.ports)
        while waiting and time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError), socket.create_connection(
                    (HOST, waiting[0]), timeout=0.5):
                waiting.pop(0)
                continue
            time.sleep(0.02)
        return not waiting

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

    def stop(self) -> None:
        """SIGQUIT (finish open connections), then SIGTERM, then SIGKILL."""
        process, self.process = self.process, None
        if process is None:
            return
        for sig in (signal.SIGQUIT, signal.SIGTERM, signal.SIGKILL):
            if process.poll() is not None:
                return
            process.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)

    @property
    def log(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""

    def __enter__(self) -> NginxOrigins:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU the processes have used so far, from /proc (0 if unreadable)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / tick
