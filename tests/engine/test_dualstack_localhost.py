"""IpAddressType end to end: `cftui check localhost` where localhost is ::1 and 127.0.0.1.

The servers run here, on 127.0.0.1 only, ::1 only, or both on one port number; the
check runs as a subprocess under `unshare -rm` with a hosts file bind-mounted over
/etc/hosts (tests/support/dualstack.py). Only user and mount namespaces are
unshared, so the loopback interface is the one the servers listen on (checked
below). Every resolved address is loopback, so `origin-not-public` (504) is always
there; the assertions are about which family is probed and what else it says.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import SessionPki
from support.dualstack import (
    V4,
    V6,
    Ipv6TlsOrigin,
    in_localhost_namespace,
    ipv6_listener,
    namespace_refusal,
    port_free_on_both,
    write_hosts,
)
from support.schema import assert_valid_report

from cftui.demo.pki import Issued
from cftui.demo.servers import TlsOrigin
from cftui.engine import verdict
from cftui.engine.causes import CauseCode
from cftui.engine.results import AddressReport, TcpOutcome, TcpResult
from cftui.engine.target import Target

TIMEOUT = 30  # seconds for one `cftui check` subprocess; each takes about one
Json = dict[str, Any]


@pytest.fixture(scope="session")
def _unshare(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip when this machine does not permit `unshare -rm` and a bind mount (probed
    once per session); nothing else skips these tests."""
    refusal = namespace_refusal(tmp_path_factory.mktemp("unshare"))
    if refusal is not None:
        pytest.skip(refusal)


@pytest.fixture(scope="module")
def localhost_leaf(pki: SessionPki) -> Issued:
    return pki.issue("localhost")


@pytest.fixture
def hosts(_unshare: None, tmp_path: Path) -> Path:
    return write_hosts(tmp_path)


class Origins:
    """TLS origins for `localhost` on one port number: on 127.0.0.1, ::1 or both."""

    def __init__(self, leaf: Issued) -> None:
        self.leaf = leaf
        self.started: list[TlsOrigin] = []

    def __call__(self, v4: bool = True, v6: bool = False) -> int:
        """Start them (the other family's port stays closed); the port number."""
        port = port_free_on_both()
        if v4:
            self.started.append(TlsOrigin(self.leaf, port=port).start())
        if v6:
            self.started.append(Ipv6TlsOrigin(self.leaf, port=port).start())
        return port


@pytest.fixture
def origins(localhost_leaf: Issued) -> Iterator[Origins]:
    servers = Origins(localhost_leaf)
    try:
        yield servers
    finally:
        for origin in servers.started:
            origin.stop()


def cftui_check(hosts: Path, pki: SessionPki, *args: str) -> Json:
    """`cftui check … --format json` in the namespace: the report (cftui.report/1), which
    has passed the JSON Schema and the contract's rules."""
    command = [sys.executable, "-m", "cftui", "check", "--ca-file", str(pki.ca_file),
               "--connect-timeout", "1", "--read-timeout", "1", "--format", "json", *args]
    done = in_localhost_namespace(hosts, command, TIMEOUT)
    assert done.returncode in (0, 1), done.stderr
    document: Json = json.loads(done.stdout)
    assert_valid_report(document)
    if document["schema"] == "cftui.reports/1":
        (document,) = document["reports"]
    assert document["schema"] == "cftui.report/1"
    return document


def check_localhost(hosts: Path, pki: SessionPki, port: int, ip_address_type: str) -> Json:
    return cftui_check(hosts, pki, "localhost", "--port", str(port),
                       "--ip-address-type", ip_address_type)


def blocking(report: Json) -> list[tuple[str, str | None]]:
    """(code, address) of every blocking cause; address None when all addresses share it."""
    return [(c["code"], c.get("address")) for c in report["verdict"]["causes"]
            if c["severity"] == "error"]


def codes(report: Json) -> set[str]:
    return {c["code"] for c in report["verdict"]["causes"]}


def only_cause(report: Json, code: str) -> Json:
    (found,) = [c for c in report["verdict"]["causes"] if c["code"] == code]
    return found


# --- the rule, without a namespace ------------------------------------------------------


def _tcp(address: str, connected: bool) -> AddressReport:
    outcome = TcpOutcome.CONNECTED if connected else TcpOutcome.REFUSED
    return AddressReport(address, TcpResult(address, 443, connected, outcome))


@pytest.mark.parametrize(("v4", "v6", "exposure"), [
    ("192.0.2.10", "2001:db8::10", "IPv4 works, IPv6 fails"),
    ("10.0.0.10", "fd00::10", "IPv4 works, IPv6 fails"),  # origin-not-public on both
])
def test_dualstack_exposure_ignores_causes_every_address_shares(v4: str, v6: str,
                                                                exposure: str) -> None:
    """A blocking cause on every address (origin-not-public) is no family's fault: the
    refusing family is still the one that fails."""
    target = Target(domain="o.example", port=443, ip_address_type="dualstack")
    found = verdict.decide(target, [_tcp(v4, True), _tcp(v6, False)])
    (inconsistent,) = [c for c in found.causes if c.code is CauseCode.ADDRESS_INCONSISTENT]
    assert f"IpAddressType dualstack: {exposure}" in inconsistent.message


# --- the namespace itself ----------------------------------------------------------


def test_the_namespace_shares_loopback_and_resolves_localhost_to_both(hosts: Path) -> None:
    """Servers started out here answer in there, on both families, and getaddrinfo in
    there gives localhost as ::1 and 127.0.0.1 (out here: /etc/hosts as it is)."""
    with socket.create_server((V4, 0)) as v4, ipv6_listener() as v6:
        v4_port, v6_port = v4.getsockname()[1], v6.getsockname()[1]
        probe = ("import socket, sys\n"
                 f"socket.create_connection(('{V4}', {v4_port}), 2).close()\n"
                 f"socket.create_connection(('{V6}', {v6_port}), 2).close()\n"
                 "print(' '.join(sorted({i[4][0] for i in socket.getaddrinfo("
                 "'localhost', 443, 0, socket.SOCK_STREAM)})))\n")
        done = in_localhost_namespace(hosts, [sys.executable, "-c", probe], timeout=10)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["127.0.0.1", "::1"]
        for listener in (v4, v6):
            listener.settimeout(2)
            listener.accept()[0].close()  # the connection from inside arrived here


# --- an origin on 127.0.0.1 only (::1 refuses) ----------------------------------------


def test_ipv4_probes_only_127_0_0_1_and_a_refusing_aaaa_does_not_block(
        hosts: Path, pki: SessionPki, origins: Origins) -> None:
    report = check_localhost(hosts, pki, origins(v4=True), "ipv4")
    assert report["target"]["addresses"] == [V4]
    assert blocking(report) == [("origin-not-public", None)]  # loopback; nothing else
    assert "tcp-refused" not in codes(report) and "address-inconsistent" not in codes(report)
    (origin,) = origins.started
    assert origin.handshakes >= 1


def test_ipv6_probes_only_the_closed_1_and_blocks_refused(
        hosts: Path, pki: SessionPki, origins: Origins) -> None:
    port = origins(v4=True)
    report = check_localhost(hosts, pki, port, "ipv6")
    assert report["target"]["addresses"] == [V6]
    assert blocking(report) == [("origin-not-public", None), ("tcp-refused", None)]
    assert only_cause(report, "tcp-refused")["message"].startswith(f"::1 port {port} refused")
    (origin,) = origins.started
    assert origin.connections == 0  # CloudFront with ipv6 never reaches the IPv4 server


def test_dualstack_reports_both_and_says_ipv6_fails(
        hosts: Path, pki: SessionPki, origins: Origins) -> None:
    report = check_localhost(hosts, pki, origins(v4=True), "dualstack")
    assert report["target"]["addresses"] == [V4, V6]
    assert ("tcp-refused", V6) in blocking(report)
    assert ("tcp-refused", V4) not in blocking(report)
    inconsistent = only_cause(report, "address-inconsistent")
    assert inconsistent["severity"] == "warning"
    assert "differences on ::1" in inconsistent["message"]
    assert ("IpAddressType dualstack: IPv4 works, IPv6 fails, and CloudFront uses both"
            in inconsistent["message"])
    # both addresses are loopback: said once, naming both
    not_public = only_cause(report, "origin-not-public")
    assert not_public["address"] is None
    assert "resolves to 127.0.0.1, ::1, which are not on the public internet" in \
        not_public["message"]


# --- an origin on ::1 only (127.0.0.1 refuses) ------------------------------------------


def test_ipv4_on_an_ipv6_only_origin_blocks_refused(
        hosts: Path, pki: SessionPki, origins: Origins) -> None:
    port = origins(v4=False, v6=True)
    report = check_localhost(hosts, pki, port, "ipv4")
    assert report["target"]["addresses"] == [V4]
    assert blocking(report) == [("origin-not-public", None), ("tcp-refused", None)]
    assert only_cause(report, "tcp-refused")["message"].startswith(
        f"127.0.0.1 port {port} refused")
    (origin,) = origins.started
    assert origin.connections == 0


def test_ipv6_probes_only_1_and_the_origin_there_is_healthy(
        hosts: Path, pki: SessionPki, origins: Origins) -> None:
    report = check_localhost(hosts, pki, origins(v4=False, v6=True), "ipv6")
    assert report["target"]["addresses"] == [V6]
    assert blocking(report) == [("origin-not-public", None)]
    assert report["certificate"]["name_match"] and report["certificate"]["trusted"]
    (origin,) = origins.started
    assert origin.handshakes >= 1


def test_dualstack_says_ipv4_fails(hosts: Path, pki: SessionPki,
                                   origins: Origins) -> None:
    report = check_localhost(hosts, pki, origins(v4=False, v6=True), "dualstack")
    assert report["target"]["addresses"] == [V4, V6]
    assert ("tcp-refused", V4) in blocking(report)
    assert ("tcp-refused", V6) not in blocking(report)
    assert ("IpAddressType dualstack: IPv6 works, IPv4 fails"
            in only_cause(report, "address-inconsistent")["message"])


# --- origins on both families, one port number ------------------------------------------


@pytest.mark.parametrize(("ip_address_type", "addresses"), [
    ("ipv4", [V4]), ("ipv6", [V6]), ("dualstack", [V4, V6]),
])
def test_both_families_on_one_port(hosts: Path, pki: SessionPki, origins: Origins,
                                   ip_address_type: str, addresses: list[str]) -> None:
    """Each family's server sees connections exactly when its family is probed."""
    report = check_localhost(hosts, pki, origins(v4=True, v6=True), ip_address_type)
    assert report["target"]["addresses"] == addresses
    assert {code for code, _ in blocking(report)} == {"origin-not-public"}
    assert "address-inconsistent" not in codes(report)
    v4, v6 = origins.started
    assert [s.host for s in (v4, v6) if s.handshakes] == addresses
    assert [s.host for s in (v4, v6) if s.connections] == addresses


# --- the TOML key -------------------------------------------------------------------------


def test_toml_ip_address_type(hosts: Path, pki: SessionPki, origins: Origins,
                              tmp_path: Path) -> None:
    """`ip_address_type = "ipv6"` in a cftui TOML file does what --ip-address-type does."""
    port = origins(v4=True)
    config = tmp_path / "cftui.toml"
    config.write_text(f"""
[[distribution]]
id = "E1"
[[distribution.origin]]
id = "app"
domain = "localhost"
https_port = {port}
ip_address_type = "ipv6"
""")
    report = cftui_check(hosts, pki, "--config", str(config))
    assert report["target"]["addresses"] == [V6]
    assert ("tcp-refused", None) in blocking(report)
    (origin,) = origins.started
    assert origin.connections == 0
