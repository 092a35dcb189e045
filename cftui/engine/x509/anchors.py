"""The trust anchors: Mozilla's roots (what CloudFront trusts) and any extra CA file.

Kept apart from the judge so that the command line can check a CA file before it
connects anywhere without loading cryptography (tens of milliseconds a check would
otherwise spend before its first connection): `check_pem_file` reads the PEM framing
and the DER outline of every certificate; `load_pem_file` parses them, later.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
import threading
from typing import TYPE_CHECKING

from cftui.engine import files
from cftui.engine.x509 import der

if TYPE_CHECKING:
    from cryptography import x509


class TrustStoreError(Exception):
    """An extra CA file could not be read."""


_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)


def _read(path: str) -> bytes:
    try:
        return files.read_regular(path, files.CA_FILE_LIMIT)
    except (OSError, ValueError) as exc:
        raise TrustStoreError(f"cannot read CA file {path}: "
                              f"{getattr(exc, 'strerror', None) or exc}") from exc


def check_pem_file(path: str) -> None:
    """Before anything connects: a regular file under the cap holding PEM certificates,
    each one DER SEQUENCE. Raises TrustStoreError as `load_pem_file` would. Once per
    version of the file (one named for fifty origins is read once), as `load_pem_file`."""
    _check_pem_file(path, files.version(path))


@functools.lru_cache(maxsize=8)
def _check_pem_file(path: str, _: object) -> None:
    blocks = _PEM_CERTIFICATE.findall(_read(path))
    if not blocks:
        raise TrustStoreError(f"CA file {path} holds no PEM certificate")
    for block in blocks:
        try:
            data = base64.b64decode(b"".join(block.split()), validate=True)
            tag, _, end = der.tlv(data, 0)
        except (binascii.Error, der.DerError) as exc:
            raise TrustStoreError(f"CA file {path} holds no PEM certificate") from exc
        if tag != 0x30 or end != len(data):
            raise TrustStoreError(f"CA file {path} holds no PEM certificate")


def load_pem_file(path: str) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM bundle: a regular file under the CA bundle cap (parsed
    once per version of the file)."""
    return _load_pem_file(path, files.version(path))


@functools.lru_cache(maxsize=8)
def _load_pem_file(path: str, _: object) -> tuple[x509.Certificate, ...]:
    from cryptography import x509

    from cftui.engine.x509.info import quiet_parsing

    data = _read(path)
    try:
        with quiet_parsing():
            certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise TrustStoreError(f"CA file {path} holds no PEM certificate") from exc
    return tuple(certs)


class Anchors(tuple["x509.Certificate", ...]):
    """A set of trust anchors, one object per CA file (see `trust_anchors`), hashed and
    compared by identity: the caches keyed on it (the OpenSSL store, the subjects)
    would otherwise hash ~150 certificates at every lookup."""

    __hash__ = object.__hash__

    #: Mozilla's bundle when the first `from_bundle` anchors are its certificates, in
    #: its order: libcrypto may read that file itself (the extra CA file, whatever a
    #: user put in it, goes through the certificates cryptography parsed)
    bundle: str | None = None
    from_bundle = 0

    def __eq__(self, other: object) -> bool:
        return self is other


@functools.lru_cache(maxsize=1)
def mozilla_roots_file() -> str:
    """certifi's cacert.pem (Mozilla's roots). Found beside the package without importing
    it where it is a plain file: certifi's import brings in importlib.resources (pathlib,
    tempfile, zipfile), ~10 ms of a check process; elsewhere (a zip), certifi.where()."""
    import importlib.util

    spec = importlib.util.find_spec("certifi")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if os.path.isfile(path := os.path.join(folder, "cacert.pem")):
            return path
    import certifi

    return certifi.where()


_loading = threading.Lock()


def trust_anchors(ca_file: str | None) -> Anchors:
    """Mozilla's roots (what CloudFront trusts) plus the extra anchors given (read while
    the first round trips are in flight: engine/preload). One object per CA file for
    the process, even when a check asks while the preload is still reading it."""
    from cftui.engine.x509.info import quiet_parsing

    # the parsing lock before ours, as `judge` holds it when it gets here: one order
    mozilla = mozilla_roots_file()
    with quiet_parsing(), _loading:
        return _read_anchors(ca_file, files.version(ca_file) if ca_file else None,
                             files.version(mozilla))


@functools.lru_cache(maxsize=8)
def _read_anchors(ca_file: str | None, *_: object) -> Anchors:
    mozilla = mozilla_roots_file()
    roots = load_pem_file(mozilla)
    anchors = Anchors(roots + load_pem_file(ca_file) if ca_file else roots)
    anchors.bundle, anchors.from_bundle = mozilla, len(roots)
    return anchors
