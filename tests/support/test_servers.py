"""The loopback servers really work: real clients, 127.0.0.0/8 only."""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID
from OpenSSL import SSL
from tlslite.api import TLSConnection

from cftui.demo import pki as pkimod
from cftui.demo.behaviours import close_immediately, never_answer, reset_after_read, send_bytes
from cftui.demo.loopback import free_port_on
from cftui.demo.origins import DEMO_KEYS, DemoOrigins
from cftui.demo.servers import GARBAGE, TlsOrigin
from cftui.engine.profile import cloudfront_cipher_string
from support import SessionPki
from support.tlslite_server import settings

NAME = "origin.example.com"
REQUEST = b"GET / HTTP/1.1\r\nHost: origin.example.com\r\n\r\n"
HOSTILE = "[@click=app.quit] [/ \x1b[2J \x1b]0;x\x07 \u202e nul\x00 end"


@pytest.fixture(autouse=True)
def _no_thread_left() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t.name for t in threading.enumerate() if t not in before]
    assert not left, f"threads left running: {left}"


def client_context(
    ca_file: Path | None = None,
    *,
    minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
    maximum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
    ciphers: str | None = None,
    cert: pkimod.CertFiles | None = None,
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file is None:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.load_verify_locations(ca_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version, ctx.maximum_version = minimum, maximum
    if ciphers:
        ctx.set_ciphers(ciphers)
    if cert is not None:
        ctx.load_cert_chain(cert.cert, cert.key)
    return ctx


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def https(address: tuple[str, int], ctx: ssl.SSLContext, name: str | None = NAME,
          request: bytes = REQUEST, timeout: float = 5.0) -> tuple[str | None, bytes]:
    """Handshake, send `request`, read to EOF; returns the TLS version and the answer."""
    with socket.create_connection(address, timeout=timeout) as raw, \
            ctx.wrap_socket(raw, server_hostname=name) as tls:
        tls.sendall(request)
        return tls.version(), read_all(tls)


def peer_leaf(address: tuple[str, int], name: str | None = NAME,
              ctx: ssl.SSLContext | None = None) -> x509.Certificate:
    ctx = ctx or client_context()
    with socket.create_connection(address, timeout=5) as raw, \
            ctx.wrap_socket(raw, server_hostname=name) as tls:
        return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def sent_chain(address: tuple[str, int]) -> list[x509.Certificate]:
    """The certificates exactly as the server sent them (pyOpenSSL keeps the order)."""
    with socket.create_connection(address, timeout=5) as raw:
        raw.settimeout(None)  # pyOpenSSL wants a blocking socket; the kernel times out
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 5, 0))
        conn = SSL.Connection(SSL.Context(SSL.TLS_CLIENT_METHOD), raw)
        conn.set_tlsext_host_name(NAME.encode())
        conn.set_connect_state()
        conn.do_handshake()
        return conn.get_peer_cert_chain(as_cryptography=True) or []


def cn(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


# --- pki ------------------------------------------------------------------------------


def test_pki_leaf_options(pki: SessionPki, tmp_path: Path) -> None:
    cn_only = pki.issue(common_name="cn-only.example.com")
    with pytest.raises(x509.ExtensionNotFound):
        cn_only.cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    aia = pki.issue("a.example.com", aia_ca_issuers="http://pki.demo.invalid/inter.crt")
    access = aia.cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    assert access.value[0].access_location.value == "http://pki.demo.invalid/inter.crt"
    assert pkimod.leaf(None, ["self.example.com"]).chain[0].cert.issuer.rfc4514_string() \
        == "CN=self.example.com"
    assert pki.issue("self.example.com", self_signed=True).path[-1].issuer is None
    assert [c.cert for c in pki.leaf.chain] == [pki.leaf.cert, pki.intermediate.cert]
    files = pki.leaf.write(tmp_path, "leaf")
    assert files.fullchain.read_bytes().count(b"BEGIN CERTIFICATE") == 3
    assert pkimod.private_key("rsa:2048", 2) is pki.leaf.key  # keys are cached


def test_pki_hostile_subject_is_kept_verbatim(pki: SessionPki) -> None:
    issued = pki.issue("hostile.example.com", subject=HOSTILE + "A" * 80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography warns about the over-long CN
        assert cn(x509.load_pem_x509_certificate(issued.pem)) == HOSTILE + "A" * 80


@pytest.mark.parametrize("key_type", ["ec:secp384r1", "ec:secp521r1", "ed25519", "rsa:4096"])
def test_pki_key_types_serve(pki: SessionPki, tls_origin, key_type: str) -> None:
    origin = tls_origin(pki.issue(NAME, key_type=key_type))
    _, answer = https(origin.address, client_context(pki.ca_file))
    assert answer.startswith(b"HTTP/1.1 200 OK")


# --- TlsOrigin ----------------------------------------------------------------------


def test_tls_origin_tls12(pki: SessionPki, tls_origin) -> None:
    origin = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2")
    version, answer = https(origin.address, client_context(pki.ca_file))
    assert version == "TLSv1.2"
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"\r\n\r\nok\n")
    assert (origin.connections, origin.handshakes, origin.server_names) == (1, 1, [NAME])


def test_tls_origin_tls10_at_seclevel_0(pki: SessionPki, tls_origin) -> None:
    legacy = "DEFAULT:@SECLEVEL=0"
    origin = tls_origin(min_version="TLSv1", max_version="TLSv1", ciphers=legacy)
    ctx = client_context(pki.ca_file, minimum=ssl.TLSVersion.TLSv1, ciphers=legacy)
    version, answer = https(origin.address, ctx)
    assert version == "TLSv1" and answer.startswith(b"HTTP/1.1 200")


def test_tls_origin_sends_the_chain_as_given(pki: SessionPki, tls_origin) -> None:
    reordered = tls_origin(extra=[pki.root, pki.intermediate])
    assert [cn(c) for c in sent_chain(reordered.address)] == [
        NAME, "cftui Test Root CA", "cftui Test Intermediate CA"]
    assert [cn(c) for c in sent_chain(tls_origin(extra=()).address)] == [NAME]
    assert len(sent_chain(tls_origin().address)) == 2


def test_tls_origin_client_certificate(pki: SessionPki, tls_origin) -> None:
    origin = tls_origin(client_ca=pki.client_ca, max_version="TLSv1.2")
    with pytest.raises(ssl.SSLError):
        https(origin.address, client_context(pki.ca_file))
    _, answer = https(origin.address, client_context(pki.ca_file, cert=pki.client_files))
    assert answer.startswith(b"HTTP/1.1 200")
    assert origin.handshakes == 1 and origin.errors


def test_tls_origin_sni_map(pki: SessionPki, tls_origin) -> None:
    other = pki.issue("other.example.com")
    origin = tls_origin(sni={"other.example.com": other, "ecdsa.example.com": pki.ecdsa_leaf})
    assert cn(peer_leaf(origin.address, "other.example.com")) == "other.example.com"
    assert isinstance(peer_leaf(origin.address, "ECDSA.example.com").public_key(),
                      pkimod.ec.EllipticCurvePublicKey)
    assert cn(peer_leaf(origin.address, "unknown.example.com")) == NAME
    assert cn(peer_leaf(origin.address, None)) == NAME
    assert origin.server_names == ["other.example.com", "ECDSA.example.com",
                                   "unknown.example.com", None]


def test_tls_origin_behaviours(pki: SessionPki, tls_origin) -> None:
    ctx = client_context(pki.ca_file)
    _, answer = https(tls_origin(status=503).address, ctx)
    assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    started = time.monotonic()
    _, answer = https(tls_origin(behaviour="delay:0.3").address, ctx)
    assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - started >= 0.3
    assert https(tls_origin(behaviour="close").address, ctx)[1] == b""
    assert https(tls_origin(behaviour="garbage").address, ctx)[1] == GARBAGE
    with pytest.raises(TimeoutError):
        https(tls_origin(behaviour="silent").address, ctx, timeout=0.3)
    with pytest.raises(ValueError):
        TlsOrigin(pki.leaf, behaviour="dance")


def test_tls_origin_stops_promptly_with_a_waiting_client(pki: SessionPki, tls_origin) -> None:
    origin = tls_origin(behaviour="delay:30")
    with socket.create_connection(origin.address, timeout=5) as raw, \
            client_context(pki.ca_file).wrap_socket(raw, server_hostname=NAME) as tls:
        tls.sendall(REQUEST)
        deadline = time.monotonic() + 5
        while origin.handshakes == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # the server counts the handshake just after the client
        started = time.monotonic()
        origin.stop()
        assert time.monotonic() - started < 2
        assert read_all(tls) == b""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(origin.address, timeout=2)


def test_tls_origin_survives_failed_handshakes(pki: SessionPki, tls_origin, capfd) -> None:
    origin = tls_origin(max_version="TLSv1.2")
    with socket.create_connection(origin.address, timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
        with contextlib.suppress(OSError):  # an alert, EOF or a reset: the server lives on
            read_all(raw)
    with pytest.raises(ssl.SSLError):
        https(origin.address, client_context(pki.ca_file, minimum=ssl.TLSVersion.TLSv1_3))
    with pytest.raises(ssl.SSLCertVerificationError):
        https(origin.address, client_context(pki.client_ca_file))
    _, answer = https(origin.address, client_context(pki.ca_file))
    assert answer.startswith(b"HTTP/1.1 200") and origin.connections == 4
    assert len(origin.errors) >= 2
    assert capfd.readouterr().err == ""


def test_loopback_only(pki: SessionPki) -> None:
    with pytest.raises(ValueError):
        TlsOrigin(pki.leaf, host="0.0.0.0")
    with pytest.raises(ValueError):
        free_port_on("127.0.0.1", "192.0.2.1")


def test_one_port_on_two_addresses(pki: SessionPki, tls_origin) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    other = pki.issue("stale.example.com")
    first = tls_origin(host="127.0.0.1", port=port)
    second = tls_origin(other, host="127.0.0.2", port=port)
    assert first.port == second.port == port
    assert cn(peer_leaf(("127.0.0.1", port))) == NAME
    assert cn(peer_leaf(("127.0.0.2", port))) == "stale.example.com"


def test_plain_http_origin(plain_http_origin) -> None:
    origin = plain_http_origin()
    with pytest.raises(ssl.SSLError, match=r"WRONG_VERSION_NUMBER|wrong version"):
        https(origin.address, client_context())
    with socket.create_connection(origin.address, timeout=5) as raw:
        raw.sendall(REQUEST)
        assert read_all(raw).startswith(b"HTTP/1.1 400 Bad Request\r\n")


# --- RawPeer ------------------------------------------------------------------------

ALERT = b"\x15\x03\x03\x00\x02\x02\x28"  # a fatal handshake_failure alert


def test_raw_peer_behaviours(raw_peer) -> None:
    with socket.create_connection(raw_peer(send_bytes(ALERT)).address, timeout=5) as s:
        s.sendall(b"\x16\x03\x01 hello")
        assert read_all(s) == ALERT
    with socket.create_connection(raw_peer(reset_after_read()).address, timeout=5) as s:
        s.sendall(b"\x16\x03\x01 hello")
        with pytest.raises(ConnectionResetError):
            read_all(s)
    silent = raw_peer(never_answer())
    with socket.create_connection(silent.address, timeout=0.3) as s:
        s.sendall(b"\x16\x03\x01 hello")
        with pytest.raises(TimeoutError):
            s.recv(1)
    closing = raw_peer(close_immediately())
    with socket.create_connection(closing.address, timeout=5) as s, \
            contextlib.suppress(ConnectionResetError):
        assert s.recv(1) == b""
    assert silent.connections == 1


# --- openssl s_server ---------------------------------------------------------------


def test_s_server_tls12(pki: SessionPki, s_server) -> None:
    server = s_server()
    version, answer = https((server.host, server.port), client_context(pki.ca_file,
                        maximum=ssl.TLSVersion.TLSv1_2))
    assert version == "TLSv1.2" and answer.startswith(b"HTTP/1.0 200 ok")


def test_s_server_tls10_and_sni(pki: SessionPki, s_server) -> None:
    legacy = "DEFAULT:@SECLEVEL=0"
    server = s_server(flags=["-tls1"], cipher=legacy,
                      sni=("other.example.com", pki.issue("other.example.com")))
    ctx = client_context(pki.ca_file, minimum=ssl.TLSVersion.TLSv1, ciphers=legacy)
    version, answer = https((server.host, server.port), ctx)
    assert version == "TLSv1" and answer.startswith(b"HTTP/1.0 200 ok")
    ctx = client_context(minimum=ssl.TLSVersion.TLSv1, ciphers=legacy)
    assert cn(peer_leaf((server.host, server.port), "other.example.com", ctx)) \
        == "other.example.com"


def test_s_server_client_certificate(pki: SessionPki, s_server) -> None:
    server = s_server(verify_ca=pki.client_ca, flags=["-no_tls1_3"])
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        https((server.host, server.port), client_context(pki.ca_file))
    _, answer = https((server.host, server.port),
                      client_context(pki.ca_file, cert=pki.client_files))
    assert answer.startswith(b"HTTP/1.0 200 ok")


# --- tlslite-ng ---------------------------------------------------------------------


def tlslite_get(address: tuple[str, int], version: tuple[int, int], cipher: str,
                mac: str) -> tuple[tuple[int, int], str, bytes]:
    with socket.create_connection(address, timeout=5) as raw:
        conn = TLSConnection(raw)
        conn.handshakeClientCert(settings=settings(version, version, [cipher], [mac]))
        negotiated = (conn.version, conn.getCipherName() or "")
        conn.write(REQUEST)
        answer = b""
        while chunk := conn.read():
            answer += bytes(chunk)
        conn.close()
        return *negotiated, answer


@pytest.mark.parametrize(("cipher", "mac"), [("rc4", "md5"), ("3des", "sha")])
def test_tlslite_ssl3(tlslite_server, cipher: str, mac: str) -> None:
    server = tlslite_server(cipher_names=[cipher], mac_names=[mac])
    version, name, answer = tlslite_get(server.address, (3, 0), cipher, mac)
    assert (version, name) == ((3, 0), cipher) and answer.startswith(b"HTTP/1.1 200 OK")
    assert server.negotiated == [((3, 0), cipher)]


def abort_after_hello_done(address: tuple[str, int], reset: bool) -> None:
    """A real OpenSSL ClientHello; hang up once the server's first flight is complete."""
    ctx = client_context(maximum=ssl.TLSVersion.TLSv1_2, ciphers="AES128-SHA:@SECLEVEL=0")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = ctx.wrap_bio(incoming, outgoing, server_hostname=NAME)
    with socket.create_connection(address, timeout=5) as raw:
        with contextlib.suppress(ssl.SSLWantReadError):
            client.do_handshake()
        raw.sendall(outgoing.read())  # the ClientHello
        while not outgoing.pending:  # the client writes again only after ServerHelloDone
            data = raw.recv(65536)
            assert data, "the server closed before ServerHelloDone"
            incoming.write(data)
            with contextlib.suppress(ssl.SSLWantReadError):
                client.do_handshake()
        if reset:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_tlslite_survives_aborted_handshakes(tlslite_server) -> None:
    server = tlslite_server(min_version=(3, 1), cipher_names=["aes128"], mac_names=["sha"])
    for reset in (False, True, False):
        abort_after_hello_done(server.address, reset)
    version, name, answer = tlslite_get(server.address, (3, 3), "aes128", "sha")
    assert (version, name) == ((3, 3), "aes128") and answer.startswith(b"HTTP/1.1 200")
    assert server.connections == 4 and len(server.errors) == 3


# --- DemoOrigins --------------------------------------------------------------------


def test_demo_origins_start_and_stop() -> None:
    started = time.monotonic()
    with DemoOrigins() as origins:
        assert time.monotonic() - started < 2
        assert [o.key for o in origins] == list(DEMO_KEYS)
        addresses = [(a, o.target.port) for o in origins for a in o.target.connect_to]
        for address in addresses:
            socket.create_connection(address, timeout=2).close()
        ca_file = Path(origins[0].target.ca_file or "")
        assert ca_file.is_file()
    assert not ca_file.exists()
    for address in addresses:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(address, timeout=2)


def test_demo_origins_stop_on_keyboard_interrupt() -> None:
    demo = DemoOrigins(only=["healthy", "plain-http"])
    with pytest.raises(KeyboardInterrupt), demo:
        raise KeyboardInterrupt
    assert len(demo.servers) == 2
    for server in demo.servers:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(server.address, timeout=2)
    with pytest.raises(ValueError):
        DemoOrigins(only=["no-such-origin"])


def _cloudfront_like(ca_file: str, target_protocols: tuple) -> ssl.SSLContext:
    oldest = ssl.TLSVersion.TLSv1 if len(target_protocols) > 1 else ssl.TLSVersion.TLSv1_2
    return client_context(Path(ca_file), minimum=oldest, maximum=ssl.TLSVersion.TLSv1_2,
                          ciphers=cloudfront_cipher_string())


DEMO_OUTCOMES = {
    ("healthy", "127.0.0.1"): "200",
    ("healthy-ecdsa", "127.0.0.1"): "200",
    ("missing-intermediate", "127.0.0.1"): "unable to get local issuer",
    ("name-mismatch", "127.0.0.1"): "Hostname mismatch",
    ("expired", "127.0.0.1"): "expired",
    ("tls13-only", "127.0.0.1"): "SSLError",
    ("no-common-cipher", "127.0.0.1"): "SSLError",
    ("client-cert", "127.0.0.1"): "SSLError",
    ("origin-mtls", "127.0.0.1"): "SSLError",
    ("slow", "127.0.0.1"): "TimeoutError",
    ("plain-http", "127.0.0.1"): "SSLError",
    ("legacy-tls10", "127.0.0.1"): "200",
    ("two-addresses", "127.0.0.1"): "200",
    ("two-addresses", "127.0.0.2"): "Hostname mismatch",
}


def test_demo_origins_are_broken_as_described() -> None:
    seen: dict[tuple[str, str], str] = {}
    with DemoOrigins(read_timeout=1.0) as origins:
        for origin in origins:
            target = origin.target
            ctx = _cloudfront_like(target.ca_file or "", target.protocols)
            for address in target.connect_to:
                try:
                    _, answer = https((address, target.port), ctx, target.domain,
                                      timeout=target.read_timeout)
                    seen[origin.key, address] = answer[9:12].decode()
                except (OSError, ssl.SSLError) as exc:
                    seen[origin.key, address] = f"{type(exc).__name__}: {exc}"
    for key, want in DEMO_OUTCOMES.items():
        assert want in seen.pop(key), (key, want)
    assert not seen


def test_demo_origin_that_cannot_start_is_skipped_not_fatal(monkeypatch) -> None:
    """Where 127.0.0.2 does not exist (macOS), the two-address origin is left out."""
    import cftui.demo.origins as origins_mod

    real = origins_mod.free_port_on

    def no_second_loopback(*addresses: str, **kw):
        if "127.0.0.2" in addresses:
            raise OSError(99, "Cannot assign requested address")
        return real(*addresses, **kw)

    monkeypatch.setattr(origins_mod, "free_port_on", no_second_loopback)
    demo = origins_mod.DemoOrigins(("healthy", "two-addresses"))
    with demo as started:
        assert [o.key for o in started] == ["healthy"]
        assert demo.skipped == ["two-addresses: Cannot assign requested address"]
