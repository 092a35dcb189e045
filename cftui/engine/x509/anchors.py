"""The trust anchors: Mozilla's roots (what CloudFront trusts) and any extra CA file.

Kept apart from the judge so that the command line can check a CA file before it
connects anywhere, without loading OpenSSL's bindings.
"""

from __future__ import annotations

import functools

import certifi
from cryptography import x509

from cftui.engine import files
from cftui.engine.x509.info import quiet_parsing


class TrustStoreError(Exception):
    """An extra CA file could not be read."""


@functools.lru_cache(maxsize=8)
@quiet_parsing()
def load_pem_file(path: str) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM bundle: a regular file under the CA bundle cap."""
    try:
        data = files.read_regular(path, files.CA_FILE_LIMIT)
    except (OSError, ValueError) as exc:
        raise TrustStoreError(f"cannot read CA file {path}: "
                              f"{getattr(exc, 'strerror', None) or exc}") from exc
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise TrustStoreError(f"CA file {path} holds no PEM certificate") from exc
    return tuple(certs)


def trust_anchors(ca_file: str | None) -> tuple[x509.Certificate, ...]:
    """Mozilla's roots (what CloudFront trusts) plus the extra anchors given."""
    roots = load_pem_file(certifi.where())
    return roots + load_pem_file(ca_file) if ca_file else roots
