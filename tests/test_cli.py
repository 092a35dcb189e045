"""`cftui check` as scripts run it: exit status 0/1/2, JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import SessionPki
from support.schema import assert_valid_report

from cftui.demo.loopback import free_port_on
from cftui.engine.schema import load_schema

NAME = "origin.example.com"


def cftui(*args: str, cwd: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cftui", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)


def local(pki: SessionPki, port: int, *more: str) -> list[str]:
    return ["check", NAME, "--connect-to", "127.0.0.1", "--port", str(port), "--ca-file",
            str(pki.ca_file), "--connect-timeout", "1", "--read-timeout", "1", *more]


def assert_usage_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("cftui: "), lines[0]
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


# --- exit status and output ---------------------------------------------------------------


def test_healthy_origin_exits_0(tls_origin, pki: SessionPki) -> None:
    done = cftui(*local(pki, tls_origin().port))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    first = done.stdout.splitlines()[0]
    assert first == f"{NAME}: CloudFront can reach this origin over HTTPS"
    assert "\x1b[" not in done.stdout  # not a terminal: no colour


def test_warnings_alone_exit_0(tls_origin, pki: SessionPki) -> None:
    done = cftui(*local(pki, tls_origin(pki.issue(common_name=NAME)).port))
    assert done.returncode == 0, done.stderr
    assert "with warnings: cert-name-cn-only" in done.stdout.splitlines()[0]


def test_blocking_cause_exits_1(tls_origin, pki: SessionPki) -> None:
    done = cftui(*local(pki, tls_origin(pki.issue("other.example.com")).port))
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == \
        f"{NAME}: CloudFront would answer 502 (cert-name-mismatch)"
    assert "fix:" in done.stdout


def test_read_timeout_exits_1_with_504(tls_origin, pki: SessionPki) -> None:
    done = cftui(*local(pki, tls_origin(behaviour="delay:5").port))
    assert done.returncode == 1
    assert "would answer 504 (origin-read-timeout)" in done.stdout


def test_refused_port_exits_1_in_json(pki: SessionPki) -> None:
    done = cftui(*local(pki, free_port_on("127.0.0.1"), "--format", "json"))
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert_valid_report(doc)
    assert doc["schema"] == "cftui.report/1"
    assert doc["verdict"]["http_status"] == 502
    assert [c["code"] for c in doc["verdict"]["causes"]] == ["tcp-refused"]


def test_json_output_of_a_healthy_origin(tls_origin, pki: SessionPki) -> None:
    done = cftui(*local(pki, tls_origin().port, "--format", "json", "--protocols",
                        "TLSv1.2,TLSv1"))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert_valid_report(doc)
    assert doc["schema"] == "cftui.report/1"
    assert doc["target"]["protocols"] == ["TLSv1", "TLSv1.2"]
    assert doc["verdict"] == {"would_fail": False, "http_status": None, "causes": []}


def test_no_http_skips_the_request(tls_origin, pki: SessionPki) -> None:
    done = cftui(*local(pki, tls_origin(behaviour="close").port, "--no-http", "--format",
                        "json"))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert_valid_report(doc)
    stages = {s["id"]: s["status"] for s in doc["stages"]}
    assert stages["http"] == "skipped"


def test_schema_prints_the_shipped_json_schema() -> None:
    done = cftui("schema")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout) == load_schema()
    helped = cftui("schema", "--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: cftui schema") and "JSON Schema" in helped.stdout


def test_schema_does_not_import_the_ui() -> None:
    code = ("import sys\nfrom cftui.cli import main\nassert main(['schema']) == 0\n"
            "print(sorted(m for m in sys.modules if m.startswith(('textual', 'cftui.ui'))),"
            " file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"
    assert json.loads(done.stdout) == load_schema()


def test_host_header_drives_sni_and_the_name(tls_origin, pki: SessionPki) -> None:
    server = tls_origin(pki.issue("default.example.com"),
                        sni={"www.example.com": pki.issue("www.example.com")})
    done = cftui(*local(pki, server.port, "--host-header", "www.example.com"))
    assert done.returncode == 0, done.stdout
    assert "SNI www.example.com" in done.stdout


def test_unresolvable_domain_exits_1(tmp_path: Path) -> None:
    done = cftui("check", "no-such-origin.cftui.invalid", "--connect-timeout", "1",
                 cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "(dns-unresolved)" in done.stdout.splitlines()[0]


# --- bad input: one line on stderr, exit 2 ---------------------------------------------------


BAD_INPUT = [
    (["check", "bad..domain"], ["bad..domain"]),
    (["check", "https://origin.example.com/"], ["bare host name"]),
    (["check", "origin.example.com:443"], ["--port"]),
    (["check", NAME, "--port", "70000"], ["70000", "out of range"]),
    (["check", NAME, "--port", "0"], ["out of range"]),
    (["check", NAME, "--port", "https"], ["not a number"]),
    (["check", NAME, "--protocols", "TLSv1.3"], ["TLSv1.3"]),
    (["check", NAME, "--protocols", "TLSv1.2,SSLv2"], ["SSLv2"]),
    (["check", NAME, "--protocols", ","], ["empty"]),
    (["check", NAME, "--ca-file", "/nonexistent/ca.pem"], ["/nonexistent/ca.pem"]),
    (["check", NAME, "--connect-timeout", "99"], ["--connect-timeout", "99"]),
    (["check", NAME, "--connect-timeout", "0.5"], ["--connect-timeout"]),
    (["check", NAME, "--connect-timeout", "nan"], ["--connect-timeout"]),
    (["check", NAME, "--read-timeout", "181"], ["--read-timeout"]),
    (["check", NAME, "--connect-to", "1.2.3"], ["1.2.3"]),
    (["check", NAME, "--host-header", "a..b"], ["--host-header"]),
    (["check", NAME, "--format", "yaml"], ["yaml"]),
    (["check", NAME, "--unknown-option"], ["--unknown-option"]),
    (["check"], ["DOMAIN"]),
    (["check", "--config", "/nonexistent/cftui.toml"], ["/nonexistent/cftui.toml"]),
    (["check", "--import", "/nonexistent/dist.json"], ["/nonexistent/dist.json"]),
    (["schema", "--format", "yaml"], ["--format"]),
]


@pytest.mark.parametrize(("args", "words"), BAD_INPUT,
                         ids=[" ".join(args[1:]) or "nothing" for args, _ in BAD_INPUT])
def test_bad_input(tmp_path: Path, args: list[str], words: list[str]) -> None:
    assert_usage_error(cftui(*args, cwd=tmp_path), *words)


def test_ca_file_that_is_not_pem(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("this is not a certificate\n")
    assert_usage_error(cftui("check", NAME, "--ca-file", str(bad)), "no PEM certificate")


def test_ca_file_whose_framing_hides_a_bad_certificate(tmp_path: Path) -> None:
    """The framing is checked before connecting; the certificate itself is parsed while
    the check runs, and a bad one still ends it with exit 2 and one line."""
    import base64

    bad = tmp_path / "ca.pem"
    body = base64.b64encode(bytes.fromhex("3003020101")).decode()  # a SEQUENCE, no certificate
    bad.write_text(f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
    assert_usage_error(cftui("check", NAME, "--connect-to", "127.0.0.1", "--port", "9",
                             "--ca-file", str(bad)), "no PEM certificate")


def test_ca_file_with_broken_base64_is_refused_before_connecting(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\n%%%not base64%%%\n-----END CERTIFICATE-----\n")
    assert_usage_error(cftui("check", NAME, "--ca-file", str(bad)), "no PEM certificate")


def test_ca_file_that_is_a_directory(tmp_path: Path) -> None:
    assert_usage_error(cftui("check", NAME, "--ca-file", str(tmp_path)), "cannot read")


def _config(tmp_path: Path, origin: str) -> Path:
    path = tmp_path / "cftui.toml"
    path.write_text(f'[[distribution]]\nid = "E1"\n\n[[distribution.origin]]\nid = "app"\n'
                    f'{origin}\n')
    return path


BAD_CONFIG = [
    ('domain = "origin.example.com"\nhttps_prot = 443', ["https_prot"]),
    ('domain = "origin.example.com"\nhttps_port = 70000', ["70000"]),
    ('domain = "origin.example.com"\nprotocols = ["TLSv1.3"]', ["TLSv1.3"]),
    ('domain = "origin.example.com"\nconnect_to = ["1.2.3"]', ["1.2.3"]),
    ('domain = "bad..domain"', ["bad..domain"]),
    ('domain = "origin.example.com"\nca_file = "missing.pem"', ["missing.pem"]),
    ('domain = "origin.example.com"\nconnect_timeout = 99', ["connect_timeout"]),
    ("domain = ", ["invalid TOML"]),
]


@pytest.mark.parametrize(("origin", "words"), BAD_CONFIG,
                         ids=[words[0] for _, words in BAD_CONFIG])
def test_bad_config(tmp_path: Path, origin: str, words: list[str]) -> None:
    path = _config(tmp_path, origin)
    assert_usage_error(cftui("check", "--config", str(path), cwd=tmp_path), *words)


def test_config_with_a_ca_file_that_is_not_pem(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("nope\n")
    path = _config(tmp_path, 'domain = "origin.example.com"\nca_file = "ca.pem"')
    assert_usage_error(cftui("check", "--config", str(path)), "E1 / app", "no PEM")


def test_unknown_origin_in_config(tmp_path: Path) -> None:
    path = _config(tmp_path, 'domain = "origin.example.com"')
    assert_usage_error(cftui("check", "--config", str(path), "--origin", "nope"), "nope")
    assert_usage_error(cftui("check", "--config", str(path), "--distribution", "nope"),
                       "nope")


def test_domain_and_config_together(tmp_path: Path) -> None:
    path = _config(tmp_path, 'domain = "origin.example.com"')
    assert_usage_error(cftui("check", NAME, "--config", str(path)), "not both")


def test_malformed_import(tmp_path: Path) -> None:
    path = tmp_path / "dist.json"
    path.write_text("{not json")
    assert_usage_error(cftui("check", "--import", str(path)), "JSON")


def test_config_origin_overridden_on_the_command_line(tmp_path: Path, tls_origin,
                                                      pki: SessionPki) -> None:
    server = tls_origin()
    path = _config(tmp_path, f'domain = "{NAME}"\nhttps_port = 1\nconnect_to = ["127.0.0.1"]')
    done = cftui("check", "--config", str(path), "--port", str(server.port), "--ca-file",
                 str(pki.ca_file), "--connect-timeout", "1", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)  # one origin: a single report
    assert_valid_report(doc)
    assert doc["schema"] == "cftui.report/1"
    assert doc["target"]["port"] == server.port


def test_the_shipped_example_config_is_accepted_as_it_is() -> None:
    """The commands examples/cftui.toml documents pass validation (nothing is probed here)."""
    from pathlib import Path

    from cftui.cli import check_parser, check_targets

    example = Path(__file__).resolve().parents[1] / "examples" / "cftui.toml"
    for dist in ("shop", "legacy-portal"):
        args = check_parser().parse_args(["--config", str(example), "--distribution", dist])
        assert check_targets(args)


# --- one target factory, the same on every path ----------------------------------------


def test_non_ascii_names_become_a_labels_on_every_path(tmp_path: Path) -> None:
    from cftui import cli

    config = _config(tmp_path, 'domain = "bücher.example"\nhost_header = "www.bücher.example"')
    doc = {"DistributionConfig": {
        "Aliases": {"Items": ["shop.bücher.example"]},
        "Origins": {"Items": [{"Id": "app", "DomainName": "bücher.example", "CustomOriginConfig":
                               {"OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "app", "OriginRequestPolicyId":
                                 "216adef6-5c7f-47e4-b989-5492eafa07d3"}}}
    export = tmp_path / "export.json"
    export.write_text(json.dumps(doc))
    runs = {
        "line": ["bücher.example", "--host-header", "www.bücher.example"],
        "toml": ["--config", str(config)],
        "json": ["--import", str(export)],
    }
    for path, argv in runs.items():
        target = cli.check_targets(cli.check_parser().parse_args(argv))[0]
        assert target.domain == "xn--bcher-kva.example", path
        assert target.sni.startswith(("www.xn--bcher-kva", "shop.xn--bcher-kva")), path


def test_an_ip_literal_as_the_domain_points_to_connect_to() -> None:
    assert_usage_error(cftui("check", "127.0.0.1"), "IP address", "--connect-to")


def test_the_ad_hoc_form_starts_from_the_command_line(tmp_path: Path, pki: SessionPki) -> None:
    import asyncio

    from cftui import cli
    from cftui.engine.profile import Protocol
    from cftui.ui.screens.adhoc import AdhocScreen, build_target

    app, _ = cli.build_app(["--ca-file", str(pki.ca_file), "--connect-timeout", "3",
                            "--read-timeout", "45", "--port", "8443", "--protocols", "TLSv1.1",
                            "--host-header", "www.example.com", "--connect-to", "127.0.0.1"],
                           terminal=lambda: None)
    defaults = app.entries.adhoc
    target = build_target({"domain": NAME}, defaults)
    assert (target.port, target.protocols, target.ca_file) == (8443, (Protocol.TLSv1_1,),
                                                               str(pki.ca_file))
    assert (target.connect_timeout, target.read_timeout) == (3, 45)

    async def shown() -> dict[str, str]:
        async with app.run_test(size=(100, 30)) as pilot:
            app.open_adhoc(NAME)
            await pilot.pause()
            assert isinstance(app.screen, AdhocScreen)
            return app.screen.values()

    values = asyncio.run(shown())
    assert values == {"domain": NAME, "port": "8443", "protocols": "TLSv1.1",
                      "host": "www.example.com", "connect": "127.0.0.1"}


def test_the_app_with_a_config_keeps_every_option(tmp_path: Path) -> None:
    from cftui import cli

    config = _config(tmp_path, f'domain = "{NAME}"')
    app, _ = cli.build_app(["--config", str(config), "--port", "8443", "--connect-timeout", "2"],
                           terminal=lambda: None)
    target = next(app.entries.entries()).target
    assert target.port == 8443 and target.connect_timeout == 2
    assert app.entries.adhoc.port == 8443 and app.entries.adhoc.connect_timeout == 2


def test_an_empty_source_is_the_same_error_in_the_app(tmp_path: Path) -> None:
    export = tmp_path / "empty.json"
    export.write_text('{"DistributionList": {"Items": []}}')
    app = cftui("--import", str(export))
    check = cftui("check", "--import", str(export))
    assert_usage_error(app, "holds no distributions")
    assert app.stderr == check.stderr


def test_one_json_dumper_escapes_c1_and_bidi() -> None:
    from cftui.engine import jsontext
    from cftui.ui import export

    assert export.render.__code__.co_names.count("jsontext")  # the app's export uses it
    text = jsontext.dumps({"name": "a\u202eb\x85c\x1b\u2028"})
    assert text.isascii() and "\\u202e" in text and "\\u0085" in text and "\\u001b" in text


def test_ctrl_c_on_a_silent_origin_exits_130_at_once() -> None:
    """Ctrl+C while every probe waits on an origin that accepts and never answers: the
    engine sees the cancel within a fraction of a second, and nothing waits out a timeout.
    (The 0.5 s goal is measured in bench/; this allows slack for a busy machine.)"""
    import signal
    import socket
    import threading

    held: list[socket.socket] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.settimeout(0.2)
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    held.append(listener.accept()[0])
                except OSError:
                    continue

        acceptor = threading.Thread(target=accept, daemon=True)
        acceptor.start()
        proc = subprocess.Popen(
            [sys.executable, "-m", "cftui", "check", "origin.example.com", "--connect-to",
             "127.0.0.1", "--port", str(listener.getsockname()[1]), "--connect-timeout", "10",
             "--read-timeout", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while len(held) < 3 and time.monotonic() < deadline:  # the probes are waiting
                time.sleep(0.05)
            assert held, "cftui never connected"
            sent = time.monotonic()
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
            took = time.monotonic() - sent
        finally:
            proc.kill()
            stop.set()
            acceptor.join()
            for sock in held:
                sock.close()
    assert proc.returncode == 130
    assert took < 3.0, took
    assert err.decode().strip().splitlines() == ["cftui: interrupted"]
