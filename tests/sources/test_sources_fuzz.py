"""Generated TOML configs and AWS CLI exports, shaped by the real schemas.

Property: `cftui check --config/--import FILE` either refuses the file with one
printable line naming it (UsageError, exit 2), or every Target it yields holds
only validated values (A-label names, a CloudFront OriginPath, finite timeouts).
Nothing else may escape; nothing is sent (only `check_targets` runs).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cftui import cli
from cftui.engine import validate
from cftui.engine.target import Target
from cftui.sources.toml_config import _ORIGIN_KEYS

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

names = st.one_of(
    st.sampled_from(["origin.example.com", "bücher.example", "a..example.com", "127.0.0.1",
                     "x" * 70 + ".example.com", "www.example.com", "*.example.com",
                     "a.example.com:443", "https://a.example.com", "xn--bcher-kva.example"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.from_regex(r"[a-zé\-]{1,70}(\.[a-z0-9\-]{1,70}){0,3}", fullmatch=True),
)
numbers = st.one_of(st.integers(-10, 70000), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-(10**30), 10**30))
paths = st.one_of(st.sampled_from(["", "/", "/v1", "/v1/", "x", "/a\r\nX: y", "/a b"]),
                  st.text(max_size=20).map(lambda t: "/" + t))
scalars = st.one_of(names, numbers, st.booleans(), paths)
values = st.one_of(scalars, st.lists(scalars, max_size=3))

ORIGIN_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(st.just("app"), st.text(max_size=10)),
    "domain": names,
    "kind": st.sampled_from(["custom", "s3", "vpc", "x"]),
    "https_port": numbers,
    "http_port": numbers,
    "protocol_policy": st.sampled_from(["https-only", "match-viewer", "http-only", "tls"]),
    "protocols": st.lists(st.sampled_from(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "x"]),
                          max_size=3),
    "connect_timeout": numbers,
    "read_timeout": numbers,
    "attempts": numbers,
    "host_header": names,
    "forward_host": st.booleans(),
    "origin_path": paths,
    "connect_to": st.lists(st.sampled_from(["127.0.0.1", "::1", "1.2.3.4.5", "host"]),
                           max_size=2),
    "ca_file": st.sampled_from(["/dev/zero", "/nonexistent.pem", "."]),
    "ip_address_type": st.sampled_from(["ipv4", "ipv6", "dualstack", "IPV4", ""]),
    "client_cert": st.sampled_from(["/dev/zero", "/nonexistent.pem", "."]),
    "client_key": st.sampled_from(["/dev/zero", "/nonexistent.pem", "."]),
    "http_version": st.sampled_from(["http1.1", "http2", "h3", ""]),
    "response_completion_timeout": numbers,
}
assert set(ORIGIN_VALUES) == set(_ORIGIN_KEYS)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    origin = {"id": "app", "domain": "origin.example.com", "connect_to": ["127.0.0.1"]}
    for key in draw(st.lists(st.sampled_from(sorted(ORIGIN_VALUES)), max_size=5, unique=True)):
        origin[key] = draw(st.one_of(ORIGIN_VALUES[key], values))
    aliases = draw(st.lists(names, max_size=2))
    lines = ["[[distribution]]", 'id = "E1"', f"aliases = {_toml_value(aliases)}",
             "[[distribution.origin]]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in origin.items()]
    return "\n".join(lines) + "\n"


@st.composite
def json_documents(draw: st.DrawFn) -> str:
    custom: dict[str, Any] = {"HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}
    origin: dict[str, Any] = {"Id": "app", "DomainName": "origin.example.com",
                              "CustomOriginConfig": custom}
    fields = {"DomainName": names, "OriginPath": paths, "ConnectionTimeout": numbers,
              "ConnectionAttempts": numbers, "HTTPSPort": numbers, "OriginReadTimeout": numbers,
              "OriginProtocolPolicy": st.sampled_from(["https-only", "x"]),
              "CustomHeaders": st.builds(lambda n: {"Items": [{"HeaderName": n}]}, names)}
    for key in draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True)):
        value = draw(st.one_of(fields[key], values))
        (custom if key in ("HTTPSPort", "OriginReadTimeout", "OriginProtocolPolicy")
         else origin)[key] = value
    config = {"Aliases": {"Items": draw(st.lists(names, max_size=2))},
              "Origins": {"Items": [origin]},
              "DefaultCacheBehavior": {"TargetOriginId": "app", "OriginRequestPolicyId":
                                       "216adef6-5c7f-47e4-b989-5492eafa07d3"}}
    return json.dumps({"DistributionConfig": config})


def _valid(target: Target) -> None:
    assert target.domain == validate.domain(target.domain) and target.domain.isascii()
    if target.host_header is not None:
        assert target.host_header == validate.domain(target.host_header)
    assert target.path.startswith("/") and target.path.isascii() and "\r" not in target.path
    assert target.path == "/" or not target.path.endswith("//")
    for timeout in (target.connect_timeout, target.read_timeout):
        assert math.isfinite(timeout) and timeout > 0
    assert 1 <= target.port <= 65535
    target.sni.encode("ascii")


def _property(path: Path, flag: str) -> None:
    args = cli.check_parser().parse_args([flag, str(path)])
    started = time.monotonic()
    try:
        targets = cli.check_targets(args)
    except (cli.UsageError, ValueError) as exc:
        line = cli.one_line(str(exc))
        assert str(path) in line or line.startswith("E1 / app: "), line
    else:
        for target in targets:
            _valid(target)
    assert time.monotonic() - started < 2


@SETTINGS
@given(toml_documents())
def test_generated_toml(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cftui.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _property(path, "--config")


@SETTINGS
@given(json_documents())
def test_generated_json(tmp_path: Path, text: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _property(path, "--import")
