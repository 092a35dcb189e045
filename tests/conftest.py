"""Shared fixtures: an isolated home, the session PKI, and loopback server factories.

Every factory starts its server on 127.0.0.1 (or another 127.x address) and stops
it at teardown, test failure included.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import SessionPki
from support.aia_server import AiaChain, AiaServer
from support.s_server import OpenSslServer
from support.tlslite_server import TlsliteServer

from cftui.demo.behaviours import Behaviour
from cftui.demo.pki import CertFiles, Issued
from cftui.demo.servers import PlainHttpOrigin, RawPeer, TlsOrigin


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's config out of the tests: HOME and XDG_CONFIG_HOME in tmp_path."""
    home, config = tmp_path / "home", tmp_path / "config"
    home.mkdir()
    config.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> SessionPki:
    """Root + intermediate + leaves for origin.example.com; `pki.ca_file` is the root."""
    return SessionPki.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def cert_files(tmp_path: Path) -> Callable[[Issued, str], CertFiles]:
    """Write an Issued certificate as PEM files (cert, key, chain, fullchain) in tmp_path."""

    def write(issued: Issued, stem: str = "cert") -> CertFiles:
        return issued.write(tmp_path / "certs", stem)

    return write


@pytest.fixture
def _servers() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as stack:
        yield stack


@pytest.fixture
def tls_origin(pki: SessionPki, _servers: contextlib.ExitStack) -> Callable[..., TlsOrigin]:
    """`tls_origin(leaf=pki.leaf, extra=None, **TlsOrigin options)` -> a started TlsOrigin."""

    def start(leaf: Issued | None = None, extra: Any = None, **options: Any) -> TlsOrigin:
        return _servers.enter_context(TlsOrigin(leaf or pki.leaf, extra, **options))

    return start


@pytest.fixture
def plain_http_origin(_servers: contextlib.ExitStack) -> Callable[..., PlainHttpOrigin]:
    """`plain_http_origin(**options)` -> a started PlainHttpOrigin (400 to anything)."""

    def start(**options: Any) -> PlainHttpOrigin:
        return _servers.enter_context(PlainHttpOrigin(**options))

    return start


@pytest.fixture
def raw_peer(_servers: contextlib.ExitStack) -> Callable[..., RawPeer]:
    """`raw_peer(behaviour, **options)` -> a started RawPeer; see cftui.demo.servers."""

    def start(behaviour: Behaviour, **options: Any) -> RawPeer:
        return _servers.enter_context(RawPeer(behaviour, **options))

    return start


@pytest.fixture
def s_server(
    pki: SessionPki, tmp_path: Path, _servers: contextlib.ExitStack
) -> Callable[..., OpenSslServer]:
    """`s_server(leaf=pki.leaf, extra=None, flags=(…), cipher=…, sni=(name, leaf),
    verify_ca=Issued, www=True)` -> a running `openssl s_server` on 127.0.0.1."""

    def start(leaf: Issued | None = None, extra: Any = None, **options: Any) -> OpenSslServer:
        server = OpenSslServer.from_certs(tmp_path / "s_server", leaf or pki.leaf, extra,
                                          **options)
        return _servers.enter_context(server)

    return start


@pytest.fixture
def tlslite_server(pki: SessionPki, _servers: contextlib.ExitStack) -> Callable[..., TlsliteServer]:
    """`tlslite_server(leaf=pki.leaf, min_version=(3, 0), cipher_names=(…), …)`: SSLv3,
    RC4-MD5 and DES-CBC3-SHA, which the system OpenSSL no longer speaks."""

    def start(leaf: Issued | None = None, extra: Any = None, **options: Any) -> TlsliteServer:
        return _servers.enter_context(TlsliteServer(leaf or pki.leaf, extra, **options))

    return start


# --- the repair tests' AIA host and chain (engine, command line and app) -----------------


@pytest.fixture
def server() -> Iterator[AiaServer]:
    """A loopback AIA host, stopped at teardown."""
    with AiaServer() as s:
        yield s


@pytest.fixture
def chain(pki: SessionPki, server: AiaServer) -> AiaChain:
    """A three-level chain under the session root whose leaf points at `server`."""
    return AiaChain.create(pki.root, server, "origin.example.com")
