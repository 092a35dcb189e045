"""The TOML config: the shipped example, lookup order, and errors naming file and place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.errors import source_error

from cftui.engine.profile import Protocol
from cftui.sources import find_config, load_config

MINIMAL = """
[[distribution]]
id = "E1"
aliases = ["www.example.com"]

[[distribution.origin]]
id = "app"
domain = "origin.example.com"
"""


def test_the_example_loads(example_toml: Path) -> None:
    inventory = load_config(example_toml)
    shop, portal = inventory.distributions
    assert (shop.id, shop.name) == ("E2EXAMPLE1ABC", "shop")
    app, dr, assets = shop.origins
    assert app.forwards_host and app.host_header == "www.example.com"
    assert "each alias" in app.host_forwarding_reason
    assert (dr.https_port, dr.protocol_policy, dr.read_timeout) == (8443, "match-viewer", 60)
    assert dr.ssl_protocols == (Protocol.TLSv1_1, Protocol.TLSv1_2)
    assert dr.connect_to == ("203.0.113.25",)
    assert dr.ca_file is None  # commented out in the example: the file does not exist
    assert assets.kind == "s3" and not assets.checkable
    (group,) = shop.origin_groups
    assert (group.primary, group.secondary, group.failover_status_codes) == (
        "app", "app-dr", (500, 502, 503, 504))
    legacy, downloads = portal.origins
    assert legacy.ssl_protocols == (Protocol.TLSv1, Protocol.TLSv1_1)
    assert (legacy.connect_timeout, legacy.read_timeout, legacy.connection_attempts) == (5, 90, 2)
    assert legacy.to_target().path == "/portal/"
    assert not downloads.checkable
    _, origins = inventory.find("legacy-portal", None)  # by name; http-only left out
    assert [o.id for o in origins] == ["portal"]


def test_defaults(write_toml) -> None:
    (dist,) = load_config(write_toml(MINIMAL)).distributions
    (origin,) = dist.origins
    target = origin.to_target()
    assert (target.domain, target.port, target.protocols) == (
        "origin.example.com", 443, (Protocol.TLSv1_2,))
    assert (target.connect_timeout, target.read_timeout, target.host_header) == (10, 30, None)
    assert origin.protocol_policy == "https-only" and origin.kind == "custom"
    assert target.label == "E1 / app"


def test_host_header_and_forward_host(write_toml) -> None:
    text = MINIMAL + 'host_header = "shop.example.com"\n'
    origin = load_config(write_toml(text)).distributions[0].origins[0]
    assert origin.forwards_host and origin.host_header == "shop.example.com"
    text = MINIMAL.replace('aliases = ["www.example.com"]', 'domain_name = "d1.cloudfront.net"')
    origin = load_config(write_toml(text + "forward_host = true\n")).distributions[0].origins[0]
    assert origin.host_header == "d1.cloudfront.net"


# --- lookup order ---------------------------------------------------------------------


def test_find_config_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "find-config"
    home, xdg, work = base / "home", base / "xdg", base / "work"
    for directory in (home, xdg, work):
        directory.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.chdir(work)
    assert find_config(None) is None

    fallback = home / ".config" / "cftui" / "config.toml"
    fallback.parent.mkdir(parents=True)
    fallback.write_text(MINIMAL)
    assert find_config(None) == fallback

    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert find_config(None) is None  # XDG set: ~/.config is not used
    (xdg / "cftui").mkdir()
    (xdg / "cftui" / "config.toml").write_text(MINIMAL)
    assert find_config(None) == xdg / "cftui" / "config.toml"

    (work / "cftui.toml").write_text(MINIMAL)
    assert find_config(None) == work / "cftui.toml"

    explicit = tmp_path / "elsewhere.toml"
    assert find_config(explicit) == explicit  # even when missing: loading says so


# --- errors ---------------------------------------------------------------------------


def _error(path: Path) -> str:
    return source_error(load_config, path)


@pytest.mark.parametrize(("extra", "place", "problem"), [
    ('protocols = ["TLSv1.2", "TLSv1.3"]', "distribution[0].origin[0].protocols[1]",
     "unknown protocol 'TLSv1.3'"),
    ("https_port = 70000", "distribution[0].origin[0].https_port",
     "70000 is out of range: must be between 1 and 65535"),
    ('https_port = "443"', "distribution[0].origin[0].https_port",
     "expected a whole number, found a string"),
    ("https_prot = 8443", "distribution[0].origin[0].https_prot",
     "unknown key 'https_prot' (did you mean 'https_port'?)"),
    ('protocol_policy = "https"', "distribution[0].origin[0].protocol_policy",
     "'https' is not one of https-only, http-only, match-viewer"),
    ("connect_timeout = 11", "distribution[0].origin[0].connect_timeout",
     "must be between 1 and 10 s"),
    ("read_timeout = 0.5", "distribution[0].origin[0].read_timeout", "must be between 1 and 180"),
    ("attempts = 4", "distribution[0].origin[0].attempts", "must be between 1 and 3"),
    ("protocols = []", "distribution[0].origin[0].protocols", "at least one protocol"),
    ('connect_to = ["origin.example.com"]', "distribution[0].origin[0].connect_to[0]",
     "not an IPv4 or IPv6 address"),
    ('kind = "lambda"', "distribution[0].origin[0].kind", "not one of custom, s3, vpc"),
    ('host_header = "x"\nforward_host = false', "distribution[0].origin[0].forward_host",
     "host_header is set"),
])
def test_bad_origin_values(write_toml, extra: str, place: str, problem: str) -> None:
    message = _error(write_toml(MINIMAL + extra + "\n"))
    assert f": {place}: " in message and problem in message


@pytest.mark.parametrize(("domain", "problem"), [
    ("https://origin.example.com", "without scheme or path"),
    ("origin.example.com:8443", "https_port"),
    ("origin example", "not a valid host name"),
    ("", "must not be empty"),
])
def test_bad_domains(write_toml, domain: str, problem: str) -> None:
    text = MINIMAL.replace('domain = "origin.example.com"', f'domain = "{domain}"')
    message = _error(write_toml(text))
    assert ": distribution[0].origin[0].domain: " in message and problem in message


def test_missing_domain(write_toml) -> None:
    message = _error(write_toml(MINIMAL.replace('domain = "origin.example.com"\n', "")))
    assert message.endswith(": distribution[0].origin[0].domain: missing")


def test_bad_toml(write_toml) -> None:
    path = write_toml('[[distribution]]\nid = "E1\n')
    message = _error(path)
    assert "invalid TOML" in message and ": line 2, column" in message


@pytest.mark.parametrize(("text", "place", "problem"), [
    ("", None, "no [[distribution]] table"),
    ('[[distribution]]\nid = "E1"\n', "distribution[0].origin", "at least one"),
    ('[[distribution]]\nname = ""\n[[distribution.origin]]\nid = "a"\ndomain = "a.example"\n',
     "distribution[0]", "needs an id or a name"),
    ('[distribution]\nid = "E1"\n', "distribution", "double brackets"),
    ('[[distribution]]\nid = "E1"\n[distribution.origin]\nid = "a"\ndomain = "a.example"\n',
     "distribution[0].origin", "double brackets"),
    ('title = "mine"\n' + MINIMAL, "title", "unknown key 'title'"),
    (MINIMAL + '[[distribution.origin]]\nid = "app"\ndomain = "b.example.com"\n',
     "distribution[0].origin[1]", "duplicate origin 'app'"),
    (MINIMAL + '[[distribution.origin_group]]\nid = "g"\nprimary = "app"\nsecondary = "dr"\n',
     "distribution[0].origin_group[0].secondary", "no origin 'dr'"),
    (MINIMAL.replace('aliases = ["www.example.com"]', "") + "forward_host = true\n",
     "distribution[0].origin[0].forward_host", "needs the distribution's aliases"),
    (MINIMAL.replace('"www.example.com"', '"www example"'), "distribution[0].aliases[0]",
     "not a valid host name"),
])
def test_bad_structure(write_toml, text: str, place: str | None, problem: str) -> None:
    message = _error(write_toml(text))
    assert problem in message
    if place:
        assert f": {place}: " in message


def test_unreadable(tmp_path: Path) -> None:
    assert "cannot read" in _error(tmp_path / "absent.toml")
    assert "cannot read" in _error(tmp_path)  # a directory


def test_relative_ca_file_is_relative_to_the_config(write_toml, tmp_path: Path) -> None:
    (tmp_path / "ca").mkdir()
    (tmp_path / "ca" / "root.pem").write_text("")
    origin = load_config(write_toml(MINIMAL + 'ca_file = "ca/root.pem"\n')).distributions[0]
    assert origin.origins[0].ca_file == os.path.join(tmp_path, "ca", "root.pem")
