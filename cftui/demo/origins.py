"""The demo set behind `cftui demo`: loopback origins broken in instructive ways.

    with DemoOrigins() as origins:
        for origin in origins:
            ...  # origin.target is ready for the engine; origin.expect are the cause codes

A demo root CA and intermediate are written to a temporary directory (removed on
exit); every origin listens on 127.0.0.1 (one also on 127.0.0.2) and is stopped on
exit, KeyboardInterrupt included. Domains are made up and never resolved.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from cftui.demo.hangup import exit_cleanly_on_hangup
from cftui.demo.loopback import LoopbackServer, free_port_on
from cftui.demo.pki import Issued, Pki
from cftui.demo.servers import PlainHttpOrigin, TlsOrigin
from cftui.engine.profile import Protocol
from cftui.engine.target import Target
from cftui.engine.verdict.group import GroupSpec

DEMO_SUFFIX = "demo.cftui.test"
AIA_URL = "http://pki.demo.invalid/inter.crt"
TLS12: dict[str, Any] = {"min_version": "TLSv1.2", "max_version": "TLSv1.2"}


@dataclass(frozen=True)
class DemoOrigin:
    key: str
    title: str
    description: str
    target: Target
    expect: tuple[str, ...]  # the cause codes a correct checker reports


@dataclass
class _Plan:
    title: str
    description: str
    expect: tuple[str, ...]
    servers: list[LoopbackServer]
    protocols: tuple[Protocol, ...] = (Protocol.TLSv1_2,)
    connect_to: tuple[str, ...] = ("127.0.0.1",)
    mtls: bool = False  # origin mTLS configured on the CloudFront side


@dataclass
class _Kit:
    """What the builders need: the demo PKI and the timeouts."""

    pki: Pki
    read_timeout: float

    def leaf(self, name: str, **options: object) -> Issued:
        return self.pki.issue(f"{name}.{DEMO_SUFFIX}", **options)


_Builder = Callable[[_Kit], _Plan]
_BUILDERS: dict[str, _Builder] = {}


def _origin(key: str) -> Callable[[_Builder], _Builder]:
    def register(builder: _Builder) -> _Builder:
        _BUILDERS[key] = builder
        return builder

    return register


@_origin("healthy")
def _healthy(kit: _Kit) -> _Plan:
    return _Plan("Healthy origin", "RSA certificate with the full chain, TLS 1.2.", (),
                 [TlsOrigin(kit.leaf("healthy"), **TLS12)])


@_origin("healthy-ecdsa")
def _healthy_ecdsa(kit: _Kit) -> _Plan:
    leaf = kit.leaf("healthy-ecdsa", key_type="ec:secp256r1")
    return _Plan("Healthy origin (ECDSA)", "P-256 ECDSA certificate with the full chain.", (),
                 [TlsOrigin(leaf, **TLS12)])


@_origin("missing-intermediate")
def _missing_intermediate(kit: _Kit) -> _Plan:
    leaf = kit.leaf("missing-intermediate", aia_ca_issuers=AIA_URL)
    return _Plan("Missing intermediate",
                 "Sends only its leaf; browsers fetch the intermediate via AIA, "
                 "CloudFront does not.",
                 ("cert-chain-incomplete",), [TlsOrigin(leaf, (), **TLS12)])


@_origin("name-mismatch")
def _name_mismatch(kit: _Kit) -> _Plan:
    leaf = kit.pki.issue(f"www.other.{DEMO_SUFFIX}", f"other.{DEMO_SUFFIX}")
    return _Plan("Certificate for another name",
                 "The certificate covers other.demo.cftui.test, not this origin's domain.",
                 ("cert-name-mismatch",), [TlsOrigin(leaf, **TLS12)])


@_origin("expired")
def _expired(kit: _Kit) -> _Plan:
    leaf = kit.leaf("expired", not_before=timedelta(days=-100), not_after=timedelta(days=-10))
    return _Plan("Expired certificate", "The leaf certificate expired ten days ago.",
                 ("cert-expired",), [TlsOrigin(leaf, **TLS12)])


@_origin("tls13-only")
def _tls13_only(kit: _Kit) -> _Plan:
    server = TlsOrigin(kit.leaf("tls13-only"), min_version="TLSv1.3", max_version="TLSv1.3")
    return _Plan("TLS 1.3 only", "Speaks only TLS 1.3, which CloudFront never uses "
                 "toward origins.", ("tls-protocol-mismatch",), [server])


@_origin("no-common-cipher")
def _no_common_cipher(kit: _Kit) -> _Plan:
    server = TlsOrigin(kit.leaf("no-common-cipher"), ciphers="ECDHE-RSA-CHACHA20-POLY1305",
                       **TLS12)
    return _Plan("No common cipher", "TLS 1.2 with only ECDHE-RSA-CHACHA20-POLY1305, "
                 "which CloudFront does not offer.", ("tls-cipher-mismatch",), [server])


@_origin("client-cert")
def _client_cert(kit: _Kit) -> _Plan:
    server = TlsOrigin(kit.leaf("client-cert"), client_ca=kit.pki.root, **TLS12)
    return _Plan("Client certificate required",
                 "Requests a client certificate; CloudFront sends none without origin mTLS.",
                 ("tls-client-cert-required",), [server])


@_origin("origin-mtls")
def _origin_mtls(kit: _Kit) -> _Plan:
    server = TlsOrigin(kit.leaf("origin-mtls"), client_ca=kit.pki.root, **TLS12)
    return _Plan("Origin mTLS, untested",
                 "Requires a client certificate; origin mTLS is configured, but no client "
                 "certificate was given to test it (cftui check --client-cert).",
                 ("mtls-unverified",), [server], mtls=True)


@_origin("slow")
def _slow(kit: _Kit) -> _Plan:
    delay = kit.read_timeout + 2
    server = TlsOrigin(kit.leaf("slow"), behaviour=f"delay:{delay:g}", **TLS12)
    return _Plan("Slow responder",
                 f"Answers HTTP after {delay:g} s, later than the {kit.read_timeout:g} s "
                 "read timeout.", ("origin-read-timeout",), [server])


@_origin("plain-http")
def _plain_http(kit: _Kit) -> _Plan:
    return _Plan("Plain HTTP on the HTTPS port",
                 "The HTTPS port answers in plain HTTP (400 Bad Request).", ("not-tls",),
                 [PlainHttpOrigin()])


@_origin("legacy-tls10")
def _legacy_tls10(kit: _Kit) -> _Plan:
    server = TlsOrigin(kit.leaf("legacy-tls10"), min_version="TLSv1", max_version="TLSv1",
                       ciphers="DEFAULT:@SECLEVEL=0")
    return _Plan("Legacy TLS 1.0 only",
                 "Speaks only TLS 1.0; works because TLSv1 is enabled, but is outdated.",
                 ("legacy-protocol",), [server],
                 protocols=(Protocol.TLSv1, Protocol.TLSv1_1, Protocol.TLSv1_2))


@_origin("two-addresses")
def _two_addresses(kit: _Kit) -> _Plan:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    good = kit.leaf("two-addresses")
    stale = kit.pki.issue(f"old-server.{DEMO_SUFFIX}")
    return _Plan("One name, two addresses",
                 "127.0.0.1 is healthy; 127.0.0.2 serves a stale certificate for another name.",
                 ("cert-name-mismatch", "address-inconsistent"),
                 [TlsOrigin(good, host="127.0.0.1", port=port, **TLS12),
                  TlsOrigin(stale, host="127.0.0.2", port=port, **TLS12)],
                 connect_to=("127.0.0.1", "127.0.0.2"))


DEMO_KEYS: tuple[str, ...] = tuple(_BUILDERS)
#: An origin group of two demo origins: the failing primary is saved by the secondary
#: for GET, HEAD and OPTIONS (group-primary-failing).
DEMO_GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("failover", primary="missing-intermediate", secondary="healthy",
              failover_status_codes=(500, 502, 503, 504), label="demo / failover"),
)


def demo_groups(keys: Iterable[str]) -> tuple[GroupSpec, ...]:
    """The demo origin groups whose members are both among `keys`."""
    present = set(keys)
    return tuple(g for g in DEMO_GROUPS if {g.primary, g.secondary} <= present)


class DemoOrigins:
    """Start the demo origins (all, or those named in `only`); stop them on exit."""

    def __init__(self, only: Iterable[str] | None = None, *, connect_timeout: float = 2.0,
                 read_timeout: float = 2.0):
        keys = tuple(only) if only is not None else DEMO_KEYS
        unknown = [k for k in keys if k not in _BUILDERS]
        if unknown:
            raise ValueError(f"unknown demo origin(s): {', '.join(unknown)}")
        self.keys = keys
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.origins: list[DemoOrigin] = []
        self.servers: list[LoopbackServer] = []
        self.ca_file: Path | None = None
        self.skipped: list[str] = []  # origins that could not start here, and why
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> list[DemoOrigin]:
        try:
            return self._start()
        except BaseException:
            self._stack.close()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stack.close()

    def _start(self) -> list[DemoOrigin]:
        # the handlers are restored last, after the temp dir is gone (ExitStack: LIFO)
        self._stack.enter_context(exit_cleanly_on_hangup())
        directory = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="cftui-demo-"))
        pki = Pki.create("cftui Demo")
        self.ca_file = pki.write_root(directory, "demo-root")
        kit = _Kit(pki, self.read_timeout)
        for key in self.keys:
            try:
                plan = _BUILDERS[key](kit)
                for server in plan.servers:
                    self._stack.callback(server.stop)
                    server.start()
                    self.servers.append(server)
            except OSError as exc:
                if len(self.keys) == 1:
                    raise
                # e.g. no 127.0.0.2 (macOS has only 127.0.0.1): the rest still runs
                self.skipped.append(f"{key}: {exc.strerror or exc}")
                continue
            self.origins.append(self._origin(key, plan, plan.servers))
        return list(self.origins)

    @property
    def groups(self) -> tuple[GroupSpec, ...]:
        """The demo origin groups whose members both started."""
        return demo_groups(o.key for o in self.origins)

    def _origin(self, key: str, plan: _Plan, servers: Sequence[LoopbackServer]) -> DemoOrigin:
        target = Target(
            domain=f"{key}.{DEMO_SUFFIX}",
            port=servers[0].port,
            protocols=plan.protocols,
            connect_to=plan.connect_to,
            ca_file=str(self.ca_file),
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            label=f"demo / {key}",
            mtls=plan.mtls,
        )
        return DemoOrigin(key, plan.title, plan.description, target, plan.expect)
