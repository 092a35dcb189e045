"""Pure: the `openssl s_client` command line that repeats one attempt.

Also what OpenSSL 3 cannot run: the transcript notes when the command would not
behave like cftui's own hello.
"""

from __future__ import annotations

import shlex

from cftui.engine import profile
from cftui.engine.model import ProtocolAttempt, Purpose
from cftui.engine.net.dns import is_address
from cftui.engine.profile import Protocol


def suite_names(codes: tuple[int, ...]) -> list[str]:
    """OpenSSL's names of the cipher suites cftui knows among these codes."""
    return [s.openssl_name for s in map(profile.suite_by_code, codes) if s is not None]


def s_client_command(attempt: ProtocolAttempt, *, servername: str | None,
                     ca_file: str | None = None, verify_name: str | None = None) -> str:
    """The `openssl s_client` command line that repeats this attempt, shell-quoted.

    It is returned even when OpenSSL 3 cannot run it (`-ssl3`, RC4 or 3DES only);
    `transcript.render` says so.
    """
    host = f"[{attempt.address}]" if ":" in attempt.address else attempt.address
    args = ["openssl", "s_client", "-connect", f"{host}:{attempt.port}"]
    if servername:
        args += ["-servername", servername]
    elif not is_address(attempt.address):
        args.append("-noservername")
    args.append(attempt.protocol.s_client_flag)
    suites = suite_names(attempt.offered)
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
    alpn = attempt.hello_spec.sent_alpn
    if alpn:  # OriginHttpVersion http2: the hello offered ALPN (h2,http/1.1)
        args += ["-alpn", ",".join(name.decode("ascii", "replace") for name in alpn)]
    args.append("-showcerts")
    if ca_file:
        args += ["-CAfile", ca_file]
    if verify_name:
        args += ["-verify_hostname", verify_name]
    return " ".join(shlex.quote(a) for a in args) + " < /dev/null"
