"""The Markdown export (the UI's `e`): words, not Python values; each address named."""

from __future__ import annotations

from dataclasses import replace

from cftui.engine.report import to_markdown

from .fakes import failing_report


def test_markdown_says_yes_and_no_not_true_and_false() -> None:
    text = to_markdown(failing_report())
    assert "True" not in text and "False" not in text
    assert "| TLSv1.2 | yes | yes |" in text and "| TLSv1.1 | no | no |" in text


def test_markdown_names_the_address_of_each_chain() -> None:
    report = failing_report()
    first = report.per_address[0]
    second = replace(first, address="192.0.2.11")
    text = to_markdown(replace(report, per_address=(first, second),
                               addresses=("192.0.2.10", "192.0.2.11")))
    assert "## Certificate chain of 192.0.2.10 (as sent)" in text
    assert "## Certificate chain of 192.0.2.11 (as sent)" in text
    assert "## Protocols of 192.0.2.11" in text
