"""Pure: one `ProtocolAttempt` as the lines `openssl s_client` (3.0) would print.

cftui stops after the origin's first flight, so a transcript shows what that flight
proves and nothing invented: no master key, no session ticket, no verify callback
lines. Lines that are cftui's own start with `# cftui:` or `(cftui: …)`. Text from
the origin (names, bytes) is kept verbatim; display code escapes it.
"""

from __future__ import annotations

import base64
import errno
import ipaddress
import os
import shlex
from dataclasses import dataclass

from cftui.engine import names, profile
from cftui.engine.model import (
    FlightEnd,
    Outcome,
    ProtocolAttempt,
    Purpose,
    ServerFlight,
    ServerHello,
)
from cftui.engine.profile import Protocol
from cftui.engine.results import CertInfo
from cftui.engine.x509info import (
    CertificateParseError,
    cert_info,
    name_from_der,
    s_client_a_line,
    s_client_v_line,
)

#: Stands in for the thread id OpenSSL puts at the start of its error lines.
THREAD_ID = "40E7C1B2DE7F0000"

#: Cipher suites cftui offers that OpenSSL 3's default provider cannot use.
OPENSSL3_LACKS = frozenset({
    "RC4-MD5", "RC4-SHA", "ECDHE-RSA-RC4-SHA", "ECDHE-ECDSA-RC4-SHA", "DES-CBC3-SHA",
    "ECDHE-RSA-DES-CBC3-SHA", "ECDHE-ECDSA-DES-CBC3-SHA", "EDH-RSA-DES-CBC3-SHA",
    "SEED-SHA", "IDEA-CBC-SHA", "DES-CBC-SHA",
})


@dataclass(frozen=True)
class VerifyStatus:
    """A certificate verification result, as OpenSSL numbers and words it."""

    code: int
    text: str
    peername: str | None = None  # printed as "Verified peername:" when the name matched

    @classmethod
    def of(cls, code: int, peername: str | None = None) -> VerifyStatus:
        return cls(code, VERIFY_TEXTS.get(code, "unknown certificate verification error"),
                   peername)

    @property
    def ok(self) -> bool:
        return self.code == 0


#: X509_verify_cert_error_string() of OpenSSL 3.0 for the codes cftui meets.
VERIFY_TEXTS: dict[int, str] = {
    0: "ok", 2: "unable to get issuer certificate", 7: "certificate signature failure",
    9: "certificate is not yet valid", 10: "certificate has expired",
    18: "self-signed certificate", 19: "self-signed certificate in certificate chain",
    20: "unable to get local issuer certificate", 21: "unable to verify the first certificate",
    26: "unsuitable certificate purpose", 27: "certificate not trusted",
    62: "hostname mismatch", 64: "IP address mismatch", 66: "EE certificate key too weak",
    67: "CA certificate key too weak", 68: "CA signature digest algorithm too weak",
}

#: OpenSSL 3.0's reason strings for received alerts (SSL_R_* = 1000 + description).
_ALERT_REASONS: dict[int, str] = {
    10: "sslv3 alert unexpected message", 20: "sslv3 alert bad record mac",
    21: "tlsv1 alert decryption failed", 22: "tlsv1 alert record overflow",
    30: "sslv3 alert decompression failure", 40: "sslv3 alert handshake failure",
    41: "sslv3 alert no certificate", 42: "sslv3 alert bad certificate",
    43: "sslv3 alert unsupported certificate", 44: "sslv3 alert certificate revoked",
    45: "sslv3 alert certificate expired", 46: "sslv3 alert certificate unknown",
    47: "sslv3 alert illegal parameter", 48: "tlsv1 alert unknown ca",
    49: "tlsv1 alert access denied", 50: "tlsv1 alert decode error",
    51: "tlsv1 alert decrypt error", 60: "tlsv1 alert export restriction",
    70: "tlsv1 alert protocol version", 71: "tlsv1 alert insufficient security",
    80: "tlsv1 alert internal error", 86: "tlsv1 alert inappropriate fallback",
    90: "tlsv1 alert user cancelled", 100: "tlsv1 alert no renegotiation",
    109: "tlsv13 alert missing extension", 110: "tlsv1 unsupported extension",
    111: "tlsv1 certificate unobtainable", 112: "tlsv1 unrecognized name",
    113: "tlsv1 bad certificate status response", 114: "tlsv1 bad certificate hash value",
    115: "tlsv1 alert unknown psk identity", 116: "tlsv13 alert certificate required",
    120: "tlsv1 alert no application protocol",
}

#: "Server Temp Key:" text per named group (ssl_print_tmp_key).
_TEMP_KEYS: dict[int, str] = {
    0x0017: "ECDH, prime256v1, 256 bits", 0x0018: "ECDH, secp384r1, 384 bits",
    0x0019: "ECDH, secp521r1, 521 bits", 0x0016: "ECDH, secp256k1, 256 bits",
    0x001A: "ECDH, brainpoolP256r1, 256 bits", 0x001B: "ECDH, brainpoolP384r1, 384 bits",
    0x001C: "ECDH, brainpoolP512r1, 512 bits", 0x001D: "X25519, 253 bits",
    0x001E: "X448, 448 bits", 0x0100: "DH, 2048 bits", 0x0101: "DH, 3072 bits",
    0x0102: "DH, 4096 bits", 0x0103: "DH, 6144 bits", 0x0104: "DH, 8192 bits",
}
_CERT_TYPES = {1: "RSA sign", 2: "DSA sign", 3: "RSA fixed DH", 4: "DSS fixed DH",
               22: "GOST01 Sign", 64: "ECDSA sign", 65: "RSA fixed ECDH",
               66: "ECDSA fixed ECDH", 67: "GOST12 Sign"}
_HASHES = {1: "MD5", 2: "SHA1", 3: "SHA224", 4: "SHA256", 5: "SHA384", 6: "SHA512"}
_SIGNERS = {1: "RSA", 2: "DSA", 3: "ECDSA"}
_SPECIAL_SIGALGS = {0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
                    0x080A: "rsa_pss_pss_sha384", 0x080B: "rsa_pss_pss_sha512"}


def _ssl_error(code: int, function: str, reason: str, where: str) -> str:
    return (f"{THREAD_ID}:error:{0x0A000000 | code:08X}:SSL routines:{function}:{reason}:"
            f"../ssl/{where}:")


# s_client 3.0.19's error lines, as seen against loopback peers that misbehave that way.
_EOF = _ssl_error(0x126, "ssl3_read_n", "unexpected eof while reading", "record/rec_layer_s3.c:318")
_UNEXPECTED = _ssl_error(0xF4, "ssl3_read_bytes", "unexpected message",
                         "record/rec_layer_s3.c:1538")
_WRONG_VERSION = _ssl_error(0x10B, "ssl3_get_record", "wrong version number",
                            "record/ssl3_record.c:350")
_HTTP_REQUEST = _ssl_error(0x9C, "ssl3_get_record", "http request", "record/ssl3_record.c:341")
_PROXY_REQUEST = _ssl_error(0x9B, "ssl3_get_record", "https proxy request",
                            "record/ssl3_record.c:344")
_UNSUPPORTED = _ssl_error(0x102, "ssl_choose_client_version", "unsupported protocol",
                          "statem/statem_lib.c:1952")
_WRONG_CIPHER = _ssl_error(0x105, "set_client_ciphersuite", "wrong cipher returned",
                           "statem/statem_clnt.c:1326")
#: probe.describe_os_error() words -> errno; other errors come as os.strerror() text.
_CONNECT_ERRNO = {"connection refused": errno.ECONNREFUSED, "timed out": errno.ETIMEDOUT,
                  "no route to host": errno.EHOSTUNREACH,
                  "connection reset by peer": errno.ECONNRESET}


# --- small helpers ---------------------------------------------------------------


def sigalg_text(code: int) -> str:
    """A signature scheme as s_client lists it: `RSA+SHA256`, `RSA-PSS+SHA256`, `ed25519`."""
    if code in _SPECIAL_SIGALGS:
        return _SPECIAL_SIGALGS[code]
    high, low = code >> 8, code & 0xFF
    if high == 0x08 and low in (4, 5, 6):
        return f"RSA-PSS+{_HASHES[low]}"
    if low in _SIGNERS and high in _HASHES and high != 1:
        return f"{_SIGNERS[low]}+{_HASHES[high]}"
    return f"0x{low:02X}+0x{high:02X}"


def alert_reason(description: int) -> str:
    """OpenSSL's reason text for a received alert: `sslv3 alert handshake failure`."""
    return _ALERT_REASONS.get(description, f"reason({1000 + description})")


def _offered_sigalgs(record: bytes) -> set[int]:
    """The signature_algorithms our ClientHello record offered (empty if none)."""
    try:
        pos = 5 + 4 + 2 + 32
        pos += 1 + record[pos]
        pos += 2 + int.from_bytes(record[pos : pos + 2], "big")
        pos += 1 + record[pos]
        end = min(len(record), pos + 2 + int.from_bytes(record[pos : pos + 2], "big"))
        pos += 2
        while pos + 4 <= end:
            size = int.from_bytes(record[pos + 2 : pos + 4], "big")
            if record[pos : pos + 2] == b"\x00\x0d":
                data = record[pos + 6 : pos + 4 + size]
                return {int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)}
            pos += 4 + size
    except IndexError:
        pass
    return set()


def _pem(der: bytes) -> list[str]:
    text = base64.b64encode(der).decode("ascii")
    return ["-----BEGIN CERTIFICATE-----",
            *(text[i : i + 64] for i in range(0, len(text), 64)),
            "-----END CERTIFICATE-----"]


def _printable(data: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in data)


def _suite_names(codes: tuple[int, ...]) -> list[str]:
    return [s.openssl_name for s in map(profile.suite_by_code, codes) if s is not None]


# --- the s_client command ------------------------------------------------------------


def s_client_command(attempt: ProtocolAttempt, *, servername: str | None,
                     ca_file: str | None = None, verify_name: str | None = None) -> str:
    """The `openssl s_client` command line that repeats this attempt, shell-quoted.

    It is returned even when OpenSSL 3 cannot run it (`-ssl3`, RC4 or 3DES only);
    `render` says so.
    """
    host = f"[{attempt.address}]" if ":" in attempt.address else attempt.address
    args = ["openssl", "s_client", "-connect", f"{host}:{attempt.port}"]
    if servername:
        args += ["-servername", servername]
    elif not _is_ip(attempt.address):
        args.append("-noservername")
    args.append(attempt.protocol.s_client_flag)
    suites = _suite_names(attempt.offered)
    if attempt.protocol is Protocol.TLSv1_3:
        if suites:
            args += ["-ciphersuites", ":".join(suites)]
    elif suites:
        args += ["-cipher", ":".join(suites) + ":@SECLEVEL=0"]
    if attempt.purpose in (Purpose.CLOUDFRONT, Purpose.ENUMERATE) and (
            attempt.protocol is not Protocol.TLSv1_3):
        args += ["-groups", profile.CLOUDFRONT_GROUPS_OPENSSL]
        if attempt.protocol is Protocol.TLSv1_2:
            args += ["-sigalgs", profile.cloudfront_sigalgs_openssl()]
    args.append("-showcerts")
    if ca_file:
        args += ["-CAfile", ca_file]
    if verify_name:
        args += ["-verify_hostname", verify_name]
    return " ".join(shlex.quote(a) for a in args) + " < /dev/null"


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


# --- the transcript -------------------------------------------------------------


def render(attempt: ProtocolAttempt, verify: VerifyStatus | None = None, *,
           showcerts: bool = True) -> list[str]:
    """The lines s_client prints for this handshake (stdout and stderr, in order).

    `verify` is the certificate verification result when cftui checked the chain;
    `showcerts` matches the `-showcerts` flag of `s_client_command`.
    """
    lines = _capability_notes(attempt)
    if attempt.outcome is Outcome.CONNECT_FAILED:
        return [*lines, *_connect_error(attempt), _note(attempt)]
    lines.append("CONNECTED(00000003)")
    lines += _error_lines(attempt)
    if attempt.protocol is Protocol.TLSv1_3:
        lines += _tls13_block(attempt, verify)
    else:
        lines += _tls12_block(attempt, verify, showcerts)
    if not attempt.accepted or attempt.outcome is not Outcome.SERVER_HELLO:
        lines.append(_note(attempt))
    return lines


def _capability_notes(attempt: ProtocolAttempt) -> list[str]:
    notes: list[str] = []
    if attempt.protocol is Protocol.SSLv3:
        notes.append("# cftui: OpenSSL 3 s_client cannot send SSLv3 (it says \"s_client: "
                     "Unknown option: -ssl3\"); below is what cftui's own SSLv3 hello got")
    suites = _suite_names(attempt.offered)
    lacking = [s for s in suites if s in OPENSSL3_LACKS]
    if lacking and len(lacking) == len(suites):
        notes.append("# cftui: OpenSSL 3 cannot offer " + ", ".join(lacking)
                     + "; s_client would stop with \"no cipher match\"")
    elif lacking:
        notes.append("# cftui: OpenSSL 3 cannot offer " + ", ".join(lacking)
                     + "; s_client's hello would leave them out")
    return notes


def _connect_error(attempt: ProtocolAttempt) -> list[str]:
    """s_client's lines for a failed connect (sample 17); none when the errno is unknown."""
    error = (attempt.error or "").lower()
    number = _CONNECT_ERRNO.get(error) or next(
        (n for n in errno.errorcode if os.strerror(n).lower() == error), None)
    if number is None:
        return []
    return [f"{THREAD_ID}:error:{0x80000000 | number:08X}:system library:BIO_connect:"
            f"{os.strerror(number)}:../crypto/bio/bio_sock2.c:117:calling connect()",
            f"{THREAD_ID}:error:10000067:BIO routines:BIO_connect:connect error:"
            "../crypto/bio/bio_sock2.c:119:",
            f"connect:errno={number}"]


def _rejected_hello(attempt: ProtocolAttempt) -> str | None:
    """The OpenSSL error for a ServerHello s_client refuses, if it refuses it."""
    hello = attempt.server_hello
    if hello is None or attempt.accepted or hello.is_hello_retry_request:
        return None
    if hello.selected_version != attempt.protocol.wire:
        return _UNSUPPORTED
    return _WRONG_CIPHER


def _error_lines(attempt: ProtocolAttempt) -> list[str]:
    flight = attempt.flight
    rejected = _rejected_hello(attempt)
    if rejected is not None:
        return [rejected]
    if flight is None:
        return []
    outcome = attempt.outcome
    if outcome is Outcome.ALERT and flight.alert is not None:
        alert = flight.alert
        if alert.description == 0 or not alert.fatal:
            return []
        return [_ssl_error(1000 + alert.description, "ssl3_read_bytes",
                           alert_reason(alert.description), "record/rec_layer_s3.c:1601")
                + f"SSL alert number {alert.description}"]
    if outcome is Outcome.NOT_TLS:
        return [_not_tls_error(flight.first_bytes)]
    if outcome is Outcome.MALFORMED and flight.server_hello is None and flight.first_bytes[:1] in (
            b"\x14", b"\x17"):  # ChangeCipherSpec or application data before ServerHello
        return [_UNEXPECTED]
    if outcome is Outcome.CLOSED or flight.error == "truncated record":
        return [_EOF]
    if outcome is Outcome.RESET:
        return ["write:errno=104"]
    return []


def _not_tls_error(first: bytes) -> str:
    if len(first) < 5:
        return _EOF
    if first[1] != 3:
        if first.startswith((b"GET ", b"POST ", b"HEAD ", b"PUT ")):
            return _HTTP_REQUEST
        if first.startswith(b"CONNE"):
            return _PROXY_REQUEST
        return _WRONG_VERSION
    return _UNEXPECTED


def _bytes_read(attempt: ProtocolAttempt) -> int:
    """What s_client would have read: it stops at the first bad record header."""
    flight = attempt.flight
    if flight is None:
        return 0
    first = flight.first_bytes
    if attempt.outcome is Outcome.NOT_TLS and len(first) >= 5:
        if first[1] != 3:
            return 5
        return min(flight.bytes_read, 5 + int.from_bytes(first[3:5], "big"))
    return flight.bytes_read


def _verify_lines(verify: VerifyStatus | None, have_cert: bool) -> tuple[list[str], str]:
    """("Verification: …" lines, "Verify return code" value)."""
    if verify is None and have_cert:
        return ["Verification: (not checked by cftui)"], "(not checked by cftui)"
    verify = verify or VerifyStatus.of(0)
    if verify.ok:
        lines = ["Verification: OK"]
        if verify.peername:
            lines.append(f"Verified peername: {verify.peername}")
    else:
        lines = [f"Verification error: {verify.text}"]
    return lines, f"{verify.code} ({verify.text})"


def _parse(der: bytes) -> CertInfo | str:
    try:
        return cert_info(der)
    except CertificateParseError as exc:
        return str(exc)


def _chain_lines(certs: tuple[bytes, ...], infos: list[CertInfo | str],
                 showcerts: bool) -> list[str]:
    """Certificate chain, then Server certificate with subject= and issuer=."""
    lines = ["---", "Certificate chain"]
    for index, (der, info) in enumerate(zip(certs, infos, strict=True)):
        if isinstance(info, str):
            lines.append(f"{index:2d} s:(cftui: {info})")
        else:
            lines += [f"{index:2d} s:{info.subject}", f"   i:{info.issuer}",
                      f"   a:{s_client_a_line(info)}", f"   v:{s_client_v_line(info)}"]
        if showcerts:
            lines += _pem(der)
    lines += ["---", "Server certificate"]
    if not showcerts:
        lines += _pem(certs[0])
    if isinstance(infos[0], CertInfo):
        lines += [f"subject={infos[0].subject}", f"issuer={infos[0].issuer}"]
    return lines


def _request_lines(attempt: ProtocolAttempt, flight: ServerFlight | None) -> list[str]:
    """CA names, client certificate types and requested signature algorithms."""
    request = flight.certificate_request if flight else None
    if request is None or not request.ca_names:
        lines = ["No client certificate CA names sent"]
    else:
        lines = ["Acceptable client certificate CA names"]
        for der in request.ca_names:
            try:
                lines.append(name_from_der(der))
            except ValueError:
                lines.append(f"(cftui: not a DER name: {der.hex().upper()})")
    if request is None:
        return lines
    if request.certificate_types:
        types = [_CERT_TYPES.get(t, f"UNKNOWN ({t}),") for t in request.certificate_types]
        lines.append("Client Certificate Types: " + ", ".join(types))
    if request.signature_schemes:
        lines.append("Requested Signature Algorithms: "
                     + ":".join(sigalg_text(s) for s in request.signature_schemes))
        ours = _offered_sigalgs(attempt.client_hello)
        shared = [s for s in request.signature_schemes
                  if s in ours and s in profile.SIGNATURE_SCHEMES]
        if shared:
            lines.append("Shared Requested Signature Algorithms: "
                         + ":".join(sigalg_text(s) for s in shared))
    return lines


def _key_exchange_lines(attempt: ProtocolAttempt, flight: ServerFlight) -> list[str]:
    """Peer signing digest / signature type and Server Temp Key, from ServerKeyExchange."""
    ske, hello = flight.key_exchange, flight.server_hello
    if ske is None or hello is None:
        return []
    lines: list[str] = []
    if ske.signature_scheme is not None:
        scheme = profile.SIGNATURE_SCHEMES.get(ske.signature_scheme)
        if scheme is not None:
            if scheme.kind not in ("Ed25519", "Ed448"):
                lines.append(f"Peer signing digest: {scheme.digest}")
            lines.append(f"Peer signature type: {scheme.kind}")
    elif ske.kind in ("ECDHE", "DHE"):  # before TLS 1.2: fixed digests per key type
        name = profile.suite_name(hello.cipher_suite)
        kind = "ECDSA" if "ECDSA" in name else "DSA" if "DSS" in name else "RSA"
        lines.append(f"Peer signing digest: {'MD5-SHA1' if kind == 'RSA' else 'SHA1'}")
        lines.append(f"Peer signature type: {kind}")
    if ske.kind == "DHE" and ske.dh_prime_bits:
        lines.append(f"Server Temp Key: DH, {ske.dh_prime_bits} bits")
    elif ske.kind == "ECDHE" and ske.named_group is not None:
        lines.append("Server Temp Key: " + _TEMP_KEYS.get(
            ske.named_group, f"{profile.group_name(ske.named_group)}, ? bits"))
    return lines


def _tls12_block(attempt: ProtocolAttempt, verify: VerifyStatus | None,
                 showcerts: bool) -> list[str]:
    flight = attempt.flight
    hello = attempt.server_hello if attempt.accepted else None
    certs = flight.certificates if flight and hello else ()
    established = hello is not None and attempt.outcome is Outcome.SERVER_HELLO
    infos = [_parse(der) for der in certs]
    if certs:
        lines = _chain_lines(certs, infos, showcerts)
    else:
        lines = ["---", "no peer certificate available"]
    lines.append("---")
    lines += _request_lines(attempt, flight if hello else None)
    if hello is not None and flight is not None:
        lines += _key_exchange_lines(attempt, flight)
    lines += ["---", f"SSL handshake has read {_bytes_read(attempt)} bytes and written "
                     f"{attempt.bytes_written} bytes"]
    verify_lines, verify_code = _verify_lines(verify, bool(certs))
    lines += verify_lines
    done = hello if established else None
    suite = profile.suite_by_code(done.cipher_suite) if done else None
    lines += ["---", f"New, {_cipher_version(suite)}, Cipher is {suite.openssl_name}" if suite
              else "New, (NONE), Cipher is (NONE)"]
    if infos and isinstance(infos[0], CertInfo):
        lines.append(f"Server public key is {infos[0].key_bits} bit")
    lines += _hello_lines(hello)
    protocol = hello.protocol if hello and hello.protocol else attempt.protocol
    ems = hello is not None and hello.extended_master_secret
    lines += [
        "SSL-Session:",
        f"    Protocol  : {protocol.openssl_name}",
        f"    Cipher    : {profile.suite_name(done.cipher_suite) if done else '0000'}",
        f"    Session-ID: {done.session_id.hex().upper() if done else ''}",
        "    Session-ID-ctx: ",
        "    Master-Key: ",
        "    PSK identity: None",
        "    PSK identity hint: None",
        "    SRP username: None",
        f"    Start Time: {int(attempt.started_at)}",
        "    Timeout   : 7200 (sec)",
        f"    Verify return code: {verify_code}",
        f"    Extended master secret: {'yes' if ems else 'no'}",
        "---",
    ]
    return lines


def _cipher_version(suite: profile.CipherSuite) -> str:
    """SSL_CIPHER_get_version(): the suite's first version, "TLSv1.0" for TLS 1.0."""
    if suite.min_protocol is Protocol.TLSv1:
        return "TLSv1.0"
    return "TLSv1.2" if suite.tls12_only else suite.min_protocol.openssl_name


def _hello_lines(hello: ServerHello | None) -> list[str]:
    alpn = hello.alpn if hello else None
    return [
        f"Secure Renegotiation IS{'' if hello and hello.secure_renegotiation else ' NOT'} "
        "supported",
        "Compression: NONE",
        "Expansion: NONE",
        f"ALPN protocol: {alpn}" if alpn else "No ALPN negotiated",
    ]


def _tls13_block(attempt: ProtocolAttempt, verify: VerifyStatus | None) -> list[str]:
    hello = attempt.server_hello
    accepted = attempt.accepted and hello is not None
    lines = ["---"]
    if accepted:
        lines.append("(cftui: the rest of a TLS 1.3 handshake is encrypted; not shown)")
        share = hello.extension(51) if hello else None
        if share is not None and len(share.data) >= 2:
            group = int.from_bytes(share.data[:2], "big")
            lines.append("Server Temp Key: " + _TEMP_KEYS.get(
                group, f"{profile.group_name(group)}, ? bits"))
    else:
        lines += ["no peer certificate available", "---", "No client certificate CA names sent"]
    lines += ["---", f"SSL handshake has read {_bytes_read(attempt)} bytes and written "
                     f"{attempt.bytes_written} bytes"]
    verify_lines, verify_code = _verify_lines(verify, False)
    if verify is not None or not accepted:
        lines += verify_lines
    suite = profile.suite_by_code(hello.cipher_suite) if accepted and hello else None
    cipher = suite.openssl_name if suite else "(NONE)"
    lines += ["---", f"New, {'TLSv1.3' if suite else '(NONE)'}, Cipher is {cipher}",
              "Secure Renegotiation IS NOT supported", "Compression: NONE", "Expansion: NONE"]
    if not accepted:
        lines.append("No ALPN negotiated")  # in TLS 1.3 ALPN is in the encrypted part
    lines.append("Early data was not sent")
    if verify is not None or not accepted:
        lines.append(f"Verify return code: {verify_code}")
    return [*lines, "---"]


# --- cftui's one-line explanation --------------------------------------------------


def _note(attempt: ProtocolAttempt) -> str:
    version = attempt.protocol.value
    flight = attempt.flight
    outcome = attempt.outcome
    hello = attempt.server_hello
    if outcome is Outcome.CONNECT_FAILED:
        host = f"[{attempt.address}]" if ":" in attempt.address else attempt.address
        return (f"# cftui: the TCP connection to {host}:{attempt.port} failed "
                f"({attempt.error or 'error'}); no TLS was tried")
    if hello is not None and hello.is_hello_retry_request:
        share = hello.extension(51)
        group = (profile.group_name(int.from_bytes(share.data[:2], "big"))
                 if share is not None and len(share.data) >= 2 else "another group")
        return (f"# cftui: the origin asked for a key share in {group} "
                "(HelloRetryRequest); cftui stops there, s_client would carry on")
    if hello is not None and attempt.violation:
        return f"# cftui: {attempt.violation}; s_client gives up there"
    if hello is not None and not attempt.accepted:
        got = hello.protocol.value if hello.protocol else f"0x{hello.selected_version:04X}"
        return f"# cftui: the origin answered the {version} ClientHello with {got}"
    if outcome is Outcome.ALERT and flight is not None and flight.alert is not None:
        alert = flight.alert
        level = "fatal" if alert.fatal else "warning"
        where = _after(flight)
        text = (f"# cftui: the origin answered the {version} ClientHello{where} with a "
                f"{level} {names.alert_name(alert.description)} alert ({alert.description})")
        if alert.description == 70:
            text += ": it does not accept this protocol version"
        elif alert.description == 40 and not flight.messages[:-1]:
            text += ": no cipher suite in common, or the origin refuses this version"
        elif not alert.fatal and alert.description != 0:
            text += "; cftui stops there, s_client would carry on"
        return text
    if outcome is Outcome.NOT_TLS and flight is not None:
        first = flight.first_bytes[:16]
        return (f"# cftui: the answer is not TLS (first bytes {first.hex(' ').upper()} "
                f"\"{_printable(first)}\"): another protocol, such as plain HTTP, is on "
                "this port")
    if outcome is Outcome.CLOSED:
        return f"# cftui: the origin closed the connection{_after(flight)} without an alert"
    if outcome is Outcome.RESET:
        return f"# cftui: the origin reset the connection{_after(flight)}"
    if outcome is Outcome.TIMEOUT:
        return (f"# cftui: no complete answer to the {version} ClientHello{_after(flight)} "
                "within the read timeout; s_client would keep waiting")
    if outcome is Outcome.MALFORMED and flight is not None:
        if flight.end is FlightEnd.TOO_LARGE:
            return (f"# cftui: the origin's first flight is over {flight.bytes_read} bytes, "
                    "more than cftui reads")
        return f"# cftui: the origin's answer is not well-formed TLS: {flight.error}"
    return f"# cftui: {attempt.error or outcome.value}"


def _after(flight: ServerFlight | None) -> str:
    if flight is None:
        return ""
    seen = [m.name for m in flight.messages if m.name != "Alert"]
    return f" (after {', '.join(seen)})" if seen else ""
