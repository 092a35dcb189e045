"""nginx on 127.0.0.1 as a subprocess: the tests' differential origins and the latency
benchmark's origins both run through `NginxProcess`; each subclass writes its config.

nginx loads `ssl_certificate` before it applies `ssl_ciphers`, so a cipher string's
`@SECLEVEL` comes too late to let it load a SHA-1-signed chain or a small key. The
security level is therefore set for the whole process through `OPENSSL_CONF` (a file
in `workdir`). Everything nginx writes (error log, pid file, temp directories) stays
in `workdir`.
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
from typing import Any

from cftui.demo.loopback import free_port_on

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")

_OPENSSL_CONF = """\
openssl_conf = cftui_nginx
[cftui_nginx]
ssl_conf = cftui_ssl
[cftui_ssl]
system_default = cftui_system
[cftui_system]
CipherString = DEFAULT:@SECLEVEL={level}
"""


def free_ports(host: str, count: int) -> list[int]:
    """`count` distinct ports free on `host` at this moment."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port_on(host)
        if port not in ports:
            ports.append(port)
    return ports


class NginxProcess:
    """Runs `nginx -p WORKDIR -c nginx.conf -g 'daemon off;'` until `stop()`. A subclass
    picks its ports in `_choose_ports` (setting `ports`, the TLS ports waited for) and
    writes the config for them in `_config`."""

    host = "127.0.0.1"

    def __init__(self, workdir: Path, *, security_level: int = 0,
                 start_timeout: float = 10.0) -> None:
        if NGINX is None:
            raise RuntimeError("nginx is not installed")
        self.workdir = Path(workdir)
        self.security_level = security_level
        self.start_timeout = start_timeout
        self.ports: list[int] = []
        self.process: subprocess.Popen[bytes] | None = None
        self.error_log = self.workdir / "error.log"

    def _choose_ports(self) -> None:
        raise NotImplementedError

    def _config(self) -> str:
        raise NotImplementedError

    def _head(self, workers: int, log_level: str, connections: int) -> list[str]:
        """The config's top and the start of its `http` block. Run as root, the workers
        run as root too (`user root;`) so they can read keys in a private directory."""
        w = self.workdir
        lines = ["user root;" if os.geteuid() == 0 else "",
                 f"worker_processes {workers};", f"pid {w / 'nginx.pid'};",
                 f"error_log {self.error_log} {log_level};",
                 f"events {{ worker_connections {connections}; multi_accept on; }}",
                 "http {", "  access_log off;", "  default_type text/plain;"]
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            lines.append(f"  {temp}_temp_path {w / 'temp' / temp};")
        return lines

    def start(self) -> Any:
        (self.workdir / "temp").mkdir(parents=True, exist_ok=True)
        openssl_conf = self.workdir / "openssl.cnf"
        openssl_conf.write_text(_OPENSSL_CONF.format(level=self.security_level))
        env = {**os.environ, "OPENSSL_CONF": str(openssl_conf)}
        last_error = "did not start"
        for _ in range(3):  # a port can be taken between choosing and binding it
            self._choose_ports()
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
                    (self.host, waiting[0]), timeout=0.5):
                waiting.pop(0)
                continue
            time.sleep(0.02)
        return not waiting

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

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
