"""`cftui demo --headless`: the demo origins start, fail as documented, and stop again."""

from __future__ import annotations

import json
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.agreement import assert_causes_agree
from support.schema import assert_valid_report, valid_json

from cftui.demo.origins import DEMO_KEYS, DemoOrigins
from cftui.engine.run import check


def demo(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "cftui", "demo", "--headless", *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd)
    return done, time.monotonic() - start


def test_demo_headless_text(tmp_path: Path) -> None:
    done, took = demo(cwd=tmp_path)  # an empty directory and an empty HOME: no config
    assert done.returncode == 1, done.stderr  # some demo origins fail on purpose
    assert done.stderr == ""
    assert took < 20
    verdicts = [line for line in done.stdout.splitlines() if line.startswith("demo / ")]
    assert [line.split(":", 1)[0] for line in verdicts] == [f"demo / {k}" for k in DEMO_KEYS]
    by_key = {line.split(":", 1)[0].removeprefix("demo / "): line for line in verdicts}
    assert by_key["healthy"].endswith("CloudFront can reach this origin over HTTPS")
    assert "would answer 504 (origin-read-timeout)" in by_key["slow"]
    assert "with warnings: legacy-protocol" in by_key["legacy-tls10"]


def test_demo_headless_json_matches_the_expected_causes(tmp_path: Path) -> None:
    done, _ = demo("--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert_valid_report(doc)
    assert doc["schema"] == "cftui.reports/1"
    expected = _expected_codes()
    got = {r["target"]["label"].removeprefix("demo / "): r for r in doc["reports"]}
    assert list(got) == list(DEMO_KEYS)
    for key, report in got.items():
        codes = [c["code"] for c in report["verdict"]["causes"]]
        assert sorted(codes) == sorted(expected[key]), (key, report["verdict"]["causes"])
        blocking = any(c["severity"] == "error" for c in report["verdict"]["causes"])
        assert report["verdict"]["would_fail"] is blocking, key


def _expected_codes() -> dict[str, tuple[str, ...]]:
    """DemoOrigin.expect for every key (the builders need the set started once)."""
    with DemoOrigins(only=DEMO_KEYS, connect_timeout=1, read_timeout=1) as origins:
        return {o.key: o.expect for o in origins}


def test_demo_console_script_exists() -> None:
    script = shutil.which("cftui", path=str(Path(sys.executable).parent))
    assert script is not None, "the cftui console script is not installed"
    done = subprocess.run([script, "demo", "--help"], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0 and "--headless" in done.stdout


def test_every_demo_origin_in_process() -> None:
    with DemoOrigins(connect_timeout=1, read_timeout=1) as origins:
        assert [o.key for o in origins] == list(DEMO_KEYS)
        for origin in origins:
            report = check(origin.target)
            assert_causes_agree(report)
            valid_json(report)
            codes = sorted(c.code for c in report.verdict.causes)
            assert codes == sorted(origin.expect), (origin.key, report.verdict.causes)
            assert origin.target.ca_file and Path(origin.target.ca_file).exists()
        ca_file = Path(str(origins[0].target.ca_file))
        ports = [(a, o.target.port) for o in origins for a in o.target.connect_to]
    assert not ca_file.exists()  # the temporary directory is gone
    for address, port in ports:
        with socket.socket() as sock:
            sock.settimeout(1)
            assert sock.connect_ex((address, port)) != 0, (address, port)


def test_unknown_demo_origin() -> None:
    with pytest.raises(ValueError, match="nope"):
        DemoOrigins(only=("healthy", "nope"))


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_demo_serve_prints_working_commands_and_cleans_up(tmp_path: Path, sig: int) -> None:
    """`cftui demo --serve`: a pasteable `cftui check` per origin; SIGHUP (the terminal
    closed) or SIGTERM stops the origins and removes the temp dir with its private key."""
    served = subprocess.Popen([sys.executable, "-m", "cftui", "demo", "--serve"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path)
    try:
        assert served.stdout is not None
        lines: list[str] = []
        count = None  # announced by the "# N demo origins" line
        while count is None or sum(line.startswith("cftui check ") for line in lines) < count:
            line = served.stdout.readline()
            assert line, served.stderr.read() if served.stderr else ""
            lines.append(line.rstrip("\n"))
            if count is None and line.startswith("# ") and "demo origins" in line:
                count = int(line.split()[1])
        assert count is not None and count >= len(DEMO_KEYS) - 2
        commands = {c.split()[2].split(".")[0]: c for c in lines if c.startswith("cftui check")}
        healthy = shlex.split(commands["healthy"])
        ca_file = Path(healthy[healthy.index("--ca-file") + 1])
        assert ca_file.is_file()
        done = subprocess.run([sys.executable, "-m", "cftui", *healthy[1:]], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "CloudFront can reach this origin" in done.stdout
        served.send_signal(sig)
        assert served.wait(timeout=20) == 128 + sig
        assert not ca_file.parent.exists()
    finally:
        if served.poll() is None:
            served.kill()
            served.wait()
