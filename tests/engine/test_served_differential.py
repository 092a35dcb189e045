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
from cftui.engine.model import Protocol
from cftui.engine.results import Report
from cftui.engine.run import check
from cftui.engine.target import Target

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")

#: CloudFront's TLS 1.2 suites at level 0 (servers load SHA-1 chains and small keys) …
SERVER_CIPHERS = profile.cloudfront_cipher_string(Protocol.TLSv1_2)
#: … and at level 1, what a TLS client on OpenSSL 3 runs at: no SHA-1 signatures.
CLIENT_CIPHERS = SERVER_CIPHERS.replace("@SECLEVEL=0", "@SECLEVEL=1")


@dataclass(frozen=True)
class Shape:
    case: Case
    blocking: frozenset[str]  # cftui's blocking cause codes: empty = it works
    rule: str | None = None  # the CloudFront rule where s_client says the opposite

    @property
    def cftui_fails(self) -> bool:
        return bool(self.blocking)


INCOMPLETE, UNTRUSTED, WEAK = "cert-chain-incomplete", "cert-untrusted", "cert-signature-weak"
MISMATCH = "cert-name-mismatch"


def _shapes() -> list[Shape]:
    corpus = {c.name: c for c in CORPUS}
    table: list[tuple[str, str | None, str | None]] = [  # (shape, blocking cause, rule)
        ("plain", None, None), ("two-intermediates", None, None),
        ("missing-intermediate", INCOMPLETE, None),
        ("missing-lower-intermediate", INCOMPLETE, None),
        ("reversed-chain", "cert-chain-order", "chain-order"), ("root-sent", None, None),
        ("unrelated-extra", None, None), ("cross-signed-root", None, None),
        ("ca-bc-not-critical", None, None), ("intermediate-without-bc", UNTRUSTED, None),
        ("sha1-intermediate", WEAK, None), ("sha1-leaf", WEAK, None),
        ("md5-intermediate", WEAK, None), ("ecdsa-sha1-leaf", WEAK, None),
        ("sha1-root-self-signature", None, None),
        ("expired-leaf", "cert-expired", None), ("expired-intermediate", UNTRUSTED, None),
        ("self-signed-untrusted", UNTRUSTED, None), ("self-signed-anchor", None, None),
        ("other-root", UNTRUSTED, None), ("wildcard-one-label", None, None),
        ("wildcard-two-labels", MISMATCH, None), ("cn-only", None, None),
        ("cn-matches-san-does-not", None, "cn-or-san"), ("idn-a-label", None, None),
        ("client-auth-leaf", UNTRUSTED, None), ("intermediate-as-leaf", MISMATCH, None),
    ]
    shapes = [Shape(corpus[name], frozenset([cause] if cause else []), rule)
              for name, cause, rule in table]
    plain = corpus["plain"]
    shapes.append(Shape(dataclasses.replace(plain, name="name-mismatch",
                                            host="www.other.example"), frozenset([MISMATCH])))
    return shapes


SHAPES = _shapes()

#: Key shapes: (key kind, blocking cause, rule). Made in their test, so one worker pays.
#: P-521 and Ed25519 fail for s_client too: the client offers neither curve nor scheme.
KEYS: list[tuple[str, str | None, str | None]] = [
    ("rsa:4096", None, None), ("rsa:5120", "cert-key-unsupported", "key-limits"),
    ("ec:secp256r1", None, None), ("ec:secp384r1", None, None),
    ("ec:secp521r1", "cert-key-unsupported", None), ("ed25519", "cert-key-unsupported", None),
]


def _key_shape(kind: str, cause: str | None, rule: str | None) -> Shape:
    root = make("Corpus Root", key(index=10), ca=True)
    inter = make("Corpus Intermediate", key(index=11), root, ca=True)
    leaf = make(HOST, key(kind, 20), inter, sans=[HOST])
    return Shape(Case(f"key-{kind}", (leaf, inter), root), frozenset([cause] if cause else []),
                 rule)


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


def _served_agree(shape: Shape, server: str, tmp_path: Path) -> str | None:
    """Serve the shape from `server`, judge it twice; the server's refusal, if it refuses."""
    case = shape.case
    files = _files(case, tmp_path / "files")
    try:
        with SERVERS[server](case, files, tmp_path / server) as port:
            report = _cftui(case, port, files)
            accepted, output = _s_client(case, port, files)
    except Refused as exc:
        return f"{server} refuses to serve {case.name}: {exc}"
    blocking = {str(c.code.value) for c in report.verdict.causes if c.blocking}
    assert report.verdict.would_fail is shape.cftui_fails, report.verdict.causes
    assert blocking == shape.blocking, report.verdict.causes  # the same from every server
    # s_client disagrees exactly where a CloudFront rule says more than OpenSSL
    said = [line for line in output.splitlines() if "rror" in line or "erif" in line]
    assert accepted is (shape.cftui_fails is (shape.rule is not None)), said
    return None


def test_the_served_corpus_is_large_enough() -> None:
    assert len(SHAPES) + len(KEYS) >= 20
    assert {s.rule for s in SHAPES} | {rule for _, _, rule in KEYS} == {
        None, "chain-order", "cn-or-san", "key-limits"}


@pytest.mark.parametrize(("shape", "server"),
                         [(s, server) for s in SHAPES for server in SERVERS],
                         ids=[f"{s.case.name}-{server}" for s in SHAPES for server in SERVERS])
def test_served_shape_agrees_with_s_client(shape: Shape, server: str, tmp_path: Path) -> None:
    refused = _served_agree(shape, server, tmp_path)
    if refused:
        pytest.skip(refused)


@pytest.mark.parametrize(("kind", "cause", "rule"), KEYS, ids=[k for k, _, _ in KEYS])
def test_served_key_agrees_with_s_client(kind: str, cause: str | None, rule: str | None,
                                         tmp_path: Path) -> None:
    """All three servers in one test, so only one worker makes the large RSA keys."""
    shape = _key_shape(kind, cause, rule)
    refused = [r for server in SERVERS if (r := _served_agree(shape, server, tmp_path))]
    if refused:  # the servers that loaded the shape have passed
        pytest.skip("; ".join(refused))
