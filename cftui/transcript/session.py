"""Pure: one `ProtocolAttempt` as the lines `openssl s_client` (3.0) would print.

cftui stops after the origin's first flight, so a transcript shows what that flight
proves and nothing invented: no master key, no session ticket, no verify callback
lines. Lines that are cftui's own start with `# cftui:` or `(cftui: …)`. Text from
the origin (names, bytes) is kept verbatim; display code escapes it.

OpenSSL's tables, error lines and command line live in `openssl_tables`,
`openssl_errors` and `openssl_cli` (`s_client_command` is re-exported here), cftui's
closing note in `transcript_note`.
"""

from __future__ import annotations

import base64

from cftui.engine import profile
from cftui.engine.model import Outcome, ProtocolAttempt, ServerFlight, ServerHello
from cftui.engine.profile import OPENSSL3_LACKS, Protocol
from cftui.engine.results import CertInfo
from cftui.engine.tls.registry import (
    ExtensionType,
    NamedGroup,
    certificate_type_text,
    group_name,
    lookup,
    signature_scheme,
)
from cftui.engine.x509.info import CertificateParseError, cert_info
from cftui.engine.x509.names import name_from_der
from cftui.transcript.certificate import s_client_a_line, s_client_v_line
from cftui.transcript.command import s_client_command as s_client_command
from cftui.transcript.command import suite_names
from cftui.transcript.errors import connect_error, error_lines
from cftui.transcript.note import note
from cftui.transcript.tables import VerifyStatus, sigalg_text

# --- small helpers ---------------------------------------------------------------


def _temp_key(group: int) -> str:
    """s_client's `Server Temp Key:` text for a named group."""
    known = lookup(NamedGroup, group)
    text = known.temp_key if known is not None else None
    return text or f"{group_name(group)}, ? bits"


def _pem(der: bytes) -> list[str]:
    text = base64.b64encode(der).decode("ascii")
    return ["-----BEGIN CERTIFICATE-----",
            *(text[i : i + 64] for i in range(0, len(text), 64)),
            "-----END CERTIFICATE-----"]


# --- the transcript -------------------------------------------------------------


def render(attempt: ProtocolAttempt, verify: VerifyStatus | None = None, *,
           showcerts: bool = True) -> list[str]:
    """The lines s_client prints for this handshake (stdout and stderr, in order).

    `verify` is the certificate verification result when cftui checked the chain;
    `showcerts` matches the `-showcerts` flag of `s_client_command`.
    """
    lines = _capability_notes(attempt)
    if attempt.outcome is Outcome.CONNECT_FAILED:
        return [*lines, *connect_error(attempt), note(attempt)]
    lines.append("CONNECTED(00000003)")
    lines += error_lines(attempt)
    if attempt.protocol is Protocol.TLSv1_3:
        lines += _tls13_block(attempt, verify)
    else:
        lines += _tls12_block(attempt, verify, showcerts)
    if not attempt.accepted or attempt.outcome is not Outcome.SERVER_HELLO:
        lines.append(note(attempt))
    return lines


def _capability_notes(attempt: ProtocolAttempt) -> list[str]:
    notes: list[str] = []
    if attempt.protocol is Protocol.SSLv3:
        notes.append("# cftui: OpenSSL 3 s_client cannot send SSLv3 (it says \"s_client: "
                     "Unknown option: -ssl3\"); below is what cftui's own SSLv3 hello got")
    suites = suite_names(attempt.offered)
    lacking = [s for s in suites if s in OPENSSL3_LACKS]
    if lacking and len(lacking) == len(suites):
        notes.append("# cftui: OpenSSL 3 cannot offer " + ", ".join(lacking)
                     + "; s_client would stop with \"no cipher match\"")
    elif lacking:
        notes.append("# cftui: OpenSSL 3 cannot offer " + ", ".join(lacking)
                     + "; s_client's hello would leave them out")
    return notes


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
        if verify.peername and have_cert:  # s_client names a peer only once it has one
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
        types = [certificate_type_text(t) or f"UNKNOWN ({t})," for t in request.certificate_types]
        lines.append("Client Certificate Types: " + ", ".join(types))
    if request.signature_schemes:
        lines.append("Requested Signature Algorithms: "
                     + ":".join(sigalg_text(s) for s in request.signature_schemes))
        ours = attempt.hello_spec.sent_signature_schemes
        shared = [s for s in request.signature_schemes
                  if s in ours and signature_scheme(s) is not None]
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
        scheme = signature_scheme(ske.signature_scheme)
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
        lines.append("Server Temp Key: " + _temp_key(ske.named_group))
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
        share = hello.extension(ExtensionType.KEY_SHARE) if hello else None
        if share is not None and len(share.data) >= 2:
            group = int.from_bytes(share.data[:2], "big")
            lines.append("Server Temp Key: " + _temp_key(group))
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
    if not accepted or not attempt.hello_spec.sent_alpn:
        lines.append("No ALPN negotiated")
    else:  # in TLS 1.3 the origin's ALPN answer is in EncryptedExtensions
        lines.append("(cftui: the ALPN protocol is in the encrypted part; not shown)")
    lines.append("Early data was not sent")
    if verify is not None or not accepted:
        lines.append(f"Verify return code: {verify_code}")
    return [*lines, "---"]
