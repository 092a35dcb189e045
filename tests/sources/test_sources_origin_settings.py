"""The origin settings added 2024–2026, from AWS CLI JSON (moto drops them) and TOML."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SessionPki

from cftui.sources.aws_export import load_export
from cftui.sources.reader import SourceError
from cftui.sources.toml_config import load_config

DATA = Path(__file__).parent / "data" / "origin_settings_2025.json"


def test_aws_json_fields_reach_the_target() -> None:
    (dist,) = load_export(DATA).distributions
    app = dist.origin("app")
    assert app is not None
    target = app.to_target()
    assert (target.ip_address_type, target.http_version, target.mtls,
            target.response_completion_timeout, target.connection_attempts) == (
        "dualstack", "http2", True, 60.0, 2)
    assert target.client_cert is None  # the ACM certificate never leaves AWS


def test_developer_guide_mtls_shape_is_warned_about() -> None:
    (dist,) = load_export(DATA).distributions
    guide = dist.origin("guide-shape")
    assert guide is not None and guide.to_target().mtls
    assert any("developer guide" in note for note in guide.notes)


def test_unknown_ip_address_type_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(DATA.read_text().replace('"dualstack"', '"ipv5"'))
    with pytest.raises(SourceError, match="ipv5"):
        load_export(bad)


def test_toml_keys(tmp_path: Path, pki: SessionPki) -> None:
    config = tmp_path / "cftui.toml"
    config.write_text(f"""
[[distribution]]
id = "E1"
[[distribution.origin]]
id = "app"
domain = "origin.example.com"
ip_address_type = "ipv6"
http_version = "http2"
response_completion_timeout = 90
client_cert = "{pki.client_files.cert}"
client_key = "{pki.client_files.key}"
""")
    (dist,) = load_config(config).distributions
    target = dist.origins[0].to_target()
    assert (target.ip_address_type, target.http_version, target.response_completion_timeout,
            target.mtls, target.client_cert) == (
        "ipv6", "http2", 90.0, True, str(pki.client_files.cert))
    config.write_text(config.read_text().replace(f'client_key = "{pki.client_files.key}"\n',
                                                 ""))
    with pytest.raises(SourceError, match="go together"):
        load_config(config)
