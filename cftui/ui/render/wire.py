"""The real handshake's records, both ways, as ladder rungs (`s_client -msg -state` style).

The first flight's ladder stops at the origin's first answer; the HTTP stage's own
handshake goes on: the client's (maybe empty) Certificate, ClientKeyExchange,
ChangeCipherSpec and Finished, and how the origin answered them. After a
ChangeCipherSpec a direction is encrypted, so its records only have a size.
"""

from __future__ import annotations

from collections.abc import Sequence

from cftui.engine.model import ProtocolAttempt, Purpose
from cftui.engine.profile import Protocol
from cftui.engine.results import HttpOutcome, HttpResult, WireRecord
from cftui.engine.tls.registry import ContentType, lookup
from cftui.ui.render.ladder import CLIENT_CERT_MEANING, Step

_VERSIONS = {p.wire: p.openssl_name for p in Protocol}


def shows_wire(attempt: ProtocolAttempt, http: HttpResult | None,
               protocols: Sequence[Protocol]) -> bool:
    """The real handshake goes with CloudFront's own offer of the version it used (or,
    when it failed, the newest version CloudFront would offer) to the same address."""
    if http is None or not http.wire or attempt.address != http.address \
            or attempt.purpose is not Purpose.CLOUDFRONT:
        return False
    if http.protocol is not None:
        return attempt.protocol.openssl_name == http.protocol
    offered = [p for p in protocols if p.origin_ssl_protocol]
    return bool(offered) and attempt.protocol is max(offered, key=lambda p: p.wire)


def wire_steps(http: HttpResult) -> list[Step]:
    """A heading, each record of the real handshake's connection, and how it ended."""
    out = [Step("end", "the real handshake (HTTP stage), every record both ways", b"",
                (("what", "the handshake CloudFront would make, completed by the local "
                  "OpenSSL; records after a ChangeCipherSpec are encrypted"),))]
    empty_certificate = False
    for record in http.wire:
        step = _record_step(record)
        empty_certificate |= record.sender == "client" and "no client certificate" in record.note
        if empty_certificate and record.sender == "origin" \
                and record.content_type == ContentType.ALERT:
            step = Step(step.direction, step.name, b"",
                        (*step.fields, ("meaning", CLIENT_CERT_MEANING)), True, step.length)
        out.append(step)
    if http.wire_dropped:
        out.append(Step("end", f"{http.wire_dropped} more records (not kept)", b"", ()))
    failed = http.outcome in (HttpOutcome.TLS_FAILED, HttpOutcome.ERROR, HttpOutcome.CLOSED)
    fields = [("outcome", http.outcome.value)]
    if http.error:
        fields.append(("error", http.error))
    if http.status_line:
        fields.append(("status", http.status_line))
    out.append(Step("end", f"HTTP stage: {http.outcome.value}", b"", tuple(fields),
                    bad=failed))
    return out


def _record_step(record: WireRecord) -> Step:
    kind = lookup(ContentType, record.content_type)
    kind_text = kind.text if kind else f"content type {record.content_type}"
    name = ", ".join(record.messages) or kind_text
    if record.encrypted:
        name += " (encrypted)"
    if kind is ContentType.ALERT and not record.encrypted:
        name = f"Alert: {record.note}"
    version = _VERSIONS.get(record.version, f"0x{record.version:04X}")
    fields = [("record", f"{kind_text}, {version}, {record.length} bytes")]
    if record.note:
        fields.append(("decoded", record.note))
    bad = kind is ContentType.ALERT and record.sender == "origin" and not record.encrypted
    return Step("out" if record.sender == "client" else "in", name, b"", tuple(fields),
                bad, record.length)
