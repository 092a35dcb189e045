"""The certificate corpus served by real servers: cftui's whole check against `s_client`.

Each shape's chain is served exactly as sent by nginx, `openssl s_server` and Python
`ssl`, all limited to TLS 1.2 and CloudFront's suites. cftui's `check` (CloudFront's
profile, the shape's root as `--ca-file`) must say "would fail" exactly when
`openssl s_client` (CloudFront's suites, signature algorithms and groups, security
level 1, `-verify_return_error -verify_hostname`) fails, except where a CloudFront
rule of docs/certificate-rules.md says more than OpenSSL; each shape declares that
rule. Every server must give the same verdict. A server that refuses to load a
shape is skipped for it, with its reason.
"""

from __future__ import annotations

import dataclasses
import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.corpus import Made, key, make
from support.nginx import NGINX, NginxServer, Site
from support.s_server import OpenSslServer
from test_cert_differential import CORPUS, HOST, Case

from cftui.demo.pki import Issued
from cftui.demo.servers import TlsOrigin
from cftui.engine import profile
from cftui.engine.model import Protocol, Target
from cftui.engine.results import Report
from cftui.engine.run import check

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")

#: CloudFront's TLS 1.2 suites at level 0 (servers load SHA-1 chains and small keys) …
SERVER_CIPHERS = profile.cloudfront_cipher_string(Protocol.TLSv1_2)
#: … and at level 1, what a TLS client on OpenSSL 3 runs at: no SHA-1 signatures.
CLIENT_CIPHERS = SERVER_CIPHERS.replace("@SECLEVEL=0", "@SECLEVEL=1")


@dataclass(frozen=True)
class Shape:
    case: Case
    cftui_fails: bool
    rule: str | None = None  # the CloudFront rule where s_client says the opposite


def _shapes() -> list[Shape]:
    corpus = {c.name: c for c in CORPUS}
    table: list[tuple[str, bool, str | None]] = [
        ("plain", False, None), ("two-intermediates", False, None),
        ("missing-intermediate", True, None), ("missing-lower-intermediate", True, None),
        ("reversed-chain", True, "chain-order"), ("root-sent", False, None),
        ("unrelated-extra", False, None), ("cross-signed-root", False, None),
        ("ca-bc-not-critical", False, None), ("intermediate-without-bc", True, None),
        ("sha1-intermediate", True, None), ("sha1-leaf", True, None),
        ("md5-intermediate", True, None), ("ecdsa-sha1-leaf", True, None),
        ("sha1-root-self-signature", False, None),
        ("expired-leaf", True, None), ("expired-intermediate", True, None),
        ("self-signed-untrusted", True, None), ("self-signed-anchor", False, None),
        ("other-root", True, None), ("wildcard-one-label", False, None),
        ("wildcard-two-labels", True, None), ("cn-only", False, None),
        ("cn-matches-san-does-not", False, "cn-or-san"), ("idn-a-label", False, None),
        ("client-auth-leaf", True, None), ("intermediate-as-leaf", True, None),
    ]
    shapes = [Shape(corpus[name], fails, rule) for name, fails, rule in table]
    plain = corpus["plain"]
    shapes.append(Shape(dataclasses.replace(plain, name="name-mismatch",
                                            host="www.other.example"), True))
    return shapes


SHAPES = _shapes()

#: Key shapes: (key kind, cftui fails, rule). Made in their test, so one worker pays.
KEYS: list[tuple[str, bool, str | None]] = [
    ("rsa:4096", False, None), ("rsa:5120", True, "key-limits"),
    ("ec:secp256r1", False, None), ("ec:secp384r1", False, None),
    ("ec:secp521r1", True, None), ("ed25519", True, None),
]


def _key_shape(kind: str, fails: bool, rule: str | None) -> Shape:
    root = make("Corpus Root", key(index=10), ca=True)
    inter = make("Corpus Intermediate", key(index=11), root, ca=True)
    leaf = make(HOST, key(kind, 20), inter, sans=[HOST])
    return Shape(Case(f"key-{kind}", (leaf, inter), root), fails, rule)


def _pem(certs: tuple[Made, ...]) -> str:
    return "".join(ssl.DER_cert_to_PEM_cert(c.der) for c in certs)


def _key_pem(made: Made) -> bytes:
    return Issued(made.cert, made.key).key_pem


class Refused(Exception):
    """The server would not load the shape (its own limits, not the client's)."""


@dataclass(frozen=True)
class Files:
    root: Path
    sent: Path  # leaf first, as the origin sends it
    leaf: Path
    extra: Path | None
    key: Path


def _files(case: Case, directory: Path) -> Files:
    directory.mkdir(parents=True, exist_ok=True)
    files = Files(directory / "root.pem", directory / "sent.pem", directory / "leaf.pem",
                  directory / "extra.pem" if len(case.sent) > 1 else None,
                  directory / "leaf.key")
    files.root.write_text(_pem((case.anchor,)))
    files.sent.write_text(_pem(case.sent))
    files.leaf.write_text(_pem(case.sent[:1]))
    if files.extra is not None:
        files.extra.write_text(_pem(case.sent[1:]))
    files.key.write_bytes(_key_pem(case.sent[0]))
    return files


@contextmanager
def _nginx(case: Case, files: Files, workdir: Path) -> Iterator[int]:
    if NGINX is None:
        raise Refused("nginx is not installed")
    server = NginxServer([Site(files.sent, files.key)], workdir, ciphers=SERVER_CIPHERS)
    try:
        server.start()
    except RuntimeError as exc:
        raise Refused(str(exc)[-300:]) from exc
    try:
        yield server.ports[0]
    finally:
        server.stop()


@contextmanager
def _s_server(case: Case, files: Files, workdir: Path) -> Iterator[int]:
    workdir.mkdir(parents=True, exist_ok=True)
    server = OpenSslServer(files.leaf, files.key, workdir, chain=files.extra,
                           cipher=SERVER_CIPHERS, flags=("-tls1_2",))
    try:
        server.start()
    except RuntimeError as exc:
        raise Refused(str(exc)[-300:]) from exc
    try:
        yield server.port
    finally:
        server.stop()


@contextmanager
def _python_ssl(case: Case, files: Files, workdir: Path) -> Iterator[int]:
    leaf = Issued(case.sent[0].cert, case.sent[0].key)
    try:
        server = TlsOrigin(leaf, [c.cert for c in case.sent[1:]], ciphers=SERVER_CIPHERS,
                           min_version="TLSv1.2", max_version="TLSv1.2")
    except (ssl.SSLError, ValueError) as exc:
        raise Refused(f"Python ssl: {exc}") from exc
    with server:
        yield server.port


Server = Callable[[Case, Files, Path], AbstractContextManager[int]]
SERVERS: dict[str, Server] = {"nginx": _nginx, "s_server": _s_server,
                              "python-ssl": _python_ssl}


def _cftui(case: Case, port: int, files: Files) -> Report:
    return check(Target(domain=case.host, port=port, connect_to=("127.0.0.1",),
                        ca_file=str(files.root), protocols=(Protocol.TLSv1_2,),
                        connect_timeout=5.0, read_timeout=5.0))


def _s_client(case: Case, port: int, files: Files) -> tuple[bool, str]:
    """(the handshake and verification succeeded, s_client's output)."""
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", case.host,
         "-verify_return_error", "-verify_hostname", case.host, "-CAfile", str(files.root),
         "-tls1_2", "-cipher", CLIENT_CIPHERS, "-sigalgs", profile.cloudfront_sigalgs_openssl(),
         "-groups", profile.CLOUDFRONT_GROUPS_OPENSSL],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20, check=False)
    output = result.stdout + result.stderr
    return result.returncode == 0 and "Verification: OK" in output, output


def _served_agree(shape: Shape, server: str, tmp_path: Path) -> None:
    case = shape.case
    files = _files(case, tmp_path / "files")
    try:
        with SERVERS[server](case, files, tmp_path / server) as port:
            report = _cftui(case, port, files)
            accepted, output = _s_client(case, port, files)
    except Refused as exc:
        pytest.skip(f"{server} refuses to serve {case.name}: {exc}")
    causes = [f"{c.code}: {c.message}" for c in report.verdict.causes]
    assert report.verdict.would_fail is shape.cftui_fails, causes
    # s_client disagrees exactly where a CloudFront rule says more than OpenSSL
    assert accepted is (shape.cftui_fails is (shape.rule is not None)), output[-1500:]


IDS = [f"{s.case.name}-{server}" for s in SHAPES for server in SERVERS]


def test_the_served_corpus_is_large_enough() -> None:
    assert len(SHAPES) + len(KEYS) >= 20


@pytest.mark.parametrize(("shape", "server"),
                         [(s, server) for s in SHAPES for server in SERVERS], ids=IDS)
def test_served_shape_agrees_with_s_client(shape: Shape, server: str, tmp_path: Path) -> None:
    _served_agree(shape, server, tmp_path)


@pytest.mark.parametrize(("kind", "fails", "rule"), KEYS, ids=[k for k, _, _ in KEYS])
def test_served_key_agrees_with_s_client(kind: str, fails: bool, rule: str | None,
                                         tmp_path: Path) -> None:
    shape = _key_shape(kind, fails, rule)
    for server in SERVERS:
        try:
            _served_agree(shape, server, tmp_path / server)
        except pytest.skip.Exception:
            continue
