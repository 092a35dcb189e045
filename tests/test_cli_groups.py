"""`cftui check` on a distribution: origin groups judged as a whole, every alias checked."""

from __future__ import annotations

import json
from pathlib import Path

from support import SessionPki
from support.schema import assert_valid_report
from test_cli import cftui

from cftui.demo.loopback import free_port_on


def _origin(origin_id: str, port: int, pki: SessionPki, more: str = "") -> str:
    return (f'[[distribution.origin]]\nid = "{origin_id}"\ndomain = "origin.example.com"\n'
            f'https_port = {port}\nconnect_to = ["127.0.0.1"]\nca_file = "{pki.ca_file}"\n'
            f'connect_timeout = 1\nread_timeout = 2\n{more}\n')


def _config(tmp_path: Path, *origins: str, head: str = "", group: str = "") -> Path:
    path = tmp_path / "cftui.toml"
    path.write_text(f'[[distribution]]\nid = "E1"\n{head}\n' + "".join(origins) + group)
    return path


GROUP = ('[[distribution.origin_group]]\nid = "failover"\nprimary = "main"\n'
         'secondary = "dr"\nfailover_status_codes = [{codes}]\n')


def _check(path: Path) -> tuple[int, dict]:
    done = cftui("check", "--config", str(path), "--format", "json")
    assert done.stderr == ""
    doc = json.loads(done.stdout)
    assert_valid_report(doc)
    return done.returncode, doc


def test_failing_primary_with_working_secondary_is_a_group_warning(
        tmp_path: Path, tls_origin, pki: SessionPki) -> None:
    path = _config(tmp_path, _origin("main", free_port_on("127.0.0.1"), pki),
                   _origin("dr", tls_origin().port, pki), group=GROUP.format(codes="500"))
    status, doc = _check(path)
    assert status == 1  # the contract: the primary's own report blocks
    (group,) = doc["groups"]
    assert (group["id"], group["primary"], group["secondary"]) == ("failover", "main", "dr")
    assert group["would_fail"] is False and group["primary_fails"] is True
    assert group["secondary_fails"] is False
    (cause,) = group["causes"]
    assert cause["code"] == "group-primary-failing" and cause["severity"] == "warning"
    assert "GET, HEAD and OPTIONS" in cause["message"] and "POST" in cause["message"]
    assert "tcp-refused" in cause["message"]


def test_both_members_failing_blocks_the_group(tmp_path: Path, pki: SessionPki) -> None:
    path = _config(tmp_path, _origin("main", free_port_on("127.0.0.1"), pki),
                   _origin("dr", free_port_on("127.0.0.1"), pki), group=GROUP.format(codes=""))
    status, doc = _check(path)
    assert status == 1
    (group,) = doc["groups"]
    assert group["would_fail"] is True and group["http_status"] == 502
    assert [c["code"] for c in group["causes"]] == ["group-failing"]
    assert group["causes"][0]["severity"] == "error"


def test_a_failover_status_from_the_primary_counts(tmp_path: Path, tls_origin,
                                                   pki: SessionPki) -> None:
    path = _config(tmp_path, _origin("main", tls_origin(status=503).port, pki),
                   _origin("dr", tls_origin().port, pki), group=GROUP.format(codes="503"))
    status, doc = _check(path)
    assert status == 0  # a 503 is the origin's own answer, not a blocking cause
    (group,) = doc["groups"]
    assert group["primary_fails"] is True and "503" in group["primary_answer"]
    assert [c["code"] for c in group["causes"]] == ["group-primary-failing"]


def test_a_working_group_has_no_causes_and_text_says_so(tmp_path: Path, tls_origin,
                                                        pki: SessionPki) -> None:
    path = _config(tmp_path, _origin("main", tls_origin(status=503).port, pki),
                   _origin("dr", tls_origin().port, pki), group=GROUP.format(codes="500"))
    status, doc = _check(path)
    assert status == 0 and doc["groups"][0]["causes"] == []
    text = cftui("check", "--config", str(path)).stdout
    assert "origin group E1 / failover: primary and secondary work" in text


def test_every_alias_is_checked_on_its_own_handshake(tmp_path: Path, tls_origin,
                                                     pki: SessionPki) -> None:
    server = tls_origin(pki.issue("default.example.com"),
                        sni={"www.example.com": pki.issue("www.example.com"),
                             "shop.example.com": pki.issue("other.example.com")})
    path = _config(tmp_path, _origin("app", server.port, pki, "forward_host = true"),
                   head='aliases = ["www.example.com", "shop.example.com", "*.example.net"]')
    status, doc = _check(path)
    assert status == 1
    by_sni = {r["target"]["sni"]: r for r in doc["reports"]}
    assert set(by_sni) == {"www.example.com", "shop.example.com", "cftui-sample.example.net"}
    assert not by_sni["www.example.com"]["verdict"]["would_fail"]
    assert by_sni["shop.example.com"]["verdict"]["causes"][0]["code"] == "cert-name-mismatch"
    assert by_sni["cftui-sample.example.net"]["verdict"]["would_fail"]
    www = by_sni["www.example.com"]["target"]
    assert www["label"] == "E1 / app (Host www.example.com)"
    assert "forward_host = true" in www["host_header_source"]
    assert "wildcard alias *.example.net" in www["host_header_source"]


def test_host_header_on_the_command_line_checks_one_name(tmp_path: Path, tls_origin,
                                                         pki: SessionPki) -> None:
    server = tls_origin(sni={"www.example.com": pki.issue("www.example.com")})
    path = _config(tmp_path, _origin("app", server.port, pki, "forward_host = true"),
                   head='aliases = ["www.example.com", "shop.example.com"]')
    done = cftui("check", "--config", str(path), "--host-header", "www.example.com",
                 "--format", "json")
    doc = json.loads(done.stdout)
    assert doc["schema"] == "cftui.report/1", done.stderr
    assert doc["target"]["host_header_source"] == "the Host given on the command line"
    assert done.returncode == 0
