"""Pure: cftui's one-line `# cftui:` explanation of how an attempt ended.

It ends a transcript whenever the attempt did not simply get a ServerHello, and says
in plain words what s_client's output only implies. Origin bytes are kept verbatim
(printable ASCII, others as `.`); display code escapes them.
"""

from __future__ import annotations

from cftui.engine.model import FlightEnd, Outcome, ProtocolAttempt, ServerFlight
from cftui.engine.tls.registry import AlertDescription, ExtensionType, alert_name, group_name


def note(attempt: ProtocolAttempt) -> str:
    """cftui's one-line explanation of how the attempt ended, for the transcript's end."""
    version = attempt.protocol.value
    flight = attempt.flight
    outcome = attempt.outcome
    hello = attempt.server_hello
    if outcome is Outcome.CONNECT_FAILED:
        host = f"[{attempt.address}]" if ":" in attempt.address else attempt.address
        return (f"# cftui: the TCP connection to {host}:{attempt.port} failed "
                f"({attempt.error or 'error'}); no TLS was tried")
    if hello is not None and hello.is_hello_retry_request:
        share = hello.extension(ExtensionType.KEY_SHARE)
        group = (group_name(int.from_bytes(share.data[:2], "big"))
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
                f"{level} {alert_name(alert.description)} alert ({alert.description})")
        if alert.description == AlertDescription.PROTOCOL_VERSION:
            text += ": it does not accept this protocol version"
        elif alert.description == AlertDescription.HANDSHAKE_FAILURE and not flight.messages[:-1]:
            text += ": no cipher suite in common, or the origin refuses this version"
        elif not alert.fatal and alert.description != AlertDescription.CLOSE_NOTIFY:
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


def _printable(data: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in data)
