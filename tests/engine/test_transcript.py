"""transcript: cftui's attempts rendered like `openssl s_client`, compared with the real one.

Each test probes a loopback server with cftui's own ClientHello, renders the attempt,
then runs the command `s_client_command` gives against the same server and checks
that protocol, cipher, chain, key size, temp key and renegotiation lines agree (for
failures: the whole output, bar byte counts and times).
"""

from __future__ import annotations

import contextlib
import random
import re
import shlex
import shutil
import socket
import struct
import subprocess
import time

import pytest
from support import SessionPki

from cftui.demo.behaviours import never_answer, reset_after_read, send_bytes
from cftui.demo.loopback import free_port_on
from cftui.engine import profile
from cftui.engine.model import Outcome, ProtocolAttempt, Purpose, ServerFlight
from cftui.engine.net.connect import Endpoint
from cftui.engine.profile import Protocol
from cftui.engine.tls import hello
from cftui.engine.tls.flight import FlightParser
from cftui.engine.tls.probe import attempt, first_flight_end
from cftui.engine.tls.scan import scan_protocol
from cftui.transcript.command import s_client_command
from cftui.transcript.errors import THREAD_ID
from cftui.transcript.session import render
from cftui.transcript.tables import VerifyStatus, sigalg_text

NAME = "origin.example.com"
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl not installed")
FACTS = ("    Protocol  :", "New, ", "Server public key is", "Server Temp Key:",
         "Secure Renegotiation", "Peer signing digest:", "Peer signature type:", "subject=",
         "issuer=", "Verification", "Verified peername:", "    Verify return code:",
         "    Extended master secret:", "No client certificate CA names sent")
CHAIN_LINE = re.compile(r"^(\s?\d+ s:|   [iav]:)")


def probe(port: int, protocol: Protocol, *, sni: str | None = NAME,
          timeout: float = 5.0) -> ProtocolAttempt:
    endpoint = Endpoint("127.0.0.1", port, timeout, timeout)
    return attempt(endpoint, hello.cloudfront_hello(protocol, sni), Purpose.CLOUDFRONT)


def s_client(command: str) -> tuple[list[str], list[str]]:
    """Run the command (stdin from /dev/null) and return stdout and stderr lines."""
    assert command.endswith(" < /dev/null")
    args = shlex.split(command.removesuffix(" < /dev/null"))
    done = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=30)
    return done.stdout.splitlines(), done.stderr.splitlines()


def combined(stdout: list[str], stderr: list[str]) -> list[str]:
    """stdout with s_client's error lines where a terminal shows them (after CONNECTED)."""
    errors = [line for line in stderr if ":error:" in line or "errno=" in line]
    if stdout[:1] == ["CONNECTED(00000003)"]:
        return [stdout[0], *errors, *stdout[1:]]
    return [*errors, *stdout]


def normalise(lines: list[str]) -> list[str]:
    """Drop cftui's own lines; blank out thread ids, bytes written and the start time."""
    out = []
    for line in lines:
        if line.startswith(("# cftui:", "(cftui:")):
            continue
        line = re.sub(r"^[0-9A-F]{16}:error:", "TID:error:", line)
        line = re.sub(r"written \d+ bytes", "written N bytes", line)
        out.append(re.sub(r"Start Time: \d+", "Start Time: T", line))
    while out and not out[-1]:
        out.pop()
    return out


def facts(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith(FACTS) or CHAIN_LINE.match(line)]


def pems(lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    return re.findall(r"-----BEGIN CERTIFICATE-----\n.*?\n-----END CERTIFICATE-----", text,
                      re.DOTALL)


def compare_success(a: ProtocolAttempt, pki: SessionPki) -> list[str]:
    """Render with a passing verification and check it against s_client -CAfile."""
    assert a.accepted and a.outcome is Outcome.SERVER_HELLO, a
    ours = render(a, VerifyStatus.of(0, NAME))
    stdout, _ = s_client(s_client_command(a, servername=NAME, ca_file=str(pki.ca_file),
                                          verify_name=NAME))
    assert facts(ours) == facts(stdout)
    assert pems(ours) == pems(stdout) and pems(ours)
    return ours


def compare_failure(a: ProtocolAttempt, **command: str | None) -> list[str]:
    """A failed handshake: the whole output must agree, bar byte counts and times."""
    ours = render(a)
    stdout, stderr = s_client(s_client_command(a, servername=command.get("servername", NAME)))
    assert normalise(ours) == normalise(combined(stdout, stderr))
    assert ours[-1].startswith("# cftui: ")
    return ours


# --- handshakes that work ------------------------------------------------------------


@needs_openssl
def test_tls12_rsa_with_intermediate(tls_origin, pki: SessionPki) -> None:
    server = tls_origin()
    ours = compare_success(probe(server.port, Protocol.TLSv1_2), pki)
    assert " 0 s:CN = origin.example.com" in ours
    assert "   i:CN = cftui Test Intermediate CA" in ours
    assert " 1 s:CN = cftui Test Intermediate CA" in ours
    assert "New, TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384" in ours
    assert "Server public key is 2048 bit" in ours
    assert "Server Temp Key: X25519, 253 bits" in ours
    assert "Secure Renegotiation IS supported" in ours
    assert "    Master-Key: " in ours  # nothing invented
    assert not any(line.startswith("# cftui: the") for line in ours)


@needs_openssl
def test_ecdsa_p256_leaf(tls_origin, pki: SessionPki) -> None:
    server = tls_origin(pki.ecdsa_leaf)
    ours = compare_success(probe(server.port, Protocol.TLSv1_2), pki)
    assert "   a:PKEY: id-ecPublicKey, 256 (bit); sigalg: RSA-SHA256" in ours
    assert "Server public key is 256 bit" in ours
    assert "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384" in ours
    assert "Peer signature type: ECDSA" in ours


@needs_openssl
def test_tls10_at_seclevel_0(tls_origin, pki: SessionPki) -> None:
    server = tls_origin(min_version="TLSv1", max_version="TLSv1", ciphers="DEFAULT:@SECLEVEL=0")
    result = scan_protocol(Endpoint("127.0.0.1", server.port, 5, 5), Protocol.TLSv1, NAME,
                           enabled=False)
    ours = compare_success(result.attempts[0], pki)
    assert "    Protocol  : TLSv1" in ours
    assert "New, TLSv1.0, Cipher is ECDHE-RSA-AES256-SHA" in ours
    assert "Peer signing digest: MD5-SHA1" in ours


@needs_openssl
def test_client_certificate_request_lists_ca_names(s_server, pki: SessionPki) -> None:
    server = s_server(verify_ca=pki.client_ca)
    a = probe(server.port, Protocol.TLSv1_2)
    ours = render(a)
    stdout, _ = s_client(s_client_command(a, servername=NAME))
    start = ours.index("Acceptable client certificate CA names")
    end = ours.index("Peer signing digest: SHA256")
    assert ours[start : start + 2] == ["Acceptable client certificate CA names",
                                       "CN = cftui Test Client CA"]
    assert ours[start:end] == stdout[stdout.index(ours[start]) : stdout.index(ours[end])]
    assert ours[start + 2].startswith("Client Certificate Types: RSA sign")
    assert any(line.startswith("Shared Requested Signature Algorithms: ") for line in ours)


@needs_openssl
def test_tls13_shows_only_what_is_in_the_clear(tls_origin) -> None:
    server = tls_origin()
    result = scan_protocol(Endpoint("127.0.0.1", server.port, 5, 5), Protocol.TLSv1_3, NAME,
                           enabled=False)
    a = result.attempts[0]
    ours = render(a)
    assert "(cftui: the rest of a TLS 1.3 handshake is encrypted; not shown)" in ours
    command = s_client_command(a, servername=NAME)
    assert " -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384:" in command
    stdout, _ = s_client(command)
    for line in ("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384",
                 "Server Temp Key: X25519, 253 bits", "Secure Renegotiation IS NOT supported"):
        assert line in ours and line in stdout
    assert not pems(ours)


# --- handshakes that fail --------------------------------------------------------------


@needs_openssl
def test_protocol_version_refusal(tls_origin) -> None:
    server = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2")
    ours = compare_failure(probe(server.port, Protocol.TLSv1_1))
    assert ours[ours.index("CONNECTED(00000003)") + 1] == (
        f"{THREAD_ID}:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:"
        "../ssl/record/rec_layer_s3.c:1601:SSL alert number 70")
    assert "    Protocol  : TLSv1.1" in ours
    assert any(line.startswith("SSL handshake has read 7 bytes") for line in ours)
    assert "protocol version alert (70)" in ours[-1]


@needs_openssl
def test_a_refusal_shown_with_the_checks_verification_names_no_peer(
        tls_origin, pki: SessionPki) -> None:
    """The detail view renders every attempt with the check's certificate verdict; a
    handshake that never got a certificate must still read as s_client's does."""
    server = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2")
    a = probe(server.port, Protocol.TLSv1_1)
    ours = render(a, VerifyStatus.of(0, NAME))
    stdout, stderr = s_client(s_client_command(a, servername=NAME, ca_file=str(pki.ca_file),
                                               verify_name=NAME))
    assert normalise(ours) == normalise(combined(stdout, stderr))
    assert not any(line.startswith("Verified peername") for line in ours)


@needs_openssl
def test_cipher_mismatch(tls_origin) -> None:
    server = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2",
                        ciphers="ECDHE-RSA-CHACHA20-POLY1305")
    ours = compare_failure(probe(server.port, Protocol.TLSv1_2))
    assert any("sslv3 alert handshake failure" in line and line.endswith("SSL alert number 40")
               for line in ours)
    assert "New, (NONE), Cipher is (NONE)" in ours
    assert "no cipher suite in common" in ours[-1]


@needs_openssl
def test_plain_http_port(plain_http_origin) -> None:
    server = plain_http_origin()
    a = probe(server.port, Protocol.TLSv1_2)
    assert a.outcome is Outcome.NOT_TLS
    ours = compare_failure(a)
    assert any(line.endswith(":error:0A00010B:SSL routines:ssl3_get_record:wrong version "
                             "number:../ssl/record/ssl3_record.c:350:") for line in ours)
    assert any(line.startswith("SSL handshake has read 5 bytes") for line in ours)
    assert '"HTTP/1.1' in ours[-1]


@needs_openssl
def test_connection_refused() -> None:
    port = free_port_on("127.0.0.1")
    a = probe(port, Protocol.TLSv1_2, timeout=3)
    assert a.outcome is Outcome.CONNECT_FAILED
    ours = compare_failure(a)
    assert normalise(ours) == [
        "TID:error:8000006F:system library:BIO_connect:Connection refused:"
        "../crypto/bio/bio_sock2.c:117:calling connect()",
        "TID:error:10000067:BIO routines:BIO_connect:connect error:"
        "../crypto/bio/bio_sock2.c:119:",
        "connect:errno=111",
    ]


@needs_openssl
@pytest.mark.parametrize(("behaviour", "error"), [
    (send_bytes(b""), "unexpected eof while reading"),
    (reset_after_read(), "write:errno=104"),
    (send_bytes(b"GET / HTTP/1.0\r\n\r\n"), "ssl3_get_record:http request"),
    (send_bytes(b"\x17\x03\x03\x00\x05hello"), "ssl3_read_bytes:unexpected message"),
])
def test_peers_that_are_not_tls_servers(raw_peer, behaviour, error: str) -> None:
    server = raw_peer(behaviour)
    ours = compare_failure(probe(server.port, Protocol.TLSv1_2))
    assert error in ours[ours.index("CONNECTED(00000003)") + 1]


def _server_hello(version: int, suite: int) -> bytes:
    body = struct.pack("!H", version) + b"\x11" * 32 + b"\x00" + struct.pack("!HB", suite, 0)
    message = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x03" + struct.pack("!H", len(message)) + message


@needs_openssl
@pytest.mark.parametrize(("version", "suite", "error"), [
    (0x0303, 0x009C, "set_client_ciphersuite:wrong cipher returned"),
    (0x0301, 0xC013, "ssl_choose_client_version:unsupported protocol"),
])
def test_server_hello_s_client_refuses(raw_peer, version: int, suite: int, error: str) -> None:
    server = raw_peer(send_bytes(_server_hello(version, suite)))
    ours = compare_failure(probe(server.port, Protocol.TLSv1_2))
    assert error in ours[ours.index("CONNECTED(00000003)") + 1]


def test_silent_origin_times_out_without_an_openssl_error(raw_peer) -> None:
    server = raw_peer(never_answer())
    a = probe(server.port, Protocol.TLSv1_2, timeout=0.3)
    assert a.outcome is Outcome.TIMEOUT
    ours = render(a)
    assert not any(":error:" in line for line in ours)
    assert "within the read timeout" in ours[-1]


# --- things the local OpenSSL cannot do ------------------------------------------------


@needs_openssl
def test_sslv3_is_rendered_with_a_note_and_s_client_refuses_the_flag(tls_origin) -> None:
    server = tls_origin()
    a = probe(server.port, Protocol.SSLv3, sni=None)
    ours = render(a)
    assert ours[0].startswith("# cftui: OpenSSL 3 s_client cannot send SSLv3")
    command = s_client_command(a, servername=None)
    assert " -ssl3 " in command
    _, stderr = s_client(command)
    if any("Unknown option: -ssl3" in line for line in stderr):  # as in sample 18
        assert "Unknown option: -ssl3" in ours[0]


# --- the command line -------------------------------------------------------------------


def _fake(protocol: Protocol = Protocol.TLSv1_2, address: str = "127.0.0.1",
          purpose: Purpose = Purpose.CLOUDFRONT) -> ProtocolAttempt:
    spec = hello.cloudfront_hello(protocol, None)
    return ProtocolAttempt(protocol=protocol, address=address, port=443, sni=None,
                           purpose=purpose, offered=spec.suites, client_hello=b"",
                           outcome=Outcome.TIMEOUT)


def test_command_quotes_a_hostile_servername() -> None:
    hostile = "evil.example'; touch /tmp/pwned #\n$(id) `id` \x1b[2J [@click=app.quit]"
    command = s_client_command(_fake(), servername=hostile, ca_file="/tmp/my ca.pem",
                               verify_name="a'b")
    assert command.endswith(" < /dev/null")
    args = shlex.split(command.removesuffix(" < /dev/null"))
    assert args[:4] == ["openssl", "s_client", "-connect", "127.0.0.1:443"]
    assert args[args.index("-servername") + 1] == hostile
    assert args[args.index("-CAfile") + 1] == "/tmp/my ca.pem"
    assert args[args.index("-verify_hostname") + 1] == "a'b"
    assert args[args.index("-cipher") + 1] == profile.cloudfront_cipher_string(Protocol.TLSv1_2)
    assert args[args.index("-groups") + 1] == "X25519:P-256:P-384"
    assert args[args.index("-sigalgs") + 1] == profile.cloudfront_sigalgs_openssl()
    assert "-showcerts" in args and "-tls1_2" in args


def test_command_variants() -> None:
    v6 = s_client_command(_fake(address="::1"), servername=None)
    assert shlex.split(v6)[3] == "[::1]:443"
    assert "-servername" not in v6 and "-noservername" not in v6
    assert "-noservername" in s_client_command(_fake(address="origin.example"), servername=None)
    tls10 = shlex.split(s_client_command(_fake(Protocol.TLSv1), servername="a.example"))
    assert "-tls1" in tls10 and "-groups" in tls10 and "-sigalgs" not in tls10
    broad = s_client_command(_fake(purpose=Purpose.BROAD), servername="a.example")
    assert "-groups" not in broad
    assert " -ssl3 " in s_client_command(_fake(Protocol.SSLv3), servername=None)


def test_sigalg_names_as_s_client_prints_them() -> None:
    assert [sigalg_text(c) for c in (0x0401, 0x0403, 0x0804, 0x0809, 0x0807, 0x0201, 0x0302,
                                     0x0203, 0xFEFE)] == [
        "RSA+SHA256", "ECDSA+SHA256", "RSA-PSS+SHA256", "rsa_pss_pss_sha256", "ed25519",
        "RSA+SHA1", "DSA+SHA224", "ECDSA+SHA1", "0xFE+0xFE"]


def test_verify_status() -> None:
    assert VerifyStatus.of(20).text == "unable to get local issuer certificate"
    assert VerifyStatus.of(62).text == "hostname mismatch"
    assert VerifyStatus.of(0).ok and not VerifyStatus.of(10).ok


# --- robustness: whatever the origin sends, render() returns lines ------------------------


def _replay(data: bytes) -> tuple[ServerFlight, Outcome]:
    """Recorded bytes read as a probe reads an origin's answer, then the origin's close."""
    parser = FlightParser()
    end = first_flight_end(parser, data) or first_flight_end(parser, b"")
    assert end is not None
    return end


def _record_flight(port: int, record: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(record)
        data = b""
        with contextlib.suppress(TimeoutError):
            sock.settimeout(1.0)
            while len(data) < 65536 and (chunk := sock.recv(65536)):
                data += chunk
    return data


@pytest.mark.parametrize("protocol", [Protocol.TLSv1_2, Protocol.TLSv1_3])
def test_render_survives_mutated_flights(tls_origin, pki: SessionPki,
                                         protocol: Protocol) -> None:
    server = tls_origin(pki.ecdsa_leaf, client_ca=pki.client_ca)
    spec = (hello.tls13_hello(NAME) if protocol is Protocol.TLSv1_3
            else hello.cloudfront_hello(protocol, NAME))
    record = hello.client_hello(spec)
    data = _record_flight(server.port, record)
    assert data
    rng = random.Random(7)
    for _ in range(400):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(mutated))
            if rng.random() < 0.6:
                mutated[pos] = rng.randrange(256)
            else:
                del mutated[pos : pos + rng.randint(1, 40)]
        flight, outcome = _replay(bytes(mutated))
        a = ProtocolAttempt(protocol=protocol, address="127.0.0.1", port=server.port, sni=NAME,
                            purpose=Purpose.CLOUDFRONT, offered=spec.suites,
                            client_hello=record, outcome=outcome, flight=flight,
                            error=flight.error, started_at=time.time())
        lines = render(a, rng.choice([None, VerifyStatus.of(0), VerifyStatus.of(21)]))
        assert lines and all(isinstance(line, str) and "\n" not in line for line in lines)
