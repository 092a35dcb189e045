"""Headings of the detail screen: which attempt, what happened, the s_client command."""

from __future__ import annotations

from textual.content import Content

from cftui.engine.model import ProtocolAttempt
from cftui.engine.profile import suite_name
from cftui.engine.results import CertificateReport
from cftui.engine.tls.scan import attempt_error
from cftui.transcript.tables import VerifyStatus
from cftui.ui.format import safe
from cftui.ui.glyphs import Glyphs
from cftui.ui.render.ladder import PURPOSES


def attempt_outcome(attempt: ProtocolAttempt) -> tuple[bool, str]:
    """(accepted, one line): the suite chosen, or why the handshake failed."""
    if attempt.accepted and attempt.server_hello is not None:
        return True, f"accepted {suite_name(attempt.server_hello.cipher_suite)}"
    return False, attempt_error(attempt) or attempt.outcome.value


def attempt_title(attempt: ProtocolAttempt, index: int, total: int, glyphs: Glyphs) -> Content:
    ok, text = attempt_outcome(attempt)
    mark = (glyphs.ok, "$success bold") if ok else (glyphs.bad, "$error bold")
    parts: list[Content | tuple[str, str]] = [
        (f"{attempt.protocol.value} ", "bold"),
        safe(f"{attempt.address}:{attempt.port}"),
        (f"  {mark[0]} ", mark[1]), safe(text, mark[1]),
        (f"\ntry {index + 1}/{total}: {PURPOSES[attempt.purpose]}", "$text-muted"),
    ]
    return Content.assemble(*parts)


def command_line(command: str) -> Content:
    return Content.assemble(("$ ", "$text-muted"), safe(command))


def verify_status(attempt: ProtocolAttempt,
                  cert: CertificateReport | None) -> VerifyStatus | None:
    """What `s_client -verify_hostname` would report, from cftui's own chain judgement.

    Only when this attempt received the chain that was judged; None otherwise.
    """
    flight = attempt.flight
    if cert is None or flight is None or not flight.certificates or not cert.chain:
        return None
    if cert.chain[0].der and flight.certificates[0] != cert.chain[0].der:
        return None
    if cert.expired:
        return VerifyStatus.of(10)
    if cert.not_yet_valid:
        return VerifyStatus.of(9)
    if not cert.chain_complete:
        return VerifyStatus.of(20)
    if not cert.trusted:
        return VerifyStatus.of(18 if cert.self_signed else 19)
    if not cert.name_match:
        return VerifyStatus.of(62)
    return VerifyStatus.of(0, peername=cert.matched_name or cert.expected_name)
