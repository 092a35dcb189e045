"""A tlslite-ng server thread on 127.0.0.1 for what OpenSSL 3 no longer speaks.

SSLv3, RC4-MD5 and DES-CBC3-SHA are compiled out of the system OpenSSL, so tests
that need an origin speaking them use this pure-Python server.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

from tlslite.api import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey

from cftui.demo.behaviours import http_response
from cftui.demo.loopback import LoopbackServer
from cftui.demo.pki import Issued, pem_bundle
from cftui.demo.servers import Cert

Version = tuple[int, int]  # (3, 0) SSLv3 … (3, 3) TLS 1.2


def settings(
    min_version: Version = (3, 0),
    max_version: Version = (3, 3),
    cipher_names: Sequence[str] = ("aes128", "aes256", "3des", "rc4"),
    mac_names: Sequence[str] = ("sha", "md5"),
    key_exchange_names: Sequence[str] = ("rsa",),
) -> HandshakeSettings:
    """HandshakeSettings; tlslite names: cipher `rc4`/`3des`/`aes128`, MAC `md5`/`sha`."""
    result = HandshakeSettings()
    result.minVersion = min_version
    result.maxVersion = max_version
    result.cipherNames = list(cipher_names)
    result.macNames = list(mac_names)
    result.keyExchangeNames = list(key_exchange_names)
    return result


class TlsliteServer(LoopbackServer):
    """Serves many connections, one after another or at once, with an RSA certificate.

    Each successful handshake is recorded in `negotiated` as (version, cipher name),
    and answered with an HTTP response when `respond` is true.
    """

    kind = "tlslite"

    def __init__(
        self,
        leaf: Issued,
        extra: Sequence[Cert] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        min_version: Version = (3, 0),
        max_version: Version = (3, 3),
        cipher_names: Sequence[str] = ("aes128", "aes256", "3des", "rc4"),
        mac_names: Sequence[str] = ("sha", "md5"),
        key_exchange_names: Sequence[str] = ("rsa",),
        respond: bool = True,
        status: int = 200,
        io_timeout: float = 10.0,
    ):
        super().__init__(host, port, io_timeout=io_timeout)
        self.settings = settings(min_version, max_version, cipher_names, mac_names,
                                 key_exchange_names)
        sent = [leaf, *(leaf.intermediates if extra is None else extra)]
        self.chain = X509CertChain()
        self.chain.parsePemList(pem_bundle(sent).decode("ascii"))
        self.key = parsePEMKey(leaf.key_pem.decode("ascii"), private=True,
                               implementations=["python"])
        self.respond = respond
        self.status = status
        self.negotiated: list[tuple[Version, str]] = []

    def handle(self, sock: socket.socket) -> None:
        conn = TLSConnection(sock)
        try:
            conn.handshakeServer(certChain=self.chain, privateKey=self.key,
                                 settings=self.settings)
            self.negotiated.append((conn.version, conn.getCipherName() or ""))
            if not self.respond:
                return
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = conn.read(max=4096)
                if not chunk:
                    break
                head += bytes(chunk)
            conn.write(http_response(self.status))
        except Exception as exc:  # aborted handshakes are normal here: note and carry on
            self.note(f"{type(exc).__name__}: {exc}")
        finally:
            try:
                conn.close()
            except Exception as exc:
                self.note(f"close: {type(exc).__name__}: {exc}")
            sock.close()
