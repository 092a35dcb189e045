"""nginx on 127.0.0.1 for the differential tests: one `server` block (and port) per
certificate chain (the process itself: cftui.demo.nginx)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cftui.demo.nginx import NGINX, NginxProcess, free_ports

__all__ = ["NGINX", "NginxServer", "Site"]


@dataclass(frozen=True)
class Site:
    """One `server` block: the certificates as sent (leaf first, PEM) and the leaf's key."""

    chain: Path
    key: Path


class NginxServer(NginxProcess):
    """`ports[i]` is where `sites[i]` listens (TLS only, `protocols`, `ciphers`); every
    location answers `200 ok`."""

    def __init__(self, sites: Sequence[Site], workdir: Path, *, ciphers: str,
                 protocols: str = "TLSv1.2", security_level: int = 0,
                 start_timeout: float = 10.0):
        super().__init__(workdir, security_level=security_level, start_timeout=start_timeout)
        self.sites = tuple(sites)
        self.ciphers = ciphers
        self.protocols = protocols

    def _choose_ports(self) -> None:
        self.ports = free_ports(self.host, len(self.sites))

    def _config(self) -> str:
        lines = self._head(workers=1, log_level="info", connections=256)
        for site, port in zip(self.sites, self.ports, strict=True):
            lines += [
                "  server {",
                f"    listen {self.host}:{port} ssl;",
                f"    ssl_certificate {site.chain};",
                f"    ssl_certificate_key {site.key};",
                f"    ssl_protocols {self.protocols};",
                f'    ssl_ciphers "{self.ciphers}";',
                "    ssl_session_tickets off;",
                '    location / { return 200 "ok\\n"; }',
                "  }",
            ]
        return "\n".join([*lines, "}", ""])
