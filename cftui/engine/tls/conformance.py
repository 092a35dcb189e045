"""Judge an origin's first flight as a real client would, against the hello it answered.

A client aborts when the ServerHello picks a version, suite or compression it did not
offer or carries an extension it did not send (RFC 5246 §7.4.1.4, RFC 8446 §4.1.3),
when a suite that needs a certificate comes without one, when an ephemeral suite comes
without a ServerKeyExchange (or plain RSA with one), when that ServerKeyExchange uses
a curve or a signature scheme that was not offered, or when the messages come out of
order. An ALPN answer must name one protocol the hello offered, and never comes in a
TLS 1.3 ServerHello (RFC 7301, RFC 8446 §4.2). Pure: one attempt in, at most one
violation out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cftui.engine import profile
from cftui.engine.profile import Protocol
from cftui.engine.tls.registry import (
    ContentType,
    ExtensionType,
    HandshakeType,
    extension_name,
    group_name,
    handshake_name,
    signature_scheme_name,
)

if TYPE_CHECKING:
    from cftui.engine.model import ProtocolAttempt, ServerFlight, ServerHello
    from cftui.engine.tls.hello import HelloSpec

#: The order of a TLS 1.2-and-older first flight; each message at most once.
_ORDER = (HandshakeType.SERVER_HELLO, HandshakeType.CERTIFICATE,
          HandshakeType.SERVER_KEY_EXCHANGE, HandshakeType.CERTIFICATE_REQUEST,
          HandshakeType.SERVER_HELLO_DONE)


@dataclass(frozen=True)
class Violation:
    """What the origin did that a real client rejects, and which fix of
    tls-handshake-failed (or tls-offer-ignored) speaks to it."""

    message: str
    fix: str  # "violation" (version, suite, compression), "extension", "certificate",
    #           "key_exchange", "order"

    @property
    def about_offer(self) -> bool:
        """The origin ignored which suites were offered (the enumeration's narrower offer)."""
        return self.fix == "violation"


def judge(attempt: ProtocolAttempt) -> Violation | None:
    """The first thing in this attempt's answer that a real client rejects, or None."""
    hello = attempt.server_hello
    if hello is None:
        return None
    spec = attempt.hello_spec
    found = _hello(attempt.protocol, spec, hello)
    if found is not None or attempt.flight is None:
        return found
    if hello.selected_version != attempt.protocol.wire or attempt.protocol is Protocol.TLSv1_3:
        return None
    return _flight(spec, hello, attempt.flight)


def _hello(protocol: Protocol, spec: HelloSpec, hello: ServerHello) -> Violation | None:
    if hello.selected_version != protocol.wire:
        if hello.selected_version > protocol.wire:
            return Violation(f"the origin chose {profile.version_name(hello.selected_version)}, "
                             f"newer than the {protocol.value} that was offered", "violation")
        return None  # a lower version is a refusal of this one, not a violation
    if hello.cipher_suite not in spec.suites:
        return Violation(f"the origin chose suite {profile.suite_name(hello.cipher_suite)}, "
                         "which was not offered", "violation")
    if hello.compression != 0:
        return Violation(f"the origin chose compression method {hello.compression}, "
                         "which was not offered", "violation")
    counts = Counter(e.type for e in hello.extensions)
    twice = next((t for t, n in counts.items() if n > 1), None)
    if twice is not None:
        return Violation(f"the origin's ServerHello carries {extension_name(twice)} "
                         f"{counts[twice]} times", "extension")
    allowed = spec.sent_extensions
    if hello.is_hello_retry_request:
        allowed = allowed | {ExtensionType.COOKIE}
    extra = [t for t in counts if t not in allowed]
    if extra:
        listed = ", ".join(f"{extension_name(t)} ({t})" for t in extra)
        return Violation(f"the origin's ServerHello carries {listed}, which the client "
                         "did not offer", "extension")
    if ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION in counts:
        return _alpn(protocol, spec, hello)
    return None


def _alpn(protocol: Protocol, spec: HelloSpec, hello: ServerHello) -> Violation | None:
    """An ALPN answer to an ALPN offer: one well-formed name among those offered, and
    before TLS 1.3 only (RFC 7301 §3.1; OpenSSL aborts with "bad extension")."""
    name = extension_name(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION)
    if protocol is Protocol.TLSv1_3:
        return Violation(f"the origin's TLS 1.3 ServerHello carries {name}, which belongs "
                         "in EncryptedExtensions", "extension")
    chosen = hello.selected_alpn
    if chosen is None:
        return Violation(f"the origin's {name} answer is not one protocol name "
                         "(malformed)", "extension")
    if chosen not in spec.sent_alpn:
        offered = ",".join(n.decode("ascii", "replace") for n in spec.sent_alpn)
        shown = chosen.decode("latin-1").encode("unicode_escape").decode("ascii")
        return Violation(f"the origin selected ALPN protocol \"{shown}\", which was not "
                         f"offered ({offered})", "extension")
    return None


def _flight(spec: HelloSpec, hello: ServerHello, flight: ServerFlight) -> Violation | None:
    """The rest of a TLS 1.2-and-older first flight; only a whole one (ServerHelloDone
    seen) is judged: a cut one is a broken flight, reported as such."""
    types = [m.handshake_type for m in flight.messages
             if m.content_type == ContentType.HANDSHAKE
             and m.handshake_type != HandshakeType.HELLO_REQUEST]
    if not flight.hello_done:
        return None
    ranks = []
    for kind in types:
        if kind not in _ORDER:
            return Violation(f"the origin sends a {handshake_name(kind or 0)} message in its "
                             "first flight, which the client did not ask for", "order")
        ranks.append(_ORDER.index(kind))
    if ranks != sorted(set(ranks)):
        sent = ", ".join(handshake_name(t or 0) for t in types)
        return Violation(f"the origin sends its first flight out of order or twice ({sent})",
                         "order")
    suite = profile.suite_by_code(hello.cipher_suite)
    if suite is None:
        return None
    name = suite.openssl_name
    sent_certificate = HandshakeType.CERTIFICATE in types
    if suite.needs_certificate and not sent_certificate:
        return Violation(f"the origin picks {name}, which needs a certificate, and sends no "
                         "Certificate message (ServerHello, then ServerHelloDone)",
                         "certificate")
    if suite.needs_certificate and not flight.certificates:
        return Violation(f"the origin picks {name} and sends an empty Certificate message",
                         "certificate")
    if sent_certificate and not suite.needs_certificate:
        return Violation(f"the origin picks {name}, which has no server certificate, and "
                         "sends a Certificate message anyway", "certificate")
    return _key_exchange(spec, name, suite, HandshakeType.SERVER_KEY_EXCHANGE in types, flight)


def _key_exchange(spec: HelloSpec, name: str, suite: profile.CipherSuite, sent: bool,
                  flight: ServerFlight) -> Violation | None:
    if suite.needs_server_key_exchange and not sent:
        return Violation(f"the origin picks {name}, an ephemeral key exchange, and sends no "
                         "ServerKeyExchange", "key_exchange")
    if suite.forbids_server_key_exchange and sent:
        return Violation(f"the origin picks {name}, an RSA key transport suite, and sends a "
                         "ServerKeyExchange it must not send", "key_exchange")
    ske = flight.key_exchange
    if ske is None:
        return None
    groups = spec.sent_groups
    if ske.named_group is not None and groups and ske.named_group not in groups:
        offered = ", ".join(group_name(g) for g in groups)
        return Violation(f"the origin's ServerKeyExchange uses the curve "
                         f"{group_name(ske.named_group)}, which was not offered ({offered})",
                         "key_exchange")
    schemes = spec.sent_signature_schemes
    if ske.signature_scheme is not None and schemes and ske.signature_scheme not in schemes:
        return Violation(f"the origin signs its ServerKeyExchange with "
                         f"{signature_scheme_name(ske.signature_scheme)}, which was not "
                         "offered", "key_exchange")
    return None
