"""Hostile command lines, TOML files and AWS CLI JSON: each refused the same way.

Every case runs `cftui.cli.main` in its own process under RLIMIT_AS 200 MB and
RLIMIT_CPU 2 s, killed after 2 s wall-clock, pointed at a loopback listener
(--connect-to / connect_to and --port). Each must exit 2 with exactly one line
on stderr (naming the file and the place where there is one), no traceback, and
the listener must see no connection at all.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LIMIT_AS = 200 << 20
WALL = 2.0
#: Forks one child per case from a process that has imported cftui once (a fresh
#: interpreter per case costs ~0.1 s of CPU, 35 s for the table); each child runs
#: `cftui.cli.main` exactly as `python -m cftui` does, under the limits.
_ZYGOTE = f"""
import json, os, resource, sys, time, traceback
from cftui import cli
import cftui.sources.toml_config, cftui.sources.aws_export
cases = json.load(sys.stdin)
results = [None] * len(cases)
running = {{}}
def start(i, case):
    out, err = f"{{case['tmp']}}/out{{i}}", f"{{case['tmp']}}/err{{i}}"
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, ({LIMIT_AS}, {LIMIT_AS}))
            resource.setrlimit(resource.RLIMIT_CPU, (2, 2))
            os.chdir(case["tmp"])
            for fd, name, flags in ((0, os.devnull, os.O_RDONLY),
                                    (1, out, os.O_WRONLY | os.O_CREAT),
                                    (2, err, os.O_WRONLY | os.O_CREAT)):
                os.dup2(os.open(name, flags, 0o600), fd)
            code = cli.main(case["args"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code)
    running[pid] = (i, out, err, time.monotonic())
pending = list(enumerate(cases))
while pending or running:
    while pending and len(running) < int(sys.argv[1]):
        start(*pending.pop(0))
    pid, status = os.waitpid(-1, os.WNOHANG)
    if pid == 0:
        for other, (i, _, _, began) in list(running.items()):
            if time.monotonic() - began > {WALL}:
                os.kill(other, 9)
        time.sleep(0.002)
        continue
    i, out, err, began = running.pop(pid)
    code = os.waitstatus_to_exitcode(status)
    read = lambda name: open(name, encoding="utf-8", errors="replace").read()
    results[i] = [code, read(out), read(err), time.monotonic() - began]
json.dump(results, sys.stdout)
"""
NAME = "origin.example.com"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.seen: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.seen.append(peer)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@dataclass
class Run:
    code: int | None
    stdout: str
    stderr: str
    seconds: float


def _env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "XDG_CONFIG_HOME": "/nonexistent"}


def run_cases(argvs: list[list[str]], tmp: Path) -> list[Run]:
    """Each command line in its own forked child; see _ZYGOTE."""
    doc = json.dumps([{"args": a, "tmp": str(tmp)} for a in argvs])
    done = subprocess.run([sys.executable, "-c", _ZYGOTE, str(max(2, os.cpu_count() or 2))],
                          input=doc, capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 0, done.stderr
    return [Run(code, out, err, seconds) for code, out, err, seconds in json.loads(done.stdout)]


def run_cftui(args: list[str], cwd: Path | None = None, timeout: float = WALL) -> Run:
    """`python -m cftui ARGS` in a fresh interpreter."""
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "cftui", *args], capture_output=True,
                              text=True, errors="replace", timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=cwd, env=_env())
    except subprocess.TimeoutExpired as exc:
        return Run(None, "", f"timed out: {exc.stderr!r}", time.monotonic() - started)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


# --- the cases -------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    args: list[str]
    file: str | None = None  # a file the message must name
    place: str | None = None  # and the place in it
    words: tuple[str, ...] = field(default=())


def _toml(origin: str = "", dist: str = "", *, domain: str = f'"{NAME}"', port: int = 0,
          head: str = "") -> str:
    return (f"{head}[[distribution]]\nid = \"E1\"\naliases = [\"www.example.com\"]\n{dist}\n"
            f"[[distribution.origin]]\nid = \"app\"\ndomain = {domain}\n"
            f"https_port = {port}\nconnect_to = [\"127.0.0.1\"]\n{origin}\n")


RAW = "@@raw@@"


def _origin_doc(**edits: object) -> dict:
    custom = {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
              "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
              "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5}
    origin: dict = {"Id": "app", "DomainName": NAME, "OriginPath": "",
                    "CustomHeaders": {"Quantity": 0}, "CustomOriginConfig": custom,
                    "ConnectionAttempts": 3, "ConnectionTimeout": 10}
    for key, value in edits.items():
        if key in custom:
            custom[key] = value
        else:
            origin[key] = value
    return origin


def _json(aliases: object = ("www.example.com",), raw: str | None = None,
          **edits: object) -> str:
    """A get-distribution-config export whose default behaviour forwards Host (AllViewer)."""
    alias_list = list(aliases) if isinstance(aliases, (list, tuple)) else aliases
    config = {
        "Aliases": {"Quantity": 1, "Items": alias_list},
        "Origins": {"Quantity": 1, "Items": [_origin_doc(**edits)]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "app",
            "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
        "Comment": "", "Enabled": True,
    }
    text = json.dumps({"ETag": "E1", "DistributionConfig": config}, indent=1)
    return text.replace(f'"{RAW}"', raw) if raw is not None else text


HOSTILE_NAMES = [
    "", " ", "a..example.com", "x" * 64 + ".example.com", "y" * 200 + ".example.com",
    ("z" * 60 + ".") * 5 + "com", "-a.example.com", "a-.example.com", "https://a.example.com",
    "a.example.com/path", "a.example.com:443", "127.0.0.1", "::1", "[::1]",
    "a.example.com\r\nX-Injected: 1", "a\x00b.example.com", "a.123", "a.example\u202e.com",
    "\u200b.example.com", "a b.example.com", "a_b.example.com", "*.example.com",
    "a.example.com.." , "\u0085a.example.com", "xn--.example.com", ".", "a" * 300,
    "a.example.com\t", "\ud800.example.com", "bü\u0301cher..example",
]
#: The ones that reached `http.fetch` / `hello.sni_bytes` as Host or SNI.
SNI_NAMES = ["a..example.com", "y" * 200 + ".example.com", "x" * 64 + ".example.com",
             "a.example.com\r\nX-Injected: 1", "127.0.0.1", "a b.example.com",
             "a.example\u202e.com", "https://a.example.com", "a.example.com:443", ""]
HOSTILE_PATHS = ["x", "/x/", "/", "//", "/a\r\nX-Injected: 1", "/a\r\n\r\nGET /smuggled HTTP/1.1",
                 "/a b", "/a?b", "/a#b", "/" + "a" * 300, "/a\x00", "/\u202e", "/ä", "x/y"]
HOSTILE_TIMEOUTS_TOML = ["nan", "-nan", "inf", "-inf", "0", "-1", "1e400", '"5"', "true",
                         "[]", "181"]
HOSTILE_PORTS_TOML = ["0", "-1", "65536", "9" * 5000, '"443"', "true", "nan", "1.5"]


def cli_cases(port: int, tmp: Path) -> list[Case]:
    base = ["check", "--connect-to", "127.0.0.1", "--port", str(port), "--no-http"]
    names = [n for n in HOSTILE_NAMES if "\x00" not in n and "\ud800" not in n]  # no argv
    cases = [Case(f"domain {n!r}", [*base, "--", n]) for n in names]
    cases += [Case(f"--host-header {n!r}", [*base, NAME, f"--host-header={n}"])
              for n in SNI_NAMES]
    for value in ("0", "65536", "-1", "abc", "1e3", "\uff14\uff14\uff13", "", " ", "9" * 30,
                  "0x1bb", "443.0", "nan"):
        cases.append(Case(f"--port {value!r}", ["check", "--connect-to", "127.0.0.1",
                                                 f"--port={value}", NAME]))
    for value in ("", ",,,", "TLSv1.3", "SSLv2", "tls", "TLSv1.2,foo", "\x01", " , "):
        cases.append(Case(f"--protocols {value!r}", [*base, NAME, f"--protocols={value}"]))
    for value in ("", "host.example.com", "1.2.3.4.5", "999.1.1.1", "::g", "1.2.3.4:443",
                  "[::1]:443", "127.0.0.1\n"):
        cases.append(Case(f"--connect-to {value!r}", [*base, NAME, f"--connect-to={value}"]))
    for flag in ("--connect-timeout", "--read-timeout"):
        for value in ("nan", "NaN", "inf", "-inf", "0", "-1", "abc", "", "1e309", "0.5", "1e-9",
                      "200"):
            cases.append(Case(f"{flag} {value!r}", [*base, NAME, f"{flag}={value}"]))
    specials = _special_files(tmp)
    for kind, path in specials.items():
        cases.append(Case(f"--ca-file {kind}", [*base, NAME, "--ca-file", path]))
        cases.append(Case(f"--config {kind}", [*base, "--config", path], file=path))
        cases.append(Case(f"--import {kind}", [*base, "--import", path], file=path))
    not_pem = tmp / "not.pem"
    not_pem.write_text("hello\n")
    cases.append(Case("--ca-file not PEM", [*base, NAME, "--ca-file", str(not_pem)]))
    bad_base64 = tmp / "bad64.pem"
    bad_base64.write_text("-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n")
    cases.append(Case("--ca-file bad base64", [*base, NAME, "--ca-file", str(bad_base64)]))
    not_der = tmp / "notder.pem"
    not_der.write_text("-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n")
    cases.append(Case("--ca-file not DER", [*base, NAME, "--ca-file", str(not_der)]))
    cases += [
        Case("DOMAIN and --origin", [*base, NAME, "--origin", "app"]),
        Case("DOMAIN and --distribution", [*base, NAME, "--distribution", "E1"]),
        Case("--origin without a source", [*base, "--origin", "app"]),
        Case("no domain", base),
        Case("unknown option", [*base, NAME, "--frobnicate"]),
        Case("bad format", [*base, NAME, "--format", "xml\n"]),
        Case("app: not a terminal", ["--connect-to", "127.0.0.1", "--port", str(port), NAME],
             words=("cftui check",)),
        Case("app: bad domain", ["--port", str(port), "a..example.com"]),
        Case("app: --protocols ''", ["--protocols=", NAME]),
        Case("demo: not a terminal", ["demo"], words=("cftui check",)),
    ]
    return cases


def _special_files(tmp: Path) -> dict[str, str]:
    fifo = tmp / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    big = tmp / "big"
    with open(big, "wb") as out:  # sparse: a size past every cap, no disk used
        out.truncate(200 << 20)
    (tmp / "empty").write_bytes(b"")
    (tmp / "dir").mkdir(exist_ok=True)
    return {"/dev/zero": "/dev/zero", "FIFO without a writer": str(fifo), "too large": str(big),
            "directory": str(tmp / "dir"), "missing": str(tmp / "missing"),
            "empty": str(tmp / "empty"), "/dev/null": "/dev/null"}


def toml_cases(port: int, tmp: Path) -> list[Case]:
    docs: list[tuple[str, str, str | None]] = []  # name, text, place
    origin = "distribution[0].origin[0]"
    for n in HOSTILE_NAMES:
        quoted = json.dumps(n).replace("\\ud800", "\\uFFFF")
        docs.append((f"domain {n!r}", _toml(domain=quoted, port=port), f"{origin}.domain"))
    for n in SNI_NAMES:
        quoted = json.dumps(n)
        docs.append((f"host_header {n!r}", _toml(f"host_header = {quoted}", port=port),
                     f"{origin}.host_header"))
        docs.append((f"alias {n!r}", _toml("forward_host = true", port=port).replace(
            '"www.example.com"', quoted), "distribution[0].aliases[0]"))
    for p in HOSTILE_PATHS:
        docs.append((f"origin_path {p!r}", _toml(f"origin_path = {json.dumps(p)}", port=port),
                     f"{origin}.origin_path"))
    for key in ("connect_timeout", "read_timeout", "attempts"):
        for value in HOSTILE_TIMEOUTS_TOML:
            docs.append((f"{key} = {value}", _toml(f"{key} = {value}", port=port),
                         f"{origin}.{key}"))
    for value in HOSTILE_PORTS_TOML:
        docs.append((f"https_port = {value[:20]}", _toml(port=port).replace(
            f"https_port = {port}", f"https_port = {value}"),
            "line 8" if len(value) > 40 else f"{origin}.https_port"))
    for value in ('["host.example.com"]', '["1.2.3.4.5"]', '[1]', '"::g"'):
        docs.append((f"connect_to = {value}", _toml(port=port).replace(
            'connect_to = ["127.0.0.1"]', f"connect_to = {value}"), f"{origin}.connect_to"))
    for value in ("[]", '["TLSv1.3"]', '"TLSv1.2"', '[""]', "[1]"):
        docs.append((f"protocols = {value}", _toml(f"protocols = {value}", port=port),
                     f"{origin}.protocols"))
    for value in ('"/dev/zero"', f'"{tmp / "fifo"}"', f'"{tmp / "big"}"', f'"{tmp / "dir"}"'):
        docs.append((f"ca_file = {value}", _toml(f"ca_file = {value}", port=port),
                     f"{origin}.ca_file"))
    docs += [
        ("deep arrays", "a = " + "[" * 100_000 + "]" * 100_000 + "\n", "line 1"),
        ("deep inline tables", "a = " + "{b=" * 40_000 + "1" + "}" * 40_000, "line 1"),
        ("deep tables", "[" + ".".join(["a"] * 100_000) + "]\n", "line 1"),
        ("20,000 dotted keys", "a" + ".a" * 20_000 + " = 1\n", "line 1"),
        ("deep JSON-like", "x = " + "[{a = " * 40_000, "line 1"),
        ("kind", _toml('kind = "ftp"', port=port), f"{origin}.kind"),
        ("protocol_policy", _toml('protocol_policy = "tls"', port=port),
         f"{origin}.protocol_policy"),
        ("forward_host string", _toml('forward_host = "yes"', port=port),
         f"{origin}.forward_host"),
        ("forward_host false + host_header",
         _toml('host_header = "www.example.com"\nforward_host = false', port=port),
         f"{origin}.forward_host"),
        ("unknown key", _toml('https_prot = 443', port=port), f"{origin}.https_prot"),
        ("duplicate origin", _toml(port=port) + '[[distribution.origin]]\nid = "app"\n'
         f'domain = "{NAME}"\n', "distribution[0].origin[1]"),
        ("invalid TOML", "[[distribution]\n", "line 1"),
        ("no distribution", "x = 1\n", None),
        ("empty", "", None),
        ("binary", "\x00\x01\x02\xff", None),
        ("integer of 5,000 digits", "x = " + "9" * 5000 + "\n", "line 1, column 5"),
        ("single table", _toml(port=port).replace("[[distribution]]", "[distribution]"), None),
    ]
    cases = []
    for i, (name, text, place) in enumerate(docs):
        path = tmp / f"case{i}.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        cases.append(Case(f"TOML {name}", ["check", "--no-http", "--config", str(path)],
                          file=str(path), place=place))
    return cases


def json_cases(port: int, tmp: Path) -> list[Case]:
    docs: list[tuple[str, str, str | None]] = []
    origin = "DistributionConfig.Origins.Items[0]"
    for n in HOSTILE_NAMES:
        if "\ud800" in n:
            continue
        docs.append((f"DomainName {n!r}", _json(DomainName=n), f"{origin}.DomainName"))
    for n in SNI_NAMES:
        docs.append((f"alias {n!r}", _json(aliases=[n]), "DistributionConfig.Aliases.Items[0]"))
    for p in HOSTILE_PATHS:
        if p != "":
            docs.append((f"OriginPath {p!r}", _json(OriginPath=p), f"{origin}.OriginPath"))
    for key in ("ConnectionTimeout", "OriginReadTimeout"):
        for raw in ("NaN", "Infinity", "-Infinity", "0", "-1", "1e400", '"5"', "true",
                    "9" * 5000):
            place = ("line" if raw in ("NaN", "Infinity", "-Infinity") or len(raw) > 100
                     else None if raw == "1e400" else origin)
            docs.append((f"{key} {raw[:20]}", _json(raw=raw, **{key: RAW}), place))
    for raw in ("0", "70000", "-1", "9" * 5000, '"443"', "NaN", "1.5"):
        docs.append((f"HTTPSPort {raw[:20]}", _json(raw=raw, HTTPSPort=RAW), None))
    for name in ("X-A\r\nInjected: 1", "", "A B", "A:B", "\u00e4"):
        headers = {"Quantity": 1, "Items": [{"HeaderName": name, "HeaderValue": "v"}]}
        docs.append((f"HeaderName {name!r}", _json(CustomHeaders=headers),
                     f"{origin}.CustomHeaders.Items[0].HeaderName"))
    docs += [
        ("deep arrays", "[" * 100_000 + "]" * 100_000, "line 1"),
        ("deep objects", '{"a":' * 100_000 + "1" + "}" * 100_000, "line 1"),
        ("top-level number", "5", None),
        ("top-level null", "null", None),
        ("empty", "", None),
        ("empty list", "[]", None),
        ("empty DistributionList", '{"DistributionList": {"Items": []}}', None),
        ("invalid JSON", '{"a": ', "line 1"),
        ("UTF-16 garbage", "\ufeff\ud800", None),
        ("protocols", _json(OriginSslProtocols={"Quantity": 1, "Items": ["TLSv1.3"]}), None),
        ("policy", _json(OriginProtocolPolicy="tls"), None),
        ("no origin config", _json().replace('"CustomOriginConfig"', '"X"'), None),
        ("aliases not a list", _json(aliases="www.example.com"), None),
    ]
    cases = []
    for i, (name, text, place) in enumerate(docs):
        path = tmp / f"case{i}.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        cases.append(Case(f"JSON {name}", ["check", "--no-http", "--import", str(path),
                                           "--connect-to", "127.0.0.1", "--port", str(port)],
                          file=str(path), place=place))
    return cases


def _problems(case: Case, run: Run) -> list[str]:
    found = []
    lines = run.stderr.splitlines()
    if run.code != 2:
        found.append(f"exit {run.code}")
    if "Traceback" in run.stderr:
        found.append("traceback")
    if len(lines) != 1 or not lines[0].startswith("cftui: "):
        found.append(f"stderr is not one line: {run.stderr[:300]!r}")
    elif case.file and case.file not in lines[0]:
        found.append(f"file not named: {lines[0]!r}")
    elif case.place and case.place not in lines[0]:
        found.append(f"place {case.place!r} not named: {lines[0]!r}")
    for word in case.words:
        if lines and word not in lines[0]:
            found.append(f"{word!r} not in {lines[0]!r}")
    if run.stdout:
        found.append(f"stdout: {run.stdout[:100]!r}")
    if run.seconds > WALL:
        found.append(f"took {run.seconds:.2f} s")
    return found


def test_hostile_inputs_are_refused_in_one_line(listener: Listener,
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("hostile")
    cases = (cli_cases(listener.port, tmp) + toml_cases(listener.port, tmp)
             + json_cases(listener.port, tmp))
    assert len(cases) >= 200
    runs = run_cases([c.args for c in cases], tmp)
    failures = [f"{case.name}: {'; '.join(problems)}"
                for case, run in zip(cases, runs, strict=True)
                if (problems := _problems(case, run))]
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures)
    assert listener.seen == [], "a refused input reached the network"


def test_the_listener_does_see_a_check(tmp_path: Path) -> None:
    """The control: a valid command line does connect, so silence above means something."""
    control = Listener()
    try:
        run = run_cftui(["check", NAME, "--connect-to", "127.0.0.1", "--port",
                         str(control.port), "--no-http", "--connect-timeout", "1"], timeout=30)
        deadline = time.monotonic() + 2
        while not control.seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        control.close()
    assert control.seen and run.code == 1, run.stderr
