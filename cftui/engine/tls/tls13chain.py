"""Fetch the certificate chain of an origin that speaks only TLS 1.3.

In TLS 1.3 the Certificate message is encrypted, so the raw prober cannot read
it. CloudFront cannot use such an origin anyway, but the chain still tells the
user whether the certificate would pass once TLS 1.2 is enabled.
"""

from __future__ import annotations

import time

from OpenSSL import SSL, crypto

from cftui.engine.net.connect import Endpoint, connect
from cftui.engine.tls.handshake import Deadline, handshake


def fetch_chain(endpoint: Endpoint, sni: str) -> tuple[bytes, ...]:
    """The chain as sent (leaf first), or () when the handshake does not get that far."""
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
    ctx.set_max_proto_version(SSL.TLS1_3_VERSION)
    ctx.set_verify(SSL.VERIFY_NONE, lambda *_: True)
    try:
        sock = connect(endpoint)
    except OSError:
        return ()
    deadline = time.monotonic() + endpoint.read_timeout
    try:
        conn = SSL.Connection(ctx, sock)
        conn.set_tlsext_host_name(sni.encode("idna"))
        conn.set_connect_state()
        sock.setblocking(False)
        handshake(conn, deadline, endpoint.cancel)
        # DER straight from OpenSSL: cryptography's serialization package (SSH keys,
        # bcrypt, legacy ciphers) costs a check ~7 ms to import for nothing
        chain = conn.get_peer_cert_chain() or []
        return tuple(crypto.dump_certificate(crypto.FILETYPE_ASN1, cert) for cert in chain)
    except (Deadline, SSL.Error, OSError, ValueError):
        return ()
    finally:
        sock.close()
