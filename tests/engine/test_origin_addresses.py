"""IpAddressType and origin-not-public: which addresses CloudFront connects to."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from support.agreement import assert_causes_agree
from support.schema import valid_json

from cftui.engine.causes import CauseCode
from cftui.engine.net import dns
from cftui.engine.results import Report
from cftui.engine.run import check
from cftui.engine.targets import make_target

_V4 = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("203.0.113.7", 443))
_V6 = (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::7", 443, 0, 0))


def _localhost_families() -> set[int]:
    return {info[0] for info in socket.getaddrinfo("localhost", 443, 0, socket.SOCK_STREAM)}


def test_pick_keeps_only_the_family_cloudfront_uses() -> None:
    assert dns.pick("o.example", [_V6, _V4], "ipv4") == ("203.0.113.7",)
    assert dns.pick("o.example", [_V6, _V4], "ipv6") == ("2001:db8::7",)
    assert dns.pick("o.example", [_V6, _V4], "dualstack") == ("203.0.113.7", "2001:db8::7")
    with pytest.raises(dns.ResolveError, match=r"no A record.*IpAddressType ipv4"):
        dns.pick("o.example", [_V6], "ipv4")


@pytest.mark.parametrize(("address", "public"), [
    ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False), ("127.0.0.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("fd00::1", False), ("::1", False),
    ("fe80::1", False), ("::ffff:10.0.0.1", False), ("8.8.8.8", True),
    ("2606:4700::1111", True), ("192.0.2.10", True),
])
def test_is_public(address: str, public: bool) -> None:
    assert dns.is_public(address) is public


def _run(port: int, **options: Any) -> Report:
    report = check(make_target("localhost", port=port, connect_timeout=1, read_timeout=1,
                               **options))
    assert_causes_agree(report)
    valid_json(report)
    return report


def test_resolved_loopback_is_not_public(tls_origin: Callable[..., Any]) -> None:
    origin = tls_origin()
    report = _run(origin.port)
    codes = [c.code for c in report.verdict.causes]
    assert codes[0] is CauseCode.ORIGIN_NOT_PUBLIC and report.verdict.http_status == 504
    assert report.addresses == ("127.0.0.1",)  # ipv4 by default: only A records


def test_connect_to_is_the_users_routing(run_check: Callable[..., Report],
                                         tls_origin: Callable[..., Any]) -> None:
    report = run_check(tls_origin().port)
    assert CauseCode.ORIGIN_NOT_PUBLIC not in {c.code for c in report.verdict.causes}


def test_ipv6_only_on_an_ipv4_only_name_does_not_resolve(tls_origin: Callable[..., Any]
                                                         ) -> None:
    if socket.AF_INET6 in _localhost_families():
        pytest.skip("localhost has an AAAA record here")
    report = _run(tls_origin().port, ip_address_type="ipv6")
    assert [c.code for c in report.verdict.causes] == [CauseCode.DNS_UNRESOLVED]
    assert "IpAddressType ipv6" in report.verdict.causes[0].message


# localhost on both families (a server on 127.0.0.1 only, one on ::1 only): see
# test_dualstack_localhost.py, which gives localhost ::1 in a private mount namespace.
