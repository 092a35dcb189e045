"""Pure: stage results -> causes (code, message, fix) and the status CloudFront would answer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cftui.engine import profile
from cftui.engine.model import Outcome, ProtocolAttempt, ProtocolResult, Purpose, Target
from cftui.engine.profile import Protocol
from cftui.engine.results import AddressReport, Cause, Stage, Verdict

#: Codes whose failure CloudFront answers with 504 rather than 502.
GATEWAY_TIMEOUT_CODES = frozenset({"tcp-timeout", "origin-read-timeout"})
KEY_FIX = ("reissue the certificate with an RSA 2048/3072/4096-bit or ECDSA P-256/P-384 key")


def _err(code: str, stage: Stage, message: str, fix: str) -> Cause:
    return Cause(code, "error", stage, message, fix)


def _warn(code: str, stage: Stage, message: str, fix: str) -> Cause:
    return Cause(code, "warning", stage, message, fix)


def _names(protocols: Iterable[Protocol]) -> str:
    return ", ".join(p.value for p in protocols) or "none"


# --- TCP -----------------------------------------------------------------------


def tcp_causes(target: Target, report: AddressReport) -> list[Cause]:
    tcp = report.tcp
    if tcp is None or tcp.connected:
        return []
    where = f"{report.address} port {target.port}"
    if tcp.outcome == "no-route-here":
        return [_warn("address-untested", Stage.TCP,
                      f"this machine has no route to {report.address} ({tcp.error}), so "
                      "cftui could not test it; CloudFront may still reach it",
                      "run cftui from a machine with a route to that address family (often "
                      "IPv6), or check that the origin's IpAddressType matches the addresses "
                      "it publishes")]
    if tcp.outcome == "timeout":
        wait = target.connection_attempts * target.connect_timeout
        return [_err("tcp-timeout", Stage.TCP,
                     f"no TCP connection to {where} within {target.connect_timeout:g} s: "
                     f"packets are silently dropped (CloudFront tries "
                     f"{target.connection_attempts} times, about {wait:g} s, then answers "
                     "504)",
                     f"allow CloudFront's origin-facing addresses (managed prefix list "
                     f"com.amazonaws.global.cloudfront.origin-facing) to reach TCP port "
                     f"{target.port} in the firewall or security group, and make sure the "
                     "origin is reachable from the internet")]
    return [_err("tcp-refused", Stage.TCP,
                 f"{where} refused the connection ({tcp.error or tcp.outcome})",
                 f"start an HTTPS server on port {target.port}, or set the origin's "
                 "HTTPSPort to the port it listens on")]


# --- TLS -----------------------------------------------------------------------


def _cloudfront_attempts(results: Sequence[ProtocolResult]) -> list[ProtocolAttempt]:
    return [a for r in results if r.enabled for a in r.attempts]


def tls_causes(target: Target, report: AddressReport) -> list[Cause]:
    results = report.protocols
    if not results:
        return []
    enabled = [r for r in results if r.enabled]
    by_protocol = {r.protocol: r for r in results}
    attempts = _cloudfront_attempts(results)
    working = [r for r in enabled if r.cloudfront_works]
    causes: list[Cause] = []

    if any(a.outcome is Outcome.NOT_TLS for a in attempts):
        sample = next(a for a in attempts if a.outcome is Outcome.NOT_TLS)
        first = sample.flight.first_bytes if sample.flight else b""
        what = "plain HTTP" if first[:5] in (b"HTTP/", b"<html", b"<!DOC") or \
            first[:4] == b"HTTP" else "something that is not TLS"
        return [_err("not-tls", Stage.TLS,
                     f"{what} answers on port {target.port}, not TLS",
                     f"point HTTPSPort at the port where the origin serves HTTPS, or enable "
                     f"TLS on port {target.port}; if the origin only speaks HTTP, set the "
                     "origin protocol policy to http-only")]

    # CloudFront always sends its whole offer: only an answer to that one blocks. An
    # origin that ignores a narrower enumeration offer is odd, not fatal.
    violations = [a for a in attempts if a.violation and a.purpose is not Purpose.ENUMERATE]
    for a in violations[:1]:
        causes.append(_err("tls-handshake-failed", Stage.TLS,
                           f"{a.violation} ({a.protocol.value}); a real client, CloudFront "
                           "included, aborts the handshake",
                           "fix the origin's TLS stack: it must pick a version and a suite "
                           "from those the client offers"))
    odd = next((a for a in attempts if a.violation and a.purpose is Purpose.ENUMERATE), None)
    if odd is not None and not violations:
        causes.append(_warn("tls-offer-ignored", Stage.TLS,
                            f"offered fewer suites at {odd.protocol.value}, {odd.violation}; "
                            "CloudFront's full offer works, but a client with a narrower "
                            "offer would abort",
                            "fix the origin's TLS stack: it must pick a suite from those the "
                            "client offers"))

    broken = next((r for r in enabled if r.cloudfront_works and r.error), None)
    if broken is not None and not violations:
        causes.append(_err("tls-handshake-failed", Stage.TLS,
                           f"the origin picks {broken.cipher} at {broken.protocol.value}, then "
                           f"its first flight breaks off: {broken.error}",
                           "look at the origin's TLS logs: it starts the handshake but does not "
                           "finish sending its certificate and key exchange (a crashing worker, "
                           "a proxy or a load balancer cutting the connection)"))

    if any(a.flight and a.flight.certificate_request for a in attempts if a.accepted):
        causes.append(_err("tls-client-cert-required", Stage.TLS,
                           "the origin asks for a client certificate; CloudFront sends none",
                           "turn off client-certificate authentication on the origin, or set "
                           "up origin mutual TLS (OriginMtlsConfig) on the CloudFront origin"))

    if working:
        if all(r.protocol is not Protocol.TLSv1_2 for r in working):
            legacy = _names(r.protocol for r in working)
            causes.append(_warn("legacy-protocol", Stage.TLS,
                                f"the origin works only through {legacy}",
                                "enable TLS 1.2 on the origin with an ECDHE-*-AES-GCM suite; "
                                "older versions are weak and may be retired"))
        return causes

    spoken = [r for r in enabled if r.accepted]
    if spoken:
        causes.append(_cipher_or_profile_cause(spoken, report))
        return causes

    # A mismatch needs evidence about versions: some version is spoken, or one is
    # refused as such. Resets, silence or a bare alert on every version are a failed
    # handshake, not a protocol question.
    version_evidence = any(r.accepted for r in results) or any(
        _version_refused(a) for a in attempts)
    if enabled and all(r.accepted is False for r in enabled) and version_evidence:
        causes.append(_protocol_mismatch(target, enabled, by_protocol))
        return causes

    failed = next((r for r in enabled if r.error), None)
    causes.append(_err("tls-handshake-failed", Stage.TLS,
                       f"the TLS handshake fails: {failed.error if failed else 'no answer'}",
                       "check the origin's TLS configuration and its logs for handshake "
                       "errors around the time of the check"))
    return causes


def _version_refused(a: ProtocolAttempt) -> bool:
    """The origin said plainly that it does not speak this version."""
    if a.outcome is Outcome.ALERT and a.flight and a.flight.alert:
        return a.flight.alert.description == 70  # protocol_version
    hello = a.server_hello
    return hello is not None and hello.selected_version < a.protocol.wire


def _cipher_or_profile_cause(spoken: Sequence[ProtocolResult], report: AddressReport) -> Cause:
    first = spoken[0]
    broad = first.broad_cipher
    suite = profile.suite_by_name(broad) if broad else None
    if suite is not None and suite.code in profile.CLOUDFRONT_SUITE_CODES:
        cert = report.certificate
        if cert is not None and cert.key_problem:
            return _err("cert-key-unsupported", Stage.TLS,
                        f"the origin's certificate has a {cert.key_problem}",
                        KEY_FIX)
        return _err("tls-handshake-failed", Stage.TLS,
                    f"the origin accepts {broad} at {first.protocol.value} only with a curve "
                    "or signature scheme CloudFront does not offer",
                    f"allow the curves {profile.CLOUDFRONT_GROUPS_OPENSSL.replace(':', ', ')} "
                    "and RSA PKCS#1 / ECDSA signatures (CloudFront offers no RSA-PSS or EdDSA)")
    names = ", ".join(f"{r.protocol.value} ({r.broad_cipher or 'no suite cftui knows'})"
                      for r in spoken)
    return _err("tls-cipher-mismatch", Stage.TLS,
                f"the origin speaks {names}, but accepts none of CloudFront's cipher suites",
                "enable at least one suite CloudFront offers, preferably "
                "ECDHE-RSA-AES128-GCM-SHA256 or ECDHE-ECDSA-AES128-GCM-SHA256 with TLS 1.2")


def _protocol_mismatch(target: Target, enabled: Sequence[ProtocolResult],
                       by_protocol: dict[Protocol, ProtocolResult]) -> Cause:
    others = [r for r in by_protocol.values() if not r.enabled and r.cloudfront_works]
    tls13 = by_protocol.get(Protocol.TLSv1_3)
    speaks = [r.protocol for r in by_protocol.values() if r.accepted]
    message = (f"the origin accepts none of the enabled protocols "
               f"({_names(r.protocol for r in enabled)}); it speaks {_names(speaks)}")
    if others:
        setting = _names(sorted({*target.protocols, *(r.protocol for r in others)},
                                key=lambda p: p.wire))
        fix = (f"set the origin's OriginSslProtocols to {setting}, or enable "
               f"{_names(r.protocol for r in enabled)} on the origin")
    elif tls13 and tls13.accepted:
        message += " (CloudFront does not use TLS 1.3 toward origins)"
        fix = ("enable TLS 1.2 on the origin alongside TLS 1.3, with an ECDHE-*-AES-GCM suite; "
               "CloudFront cannot use TLS 1.3 to reach origins")
    else:
        fix = "enable TLS 1.2 on the origin with an ECDHE-*-AES-GCM suite"
    return _err("tls-protocol-mismatch", Stage.TLS, message, fix)


# --- certificate ---------------------------------------------------------------


def certificate_causes(report: AddressReport) -> list[Cause]:
    if report.certificate_error is not None:
        return [_err("cert-malformed", Stage.CERTIFICATE,
                     f"the origin's certificate does not parse ({report.certificate_error})",
                     "install a well-formed X.509 certificate (PEM) with its chain on the "
                     "origin; CloudFront aborts the handshake on a certificate it cannot read")]
    cert = report.certificate
    if cert is None:
        return []
    causes: list[Cause] = []
    leaf = cert.chain[0]
    if not cert.name_match:
        names = ", ".join(leaf.san[:5]) or (f"CN {leaf.common_name}" if leaf.common_name
                                            else "no names")
        causes.append(_err("cert-name-mismatch", Stage.CERTIFICATE,
                           f"the certificate does not cover {cert.expected_name} "
                           f"(it names {names})",
                           f"reissue the certificate with {cert.expected_name} as a subject "
                           "alternative name, or set the origin domain (or the forwarded Host) "
                           "to a name the certificate covers"))
    elif cert.cn_only:
        causes.append(_warn("cert-name-cn-only", Stage.CERTIFICATE,
                            f"{cert.expected_name} matches only the certificate's CN; no "
                            "SAN entry covers it",
                            f"reissue the certificate with {cert.expected_name} as a subject "
                            "alternative name; clients are dropping CN matching"))
    if cert.expired:
        causes.append(_err("cert-expired", Stage.CERTIFICATE,
                           f"the certificate expired on {leaf.not_after}",
                           "renew the certificate and install it on the origin"))
    elif cert.not_yet_valid:
        causes.append(_err("cert-not-yet-valid", Stage.CERTIFICATE,
                           f"the certificate is valid only from {leaf.not_before}",
                           "install a certificate that is valid now, or fix the issuing "
                           "system's clock"))
    elif cert.days_left < profile.EXPIRY_WARNING_DAYS:
        causes.append(_warn("cert-expiring-soon", Stage.CERTIFICATE,
                            f"the certificate expires in {cert.days_left} days "
                            f"({leaf.not_after})",
                            "renew the certificate before it expires"))
    if not cert.trusted:
        if not cert.chain_complete:
            where = (f"; download it from {cert.missing_issuer_url}"
                     if cert.missing_issuer_url else "")
            causes.append(_err("cert-chain-incomplete", Stage.CERTIFICATE,
                               f"the origin does not send the intermediate certificate "
                               f"'{cert.missing_issuer}'",
                               f"append the intermediate '{cert.missing_issuer}' after the "
                               f"leaf in the origin's certificate file{where}"))
        else:
            why = ("the certificate is self-signed" if cert.self_signed else
                   "the chain ends at a root that is not on Mozilla's list")
            causes.append(_err("cert-untrusted", Stage.CERTIFICATE,
                               f"{why} ({cert.trust_error or 'no trusted path'})",
                               "use a certificate from a publicly trusted CA (on Mozilla's "
                               "list), such as ACM for load balancers or Let's Encrypt"))
    if not cert.in_order:
        causes.append(_err("cert-chain-order", Stage.CERTIFICATE,
                           "the origin sends its chain out of order",
                           "order the certificate file leaf first, then the certificate that "
                           "issued it, and so on up to (not including) the root"))
    if cert.key_problem:
        causes.append(_err("cert-key-unsupported", Stage.CERTIFICATE,
                           f"the certificate has a {cert.key_problem}",
                           KEY_FIX))
    if cert.extra_certs:
        which = ", ".join(f"#{i}" for i in cert.extra_certs)
        causes.append(_warn("cert-extra-certs", Stage.CERTIFICATE,
                            f"the origin sends certificates off the path or the root ({which})",
                            "send only the leaf and the intermediates that lead to the root"))
    return causes


# --- HTTP ------------------------------------------------------------------------


def http_causes(target: Target, report: AddressReport) -> list[Cause]:
    http = report.http
    if http is None:
        return []
    if http.outcome == "timeout":
        return [_err("origin-read-timeout", Stage.HTTP,
                     f"no response within the origin read timeout of {target.read_timeout:g} s",
                     "find out why the origin is slow (application latency, capacity), then "
                     "raise OriginReadTimeout if the work really takes that long")]
    if http.outcome in ("closed", "not-http", "too-large"):
        return [_err("origin-bad-response", Stage.HTTP,
                     f"the origin's answer is unusable: {http.error}",
                     "make the origin answer GET requests with a valid HTTP/1.1 response "
                     f"(headers under {profile.MAX_RESPONSE_HEADER_BYTES} bytes)")]
    if http.outcome == "tls-failed":
        return [_err("tls-handshake-failed", Stage.HTTP,
                     f"the full handshake with CloudFront's profile fails: {http.error}",
                     "check which curves, signature schemes and suites the origin allows; "
                     "CloudFront offers X25519, P-256, P-384 and RSA PKCS#1 / ECDSA "
                     "signatures")]
    if http.status_code is not None and http.status_code >= 500:
        return [_warn("origin-error-status", Stage.HTTP,
                      f"the origin answers {http.status_line}; CloudFront passes that status "
                      "on to viewers",
                      "look at the origin application's logs: the TLS path works")]
    return []


# --- all of it -------------------------------------------------------------------

_STAGE_ORDER = {s: i for i, s in enumerate(Stage)}


def address_causes(target: Target, report: AddressReport) -> list[Cause]:
    causes = tcp_causes(target, report) + tls_causes(target, report)
    causes += certificate_causes(report)
    codes = {c.code for c in causes}
    causes += [c for c in http_causes(target, report)
               if not (c.code == "tls-handshake-failed" and codes & _TLS_CODES)]
    # one cause per code and address is enough
    seen: set[str] = set()
    unique = []
    for c in causes:
        if c.code not in seen:
            seen.add(c.code)
            unique.append(c)
    return unique


_TLS_CODES = frozenset({"tls-protocol-mismatch", "tls-cipher-mismatch",
                        "tls-client-cert-required", "tls-handshake-failed",
                        "cert-key-unsupported"})


def decide(target: Target, reports: Sequence[AddressReport],
           dns_error: str | None = None) -> Verdict:
    """All causes for all addresses, and the status CloudFront would answer with."""
    if dns_error is not None:
        cause = _err("dns-unresolved", Stage.DNS, dns_error,
                     f"publish A/AAAA records for {target.domain} in public DNS (check the "
                     "delegation: NS and SOA for the zone), or fix the origin domain name")
        return Verdict(True, 502, (cause,))
    per_address = [(r.address, address_causes(target, r)) for r in reports]
    causes: list[Cause] = []
    if len(per_address) > 1:
        common = set.intersection(*({(c.code, c.message) for c in cs}
                                    for _, cs in per_address))
        shared_added: set[tuple[str, str]] = set()
        for address, cs in per_address:
            for c in cs:
                key = (c.code, c.message)
                if key in common:
                    if key not in shared_added:
                        shared_added.add(key)
                        causes.append(c)
                else:
                    message = (c.message if c.message.startswith(f"{address} ")
                               else f"{address}: {c.message}")
                    causes.append(Cause(c.code, c.severity, c.stage, message, c.fix, address))
        # same codes everywhere is the same behaviour, even if the texts name the address
        # an address this machine could not reach says nothing about the origin
        tested = [(a, cs) for a, cs in per_address
                  if not any(c.code == "address-untested" for c in cs)]
        common_codes = set.intersection(*({c.code for c in cs} for _, cs in tested)) \
            if tested else set()
        odd = [address for address, cs in tested
               if any(c.code not in common_codes for c in cs)]
        if odd:
            causes.append(_warn("address-inconsistent", Stage.DNS,
                                f"the addresses behind {target.domain} do not behave the same "
                                f"(differences on {', '.join(odd)}): viewers get intermittent "
                                "errors",
                                "make every backend behind the name serve the same "
                                "certificate and TLS settings, or take the odd ones out of DNS"))
    elif per_address:
        causes = per_address[0][1]
    causes.sort(key=lambda c: (c.severity != "error", _STAGE_ORDER[c.stage]))
    blocking = [c for c in causes if c.blocking]
    status = None
    if blocking:
        status = 504 if blocking[0].code in GATEWAY_TIMEOUT_CODES else 502
    return Verdict(bool(blocking), status, tuple(causes))
