"""`cftui fix-chain` as scripts run it: the file written, exit status 0/1/2, one-line errors."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from support import SessionPki
from support.aia_server import AiaChain, AiaServer

from cftui.demo.loopback import free_port_on
from cftui.demo.pki import intermediate_ca, leaf
from cftui.demo.servers import TlsOrigin

NAME = "origin.example.com"


def cftui(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cftui", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, check=False)


def fix(pki: SessionPki, port: int, *more: str) -> list[str]:
    return ["fix-chain", NAME, "--connect-to", "127.0.0.1", "--port", str(port), "--ca-file",
            str(pki.ca_file), "--connect-timeout", "1", "--fetch-timeout", "5", *more]


def one_error_line(done: subprocess.CompletedProcess, status: int, *words: str) -> None:
    assert done.returncode == status, (done.stdout, done.stderr)
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cftui: "), done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])




def test_leaf_only_origin_gets_a_chain_that_rechecks_clean(
        chain: AiaChain, pki: SessionPki, server: AiaServer, tls_origin: Callable[..., TlsOrigin],
        tmp_path: Path) -> None:
    origin = tls_origin(chain.leaf, [])
    done = cftui(*fix(pki, origin.port), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = x509.load_pem_x509_certificates((tmp_path / "fullchain.pem").read_bytes())
    assert written == [chain.leaf.cert, chain.inter2.cert, chain.inter1.cert]
    out = done.stdout.splitlines()
    assert out[0] == (f"cftui: wrote fullchain.pem: 3 certificates from 127.0.0.1, {NAME} → "
                      "cftui AIA Inter 2 → cftui AIA Inter 1")
    assert f"  fetched CN = cftui AIA Inter 2 from {server.url('/inter2.der')}" in out
    assert f"  fetched CN = cftui AIA Inter 1 from {server.url('/inter1.p7c')}" in out
    for needle in ("ssl_certificate fullchain.pem;", "SSLCertificateFile fullchain.pem",
                   "SSLCertificateChainFile chain.pem", "cat fullchain.pem key.pem > site.pem",
                   "tls fullchain.pem key.pem", "Intermediate Certification Authorities",
                   "aws acm import-certificate --certificate fileb://leaf.pem "
                   "--certificate-chain fileb://chain.pem --private-key fileb://key.pem"):
        assert needle in done.stdout, needle

    # Serve what was written and run the printed re-check command as it stands.
    fixed = tls_origin(chain.leaf, written[1:])
    recheck = out[out.index("Then check again:") + 1].strip()
    words = shlex.split(recheck)
    assert words[:3] == ["cftui", "check", NAME]
    assert words[words.index("--port") + 1] == str(origin.port)
    words[words.index("--port") + 1] = str(fixed.port)
    rechecked = cftui(*words[1:], "--no-http", "--format", "json", cwd=tmp_path)
    assert rechecked.returncode == 0, rechecked.stdout
    assert '"cert-chain' not in rechecked.stdout


def test_existing_file_needs_force(chain: AiaChain, pki: SessionPki,
                                   tls_origin: Callable[..., TlsOrigin], tmp_path: Path) -> None:
    out = tmp_path / "mine.pem"
    out.write_text("keep me\n")
    port = tls_origin(chain.leaf, [chain.inter1, chain.inter2]).port
    one_error_line(cftui(*fix(pki, port, "--out", str(out)), cwd=tmp_path), 2,
                   "mine.pem exists: give --force")
    assert out.read_text() == "keep me\n"
    done = cftui(*fix(pki, port, "--out", str(out), "--force"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert x509.load_pem_x509_certificates(out.read_bytes()) == [
        chain.leaf.cert, chain.inter2.cert, chain.inter1.cert]


def test_no_caissuers_url_exits_1(pki: SessionPki, tls_origin: Callable[..., TlsOrigin],
                                  tmp_path: Path) -> None:
    done = cftui(*fix(pki, tls_origin(pki.leaf, []).port), cwd=tmp_path)
    one_error_line(done, 1, "cannot build the chain", "has no caIssuers URL")
    assert not (tmp_path / "fullchain.pem").exists()


def test_fetch_failure_exits_1_with_the_reason(chain: AiaChain, pki: SessionPki,
                                               server: AiaServer,
                                               tls_origin: Callable[..., TlsOrigin],
                                               tmp_path: Path) -> None:
    server.routes["/inter2.der"] = (302, {"Location": "https://127.0.0.1/inter2.der"}, b"")
    done = cftui(*fix(pki, tls_origin(chain.leaf, []).port), cwd=tmp_path)
    one_error_line(done, 1, "failed", "https is not fetched")
    assert not (tmp_path / "fullchain.pem").exists()


def test_complete_chain_is_nothing_to_fix(chain: AiaChain, pki: SessionPki,
                                          tls_origin: Callable[..., TlsOrigin],
                                          tmp_path: Path) -> None:
    port = tls_origin(chain.leaf, [chain.inter2, chain.inter1]).port
    done = cftui(*fix(pki, port), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"cftui: {NAME} (127.0.0.1) already sends the complete chain in "
                           "order: nothing to fix, nothing written\n")
    assert not (tmp_path / "fullchain.pem").exists()


def test_no_certificate_exits_1(pki: SessionPki, tmp_path: Path) -> None:
    done = cftui(*fix(pki, free_port_on("127.0.0.1")), cwd=tmp_path)
    one_error_line(done, 1, "no certificate to repair")


@pytest.mark.parametrize(("args", "words"), [
    (["fix-chain"], ["required: domain"]),
    (["fix-chain", NAME, "--fetch-timeout", "0"], ["--fetch-timeout"]),
    (["fix-chain", NAME, "--port", "0"], ["port"]),
    (["fix-chain", NAME, "--out", "."], ["a directory"]),
])
def test_bad_usage_exits_2(args: list[str], words: list[str], tmp_path: Path) -> None:
    one_error_line(cftui(*args, cwd=tmp_path), 2, *words)


def test_hostile_issuer_name_is_printed_escaped(pki: SessionPki, server: AiaServer,
                                                tls_origin: Callable[..., TlsOrigin],
                                                tmp_path: Path) -> None:
    evil = intermediate_ca(pki.root, "Evil\x1b[2J\x1b]0;x\x07\u202e CA",
                           key_type="ec:secp256r1", key_index=15)
    end = leaf(evil, (NAME,), key_type="ec:secp256r1", key_index=13,
               aia_ca_issuers=server.url("/evil.der"))
    server.routes["/evil.der"] = (200, {}, evil.der)
    done = cftui(*fix(pki, tls_origin(end, []).port), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\u202e" not in done.stdout
    # The summary shows the CN made visible; the details OpenSSL's escaped one-line form.
    assert f"{NAME} → Evil\\x1b[2J\\x1b]0;x\\x07\\u202e CA\n" in done.stdout
    assert '  fetched CN = "Evil\\1B[2J\\1B]0;x\\07\\E2\\80\\AE CA" from' in done.stdout


def test_other_blocking_causes_are_named(chain: AiaChain, pki: SessionPki, server: AiaServer,
                                         tls_origin: Callable[..., TlsOrigin],
                                         tmp_path: Path) -> None:
    other = leaf(chain.inter2, ("other.example.com",), key_type="ec:secp256r1", key_index=13,
                 aia_ca_issuers=server.url("/inter2.der"))
    done = cftui(*fix(pki, tls_origin(other, []).port), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ("  the check also found: cert-name-mismatch (the chain does not fix these)"
            in done.stdout.splitlines())


def test_fix_chain_does_not_import_the_ui() -> None:
    code = ("import sys, cftui.fixchain; "
            "print(sorted(m for m in sys.modules if m.startswith(('textual', 'cftui.ui'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr
