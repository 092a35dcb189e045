"""An HTTP server on 127.0.0.1 playing a CA's caIssuers host, with hostile answers too."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from cftui.demo.pki import Issued, intermediate_ca, leaf

Answer = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler], None]


class AiaServer:
    """`routes[path]` is (status, headers, body) or a callable writing its own answer.

    `stop` is set on exit, so a handler that stalls (a slow answer) can wait on it
    instead of sleeping. `requests` records every path asked for.
    """

    def __init__(self, routes: dict[str, Answer] | None = None) -> None:
        self.routes: dict[str, Answer] = dict(routes or {})
        self.requests: list[str] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                answer = server.routes.get(self.path, (404, {}, b"not found"))
                if callable(answer):
                    answer(self)
                    return
                status, headers, body = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> AiaServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@dataclass(frozen=True, eq=False)
class AiaChain:
    """root → inter1 → inter2 → leaf, each below the root with a caIssuers URL on `server`:
    the leaf's points at inter2 (DER), inter2's at inter1 (PKCS#7)."""

    root: Issued
    inter1: Issued
    inter2: Issued
    leaf: Issued

    @classmethod
    def create(cls, root: Issued, server: AiaServer, name: str) -> AiaChain:
        inter1 = intermediate_ca(root, "cftui AIA Inter 1", key_type="ec:secp256r1",
                                 key_index=11, path_length=1)
        inter2 = intermediate_ca(inter1, "cftui AIA Inter 2", key_type="ec:secp256r1",
                                 key_index=12, aia_ca_issuers=server.url("/inter1.p7c"))
        end = leaf(inter2, (name,), key_type="ec:secp256r1", key_index=13,
                   aia_ca_issuers=server.url("/inter2.der"))
        server.routes["/inter2.der"] = (200, {"Content-Type": "application/pkix-cert"},
                                        inter2.der)
        server.routes["/inter1.p7c"] = (200, {"Content-Type": "application/pkcs7-mime"},
                                        pkcs7.serialize_certificates([inter1.cert],
                                                                     Encoding.DER))
        return cls(root, inter1, inter2, end)

