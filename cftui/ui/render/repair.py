"""The fix-chain screen's text: what was fetched, the chain built, why it failed."""

from __future__ import annotations

from textual.content import Content

from cftui.engine.results import Report
from cftui.engine.x509.repair import CHAIN_CAUSES, Repair, cert_label
from cftui.ui.format import plain, safe

MUTED = "$text-muted"


def chain_causes(report: Report | None) -> bool:
    return report is not None and not report.cancelled and any(
        c.code in CHAIN_CAUSES for c in report.verdict.causes)


def running_lines(address: str, sent: int) -> list[Content]:
    return [Content.assemble(("Building the chain ", "bold"), safe(address),
                             (f": the origin sent {sent} certificate{'s' * (sent != 1)}; "
                              "fetching missing issuers from their AIA caIssuers URL"
                              "...", MUTED))]


def failure_line(repair: Repair) -> Content:
    """One line: why no chain could be built."""
    return Content.assemble(("Cannot build the chain: ", "$error bold"),
                            safe(repair.problem or repair.reason or "no verified chain"))


def result_lines(repair: Repair, address: str) -> list[Content]:
    """Fetched issuers, the chain to install (leaf first, no root), what was left out."""
    lines: list[Content] = []
    if not repair.ok:
        lines.append(failure_line(repair))
    elif not repair.changed:
        lines.append(Content.assemble(
            safe(address), (" already sends the complete chain in order: nothing to fix",
                            "bold")))
    else:
        count = len(repair.chain)
        lines.append(Content.assemble(
            (f"Built a chain of {count} certificate{'s' * (count != 1)}", "bold"),
            (", verified up to ", ""), safe(repair.root or "?"),
            (" (the root is left out: clients have it)", MUTED)))
    if repair.fetched:
        lines.append(Content.styled("Fetched", "bold"))
        lines += [Content.assemble("  ", safe(f.subject), (" from ", MUTED), safe(f.url))
                  for f in repair.fetched]
    if repair.ok:
        lines.append(Content.styled("Chain to install", "bold"))
        for index, cert in enumerate(repair.chain):
            role = "leaf" if index == 0 else "intermediate"
            lines.append(Content.assemble(f"  {index + 1}. ", safe(cert_label(cert)),
                                          (f"  {role}", MUTED)))
    if repair.dropped:
        lines.append(Content.styled("Left out", "bold"))
        lines += [Content.assemble("  ", safe(d)) for d in repair.dropped]
    return lines


def help_lines(install: list[str], recheck: str) -> list[Content]:
    """install_help() and the re-check command, literal."""
    lines = [Content.styled(plain(install[0]), "bold"), *(Content(plain(t)) for t in install[1:])]
    lines += [Content.styled("Then check again", "bold"), Content.assemble("  ", plain(recheck)),
              Content.styled("  (or press r here once it is installed)", MUTED)]
    return lines
