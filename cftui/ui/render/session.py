"""Headings of the detail screen: which attempt, what happened, the s_client command."""

from __future__ import annotations

import itertools

from textual.content import Content

from cftui.engine.model import ProtocolAttempt
from cftui.engine.profile import suite_name
from cftui.engine.results import CertificateReport
from cftui.engine.tls.scan import attempt_error
from cftui.transcript.tables import VerifyStatus
from cftui.ui.format import plain, safe
from cftui.ui.glyphs import Glyphs
from cftui.ui.render.ladder import PURPOSES, suite_refused


def attempt_outcome(attempt: ProtocolAttempt) -> tuple[bool | None, str]:
    """(accepted, one line): the suite chosen, or why the handshake failed; None when the
    answer is neither good nor bad (one suite offered and turned down)."""
    flight = attempt.flight
    if attempt.accepted and attempt.server_hello is not None:
        suite = suite_name(attempt.server_hello.cipher_suite)
        if flight is not None and flight.certificate_request is not None:
            # as the grid says: CloudFront has no client certificate to give
            return False, f"client cert required ({suite} chosen)"
        return True, f"accepted {suite}"
    if suite_refused(attempt):
        names = ", ".join(suite_name(c) for c in attempt.offered)
        return None, f"not accepted: {names}"
    return False, attempt_error(attempt) or attempt.outcome.value


def attempt_title(attempt: ProtocolAttempt, index: int, total: int, glyphs: Glyphs) -> Content:
    ok, text = attempt_outcome(attempt)
    mark = ((glyphs.ok, "$success bold") if ok else (glyphs.info, "") if ok is None
            else (glyphs.bad, "$error bold reverse"))
    parts: list[Content | tuple[str, str]] = [
        (f"{attempt.protocol.value} ", "bold"),
        safe(f"{attempt.address}:{attempt.port}"),
        (f"  {mark[0]} ", mark[1]), safe(text, mark[1]),
        (f"\ntry {index + 1}/{total}: {PURPOSES[attempt.purpose]}", "$text-muted"),
    ]
    return Content.assemble(*parts)


def command_line(command: str, width: int = 0) -> Content:
    """The whole command, wrapped at spaces and `:` with shell line continuations, so it
    can be selected and pasted as it stands; width 0: one line."""
    lines = wrap_command(plain(command), width - 2) if width > 10 else [plain(command)]
    # a line split between words is indented; one split inside a word (after a `:`) is
    # not: the shell would keep the indent as a space and cut the word in two
    text = lines[0]
    for before, line in itertools.pairwise(lines):
        text += ("\n  " if before.endswith(" \\") else "\n") + line
    return Content.assemble(("$ ", "$text-muted"), Content(text))


def wrap_command(command: str, width: int) -> list[str]:
    """Lines of at most `width` cells, each but the last ending in ` \\`; a long unquoted
    word is split after a `:` (a backslash-newline inside a word is removed by the shell)."""
    room = max(8, width - 2)
    pieces: list[tuple[str, bool]] = []  # (text, space before)
    for word in command.split(" "):
        parts = _split_word(word, room) if len(word) > room and "'" not in word else [word]
        pieces += [(part, i == 0) for i, part in enumerate(parts)]
    lines: list[str] = []
    line = ""
    for text, spaced in pieces:
        joined = (line + " " + text if spaced else line + text) if line else text
        if line and len(joined) > room:
            lines.append(line + (" \\" if spaced else "\\"))
            line = text
        else:
            line = joined
    lines.append(line)
    return lines


def _split_word(word: str, room: int) -> list[str]:
    parts, current = [], ""
    for chunk in word.split(":"):
        piece = chunk if not current else ":" + chunk
        if current and len(current) + len(piece) > room:
            parts.append(current + ":")
            current = chunk
        else:
            current += piece
    return [*parts, current]


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
