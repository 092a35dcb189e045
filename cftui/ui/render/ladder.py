"""The handshake ladder: ClientHello out, each record the origin sent back, how it ended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content

from cftui.engine.model import (
    Alert,
    CertificateRequest,
    FlightEnd,
    FlightMessage,
    Outcome,
    ProtocolAttempt,
    Purpose,
    ServerFlight,
    ServerHello,
    ServerKeyExchange,
)
from cftui.engine.profile import Protocol, suite_name
from cftui.engine.results import CertInfo
from cftui.engine.tls.registry import (
    AlertLevel,
    ContentType,
    HandshakeType,
    certificate_type_text,
    group_name,
    signature_scheme_name,
)
from cftui.transcript.note import note
from cftui.ui.format import plain, safe, size
from cftui.ui.glyphs import Glyphs

PURPOSES = {
    Purpose.CLOUDFRONT: "CloudFront's own offer",
    Purpose.ENUMERATE: "CloudFront's offer minus suites already accepted",
    Purpose.BROAD: "every known suite (does the origin speak this version at all?)",
    Purpose.INFO: "TLS 1.3, for information (CloudFront never uses it)",
}
ENDINGS = {
    FlightEnd.HELLO_DONE: (False, "first flight complete; cftui stops here"),
    FlightEnd.ENCRYPTED: (False, "the rest is encrypted (TLS 1.3)"),
    FlightEnd.ALERT: (True, "the origin ended the handshake with an alert"),
    FlightEnd.CLOSED: (True, "the origin closed the connection"),
    FlightEnd.RESET: (True, "the connection was reset"),
    FlightEnd.TIMEOUT: (True, "no further answer before the timeout"),
    FlightEnd.NOT_TLS: (True, "the answer is not TLS"),
    FlightEnd.MALFORMED: (True, "the answer is malformed"),
    FlightEnd.TOO_LARGE: (True, "the flight is larger than cftui reads"),
}
MAX_HEX = 16 * 1024
CLIENT_CERT_MEANING = ("the origin asks for a client certificate; CloudFront sends none "
                       "(unless origin mutual TLS is set up), so the origin ends the handshake")


@dataclass(frozen=True)
class Step:
    """One rung of the ladder. `direction` is "out", "in" or "end"."""

    direction: str
    name: str
    raw: bytes
    fields: tuple[tuple[str, str], ...]
    bad: bool = False
    length: int | None = None  # bytes on the wire when `raw` is not kept (render/wire.py)

    @property
    def size(self) -> int:
        return len(self.raw) if self.length is None else self.length


def suite_refused(attempt: ProtocolAttempt) -> bool:
    """A one-suite enumeration try the origin turned down: an answer, not an error."""
    return (attempt.purpose is Purpose.ENUMERATE and not attempt.accepted
            and len(attempt.offered) == 1 and attempt.outcome is Outcome.ALERT)


def steps(attempt: ProtocolAttempt, chain: Sequence[CertInfo] = ()) -> list[Step]:
    """ClientHello, then each message the origin sent, then how the exchange ended."""
    refused = suite_refused(attempt)
    out = [Step("out", "ClientHello", attempt.client_hello, client_fields(attempt))]
    flight = attempt.flight
    if flight is not None:
        for message in flight.messages:
            fields = message_fields(message, flight)
            if message.name == "Certificate":
                fields = (*fields, *_subjects(flight.certificates, chain))
            label = message.name
            if message.name == "Alert" and flight.alert is not None:
                label = f"Alert: {flight.alert.name}"
                if message is flight.messages[-1]:
                    fields = (*fields, ("meaning", meaning(attempt)))
            elif message.name == "CertificateRequest":
                fields = (*fields, ("meaning", CLIENT_CERT_MEANING))
            # CloudFront sends no client certificate (unless origin mTLS is set up)
            bad = message.name in ("Alert", "CertificateRequest") and not refused
            out.append(Step("in", label, message.raw, fields, bad=bad))
    out.append(_ending(attempt))
    return out


def meaning(attempt: ProtocolAttempt) -> str:
    """cftui's plain-words reading of how the attempt ended (the transcript's last line)."""
    return note(attempt).removeprefix("# cftui: ")


def client_fields(attempt: ProtocolAttempt) -> tuple[tuple[str, str], ...]:
    fields = [
        ("version", attempt.protocol.value),
        ("to", f"{attempt.address}:{attempt.port}"),
        ("SNI", attempt.sni or "(none: SSLv3 has no extensions)"),
        ("offer", PURPOSES[attempt.purpose]),
        ("cipher suites", str(len(attempt.offered))),
    ]
    fields += [(f"  {i + 1:>2}", f"{suite_name(c)} (0x{c:04X})")
               for i, c in enumerate(attempt.offered)]
    return tuple(fields)


Fields = tuple[tuple[str, str], ...]


def message_fields(message: FlightMessage, flight: ServerFlight) -> Fields:
    """The decoded fields of one message the origin sent, from the parsed flight."""
    if message.content_type == ContentType.ALERT and len(message.raw) == 2:
        return _alert_fields(Alert(message.raw[0], message.raw[1]))
    if message.content_type == ContentType.APPLICATION_DATA:
        return (("length", str(len(message.raw))),)
    kind = message.handshake_type
    if kind == HandshakeType.SERVER_HELLO and flight.server_hello is not None:
        return _hello_fields(flight.server_hello)
    if kind == HandshakeType.CERTIFICATE:
        certs = flight.certificates
        return (("certificates", str(len(certs))),
                *((f"[{i}] length", str(len(c))) for i, c in enumerate(certs)))
    if kind == HandshakeType.SERVER_KEY_EXCHANGE and flight.key_exchange is not None:
        return _ske_fields(flight.key_exchange)
    if kind == HandshakeType.CERTIFICATE_REQUEST and flight.certificate_request is not None:
        return _cr_fields(flight.certificate_request)
    return ()


def _alert_fields(alert: Alert) -> Fields:
    levels: dict[int, str] = {AlertLevel.WARNING: "warning", AlertLevel.FATAL: "fatal"}
    level = levels.get(alert.level, str(alert.level))
    return (("level", level), ("description", f"{alert.name} ({alert.description})"))


def _hello_fields(hello: ServerHello) -> Fields:
    version = Protocol.from_wire(hello.selected_version)
    fields = [
        ("version", version.value if version else f"0x{hello.selected_version:04X}"),
        ("cipher suite", f"{suite_name(hello.cipher_suite)} (0x{hello.cipher_suite:04X})"),
        ("session id", hello.session_id.hex().upper() or "(empty)"),
        ("compression", "none" if hello.compression == 0 else str(hello.compression)),
    ]
    fields += [(f"extension {e.name}", e.data.hex() or "(empty)") for e in hello.extensions]
    return tuple(fields)


def _ske_fields(ske: ServerKeyExchange) -> Fields:
    fields = [("key exchange", ske.kind)]
    if ske.named_group is not None:
        fields.append(("named group", group_name(ske.named_group)))
    if ske.dh_prime_bits is not None:
        fields.append(("DH prime", f"{ske.dh_prime_bits} bits"))
    if ske.signature_scheme is not None:
        fields.append(("signature", signature_scheme_name(ske.signature_scheme)))
    return tuple(fields)


def _cr_fields(req: CertificateRequest) -> Fields:
    types = ", ".join(certificate_type_text(t) or str(t) for t in req.certificate_types)
    return (("certificate types", types or "(none)"),
            ("signature schemes", str(len(req.signature_schemes))),
            ("CA names", str(len(req.ca_names))))


def _subjects(ders: Sequence[bytes], chain: Sequence[CertInfo]) -> list[tuple[str, str]]:
    by_der = {c.der: c for c in chain if c.der}
    return [(f"[{i}] subject", by_der[d].subject) for i, d in enumerate(ders) if d in by_der]


def _ending(attempt: ProtocolAttempt) -> Step:
    flight = attempt.flight
    if attempt.outcome is Outcome.CONNECT_FAILED or flight is None:
        why = attempt.error or attempt.outcome.value
        return Step("end", f"no handshake: {why}", b"", (("outcome", attempt.outcome.value),),
                    bad=True)
    bad, text = ENDINGS[flight.end]
    if suite_refused(attempt):
        return Step("end", "suite not accepted: the end of this try, not an error", b"",
                    (("outcome", "not accepted"), ("bytes read", str(flight.bytes_read))))
    fields = [("outcome", attempt.outcome.value), ("bytes read", str(flight.bytes_read))]
    if bad or attempt.violation is not None:
        fields.append(("meaning", meaning(attempt)))
    if flight.error:
        fields.append(("error", flight.error))
    if attempt.error and attempt.error != flight.error:
        fields.append(("why", attempt.error))
    raw = flight.first_bytes if flight.end is FlightEnd.NOT_TLS else b""
    if raw:
        fields.append(("first bytes", raw.decode("latin-1")))
    return Step("end", text, raw, tuple(fields), bad=bad or attempt.violation is not None)


def focus_step(ladder: Sequence[Step], accepted: bool) -> int:
    """Where the ladder opens: what went wrong (an alert, a certificate request), else the
    origin's answer, or for a failure without a message, how it ended."""
    bad = [i for i, s in enumerate(ladder) if s.bad and s.direction == "in"]
    if bad:
        return bad[-1]
    if accepted:
        return 1 if len(ladder) > 1 else 0
    return len(ladder) - 1


def span_for(ladder: Sequence[Step]) -> int:
    """Width between the two lanes: room for the longest message name."""
    longest = max((len(plain(s.name)) for s in ladder if s.direction != "end"), default=10)
    return max(24, longest + 8)


def ladder_header(span: int, glyphs: Glyphs) -> Content:
    left, right = "CloudFront", "origin"
    return Content.styled(left + " " * max(1, span + 2 - len(left) - len(right)) + right,
                          "bold")


def ladder_line(step: Step, span: int, glyphs: Glyphs) -> Content:
    """`│── ClientHello ───▶│  517 B` or `│◀─ Alert: … ───│  2 B`."""
    name = plain(step.name)
    style = "$error bold" if step.bad else ""
    if step.direction == "end":
        mark = glyphs.bad if step.bad else glyphs.info
        return Content.assemble((f" {mark} ", style or "$text-muted"),
                                (name, style or "$text-muted"))
    ln, lane = glyphs.line, glyphs.lane
    fill = max(1, span - len(name) - (5 if step.direction == "out" else 4))
    if step.direction == "out":
        inner = Content.assemble(ln * 2 + " ", (name, "bold"), " " + ln * fill + glyphs.arrow_right)
    else:
        inner = Content.assemble(glyphs.arrow_left + ln + " ", (name, style or "bold"),
                                 " " + ln * fill)
    return Content.assemble(lane, inner, lane, (f" {size(step.size):>7}", "$text-muted"))


def field_lines(step: Step) -> list[Content]:
    """The decoded fields of one message, values shown literally."""
    if not step.fields:
        return [Content.styled("(no fields)", "$text-muted")]
    width = min(18, max(len(k) for k, _ in step.fields))
    return [Content.assemble((f"{plain(k):<{width}} ", "bold"), safe(v)) for k, v in step.fields]


def hexdump(data: bytes, per_line: int = 16) -> list[str]:
    """Offset, hex bytes and printable ASCII (anything else as ".")."""
    shown = data[:MAX_HEX]
    lines = []
    for offset in range(0, len(shown), per_line):
        chunk = shown[offset : offset + per_line]
        hexes = " ".join(f"{b:02x}" for b in chunk).ljust(per_line * 3 - 1)
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{offset:04x}  {hexes}  {text}")
    if len(data) > MAX_HEX:
        lines.append(f"... {len(data) - MAX_HEX} more bytes")
    return lines


def step_title(step: Step) -> Content:
    where = {"out": "sent by CloudFront (cftui)", "in": "sent by the origin",
             "end": "end of the exchange"}[step.direction]
    return Content.assemble((plain(step.name), "$error bold" if step.bad else "bold"),
                            (f"  {where}, {size(step.size)}", "$text-muted"))
