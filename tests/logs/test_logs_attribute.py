"""Attribution through cache behaviours; the demo log; the text output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cftui.cli import main
from cftui.logs import (
    Attributor,
    CacheBehaviour,
    DistributionRoutes,
    path_matches,
    summarise,
)
from cftui.logs.demo import demo_log_path
from tests.logs.logsynth import Request, w3c_lines, write

T0 = 1714568400


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("/api/*", "/api/v1/cart", True),
    ("api/*", "/api/v1/cart", True),  # the leading slash is optional
    ("/api/*", "/API/v1", False),  # case-sensitive
    ("*.jpg", "/img/a.jpg", True),
    ("/img/?.png", "/img/a.png", True),
    ("/img/?.png", "/img/ab.png", False),
    ("/a+b/*", "/a+b/c", True),  # regex characters are literal
    ("/a+b/*", "/aab/c", False),
])
def test_cloudfront_wildcards(pattern: str, path: str, hit: bool) -> None:
    assert path_matches(pattern, path) is hit


def test_first_matching_behaviour_wins_then_default() -> None:
    routes = DistributionRoutes("E1", "E1", ("d1.cloudfront.net",), (
        CacheBehaviour("/api/v2/*", "v2"), CacheBehaviour("/api/*", "api")), "web")
    assert [routes.origin_for(p) for p in ("/api/v2/x", "/api/v1", "/")] == ["v2", "api", "web"]


TOML = """
[[distribution]]
id = "E2EXAMPLE1ABC"
domain_name = "d111111abcdef8.cloudfront.net"
aliases = ["www.example.com", "*.shop.example"]

[[distribution.origin]]
id = "app"
domain = "app.example.net"

[[distribution]]
id = "E3EXAMPLE2XYZ"
aliases = ["portal.example.org"]

[[distribution.origin]]
id = "portal"
domain = "portal-origin.example.org"

[[distribution.origin]]
id = "downloads"
domain = "downloads.example.org"
"""


def test_toml_config_attributes_by_host_and_file_name(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "cftui.toml"
    config.write_text(TOML)
    reqs = [Request(T0, "www.example.com", "/", 502, "OriginDnsError", "Error"),
            Request(T0 + 1, "eu.shop.example", "/", 200),
            Request(T0 + 2, "portal.example.org", "/", 504, "OriginReadError", "Error"),
            Request(T0 + 3, "unknown.example", "/", 200)]
    write(tmp_path / "logs" / "a.log", list(w3c_lines(reqs)), gz=False)
    assert main(["logs", str(tmp_path / "logs"), "--config", str(config),
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {(g["distribution"], g["host"], g["origin"]): g["requests"] for g in doc["groups"]}
    assert got == {("E2EXAMPLE1ABC", None, "app"): 2, ("E3EXAMPLE2XYZ", None, None): 1,
                   (None, "unknown.example", None): 1}
    assert any("E3EXAMPLE2XYZ" in n and "cache behaviours" in n for n in doc["notes"])


def test_export_behaviours_attribute_by_path(tmp_path: Path, data_dir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    export = json.loads((data_dir / "get-distribution.json").read_text())
    dist = export["Distribution"]
    reqs = [Request(T0, dist["DomainName"], "/legacy/old.asp", 502, "OriginConnectError",
                    "Error"),
            Request(T0 + 1, dist["DomainName"], "/Legacy/old.asp", 200),
            Request(T0 + 2, dist["DomainName"], "/", 200)]
    log = write(tmp_path / f"{dist['Id']}.2024-05-01-13.abcd1234.gz", list(w3c_lines(reqs)),
                gz=True)
    assert main(["logs", str(log), "--import", str(data_dir / "get-distribution.json"),
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {g["origin"]: (g["requests"], g["errors"]["502"]) for g in doc["groups"]}
    assert got == {"legacy-web": (1, 1), "api-group": (2, 0)}
    assert doc["attribution"] == "behaviours"


def test_demo_log_ships_and_reads(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo_log_path().is_file()
    assert main(["logs", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "missing-intermediate" in out and "OriginCommError" in out and "█" in out
    summary = summarise([demo_log_path()], Attributor([]))
    assert summary.records == 300 and summary.skipped == 0
