"""`openssl s_server` on 127.0.0.1 as a subprocess, for tests that need real OpenSSL."""

from __future__ import annotations

import contextlib
import itertools
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from cftui.demo.loopback import free_port_on
from cftui.demo.pki import Issued, pem_bundle

OPENSSL = shutil.which("openssl") or "openssl"
_counter = itertools.count(1)


class OpenSslServer:
    """Runs `openssl s_server -accept 127.0.0.1:PORT …` until `stop()`.

    `flags` are passed as they are: `-tls1`, `-no_tls1_3`, `-serverpref`…
    With `servername`, s_server sends `cert2` alone (it has no chain option for it).
    Output goes to `log_file` (in `workdir`), never to the test's stderr.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        cert: Path,
        key: Path,
        workdir: Path,
        *,
        chain: Path | None = None,
        flags: Sequence[str] = (),
        cipher: str | None = None,
        verify_ca: Path | None = None,
        servername: str | None = None,
        cert2: Path | None = None,
        key2: Path | None = None,
        www: bool = True,
        start_timeout: float = 10.0,
    ):
        self.workdir = Path(workdir)
        self.log_file = self.workdir / f"s_server-{next(_counter)}.log"
        self.start_timeout = start_timeout
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        args = ["-cert", str(cert), "-key", str(key), "-no_ticket"]
        if chain is not None:
            args += ["-cert_chain", str(chain)]
        if cipher is not None:
            args += ["-cipher", cipher]
        if verify_ca is not None:
            args += ["-Verify", "1", "-verify_return_error", "-CAfile", str(verify_ca)]
        if servername is not None:
            args += ["-servername", servername, "-cert2", str(cert2), "-key2", str(key2 or cert2)]
        args += ["-www"] if www else ["-ign_eof"]
        self.args = [*args, *flags]

    @classmethod
    def from_certs(
        cls,
        workdir: Path,
        leaf: Issued,
        extra: Sequence[Issued] | None = None,
        *,
        sni: tuple[str, Issued] | None = None,
        verify_ca: Issued | None = None,
        **options: object,
    ) -> OpenSslServer:
        """Write PEM files for `leaf` (+ `extra`, default its intermediates) and wrap them."""
        stem = f"s_server-{next(_counter)}"
        workdir.mkdir(parents=True, exist_ok=True)
        files = leaf.write(workdir, stem)
        chain = _write(workdir / f"{stem}.extra.pem",
                       leaf.intermediates if extra is None else extra)
        if sni is not None:
            name, other = sni
            files2 = other.write(workdir, f"{stem}-sni")
            options.update(servername=name, cert2=files2.cert, key2=files2.key)
        if verify_ca is not None:
            options["verify_ca"] = verify_ca.write(workdir, f"{stem}-client-ca").cert
        return cls(files.cert, files.key, workdir, chain=chain, **options)  # type: ignore[arg-type]

    def start(self) -> OpenSslServer:
        last_error = "did not start"
        for _ in range(3):  # the port can be taken between choosing and binding it
            self.port = free_port_on(self.host)
            with self.log_file.open("ab") as log:
                self.process = subprocess.Popen(
                    [OPENSSL, "s_server", "-accept", f"{self.host}:{self.port}", *self.args],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                )
            if self._wait_ready():
                return self
            last_error = self.log_file.read_text(errors="replace")[-2000:]
            self.stop()
        raise RuntimeError(f"openssl s_server did not start: {last_error}")

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError), socket.create_connection(
                (self.host, self.port), timeout=0.5
            ):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    @property
    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def __enter__(self) -> OpenSslServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _write(path: Path, certs: Sequence[Issued]) -> Path | None:
    if not certs:
        return None
    path.write_bytes(pem_bundle(certs))
    return path
