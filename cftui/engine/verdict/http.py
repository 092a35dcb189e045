"""Causes from the HTTP facts: the request CloudFront sends over its own handshake."""

from __future__ import annotations

import re

from cftui.engine import profile
from cftui.engine.causes import CauseCode
from cftui.engine.results import AddressReport, Cause, HttpOutcome
from cftui.engine.target import Target
from cftui.engine.verdict.build import cause

#: OpenSSL's reason for an alert from the peer: "tlsv1 alert unknown ca".
_ALERT = re.compile(r"\balert ([a-z][a-z ]*)")
_UNUSABLE = frozenset({HttpOutcome.CLOSED, HttpOutcome.NOT_HTTP, HttpOutcome.TOO_LARGE})


def http_causes(target: Target, report: AddressReport) -> list[Cause]:
    http = report.http
    if http is None:
        return []
    if http.outcome is HttpOutcome.TIMEOUT:
        return [cause(CauseCode.ORIGIN_READ_TIMEOUT, "no response within the origin read "
                      f"timeout of {target.read_timeout:g} s")]
    if http.outcome is HttpOutcome.COMPLETION_TIMEOUT:
        return [cause(CauseCode.ORIGIN_COMPLETION_TIMEOUT, f"{http.error}: over the "
                      f"ResponseCompletionTimeout of {target.response_completion_timeout:g} s")]
    if http.outcome in _UNUSABLE:
        return [cause(CauseCode.ORIGIN_BAD_RESPONSE, f"the origin's answer is unusable: "
                      f"{http.error}", limit=profile.MAX_RESPONSE_HEADER_BYTES)]
    if http.outcome is HttpOutcome.TLS_FAILED and target.client_cert is not None and \
            (alert := _ALERT.search(http.error or "")):
        return [cause(CauseCode.TLS_CLIENT_CERT_REJECTED, "the origin refuses the client "
                      f"certificate presented for origin mTLS: alert {alert.group(1)} "
                      f"({http.error})")]
    if http.outcome is HttpOutcome.TLS_FAILED:
        return [cause(CauseCode.TLS_HANDSHAKE_FAILED, "the full handshake with CloudFront's "
                      f"profile fails: {http.error}", fix="real_handshake")]
    if http.status_code is not None and http.status_code >= 500:
        return [cause(CauseCode.ORIGIN_ERROR_STATUS, f"the origin answers {http.status_line}; "
                      "CloudFront passes that status on to viewers")]
    return []
