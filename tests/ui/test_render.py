"""Pure render functions: engine objects in, Content out (no App)."""

from __future__ import annotations

from cftui.engine.profile import Protocol
from cftui.engine.results import Stage, Status
from cftui.ui.format import fixed_formatter, safe
from cftui.ui.glyphs import ASCII, UNICODE
from cftui.ui.render.cert import certificate_body
from cftui.ui.render.ladder import focus_step, hexdump, ladder_line, span_for, steps
from cftui.ui.render.stages import stage_header
from cftui.ui.render.tls import grid_line, grid_rows, protocol_order
from cftui.ui.render.verdict import verdict_view
from cftui.ui.state import CheckState, StageView, WatchHistory

from .fakes import TARGET, events_of, failing_report


def test_safe_shows_markup_and_controls_literally() -> None:
    hostile = "[@click=app.quit]x[/] \x1b[2J \x1b]0;x\x07 \u202e [/"
    text = safe(hostile).plain
    assert "[@click=app.quit]x[/]" in text
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text


def test_stage_header_has_glyph_word_and_history() -> None:
    view = StageView(Stage.TLS, Status.FAIL, "no common suite", 12.0,
                     history=(Status.PASS, Status.FAIL))
    text = stage_header(view, UNICODE, fixed_formatter()).plain
    assert text.startswith("TLS")
    assert "✗ FAIL" in text and "n ms" in text and "no common suite" in text
    assert "history ✓✗" in text
    assert "x FAIL" in stage_header(view, ASCII, fixed_formatter()).plain


def test_protocol_order_puts_enabled_first_and_tls13_last() -> None:
    order = protocol_order([Protocol.TLSv1, Protocol.TLSv1_2])
    assert order == [Protocol.TLSv1_2, Protocol.TLSv1, Protocol.TLSv1_1, Protocol.SSLv3,
                     Protocol.TLSv1_3]


def test_state_folds_events_into_grid_rows() -> None:
    report = failing_report()
    state = CheckState(TARGET)
    state.start(0.0)
    for event in events_of(report):
        state.apply(event)
    assert not state.running and state.report is report
    assert state.stages[Stage.TLS].status is Status.FAIL
    rows = grid_rows(TARGET.protocols, state.addresses, state.protocols, state.attempts, False)
    assert rows[0].protocol is Protocol.TLSv1_2
    first = rows[0]
    assert (first.kind, first.outcome) == ("fail", "no common suite")
    assert "ECDHE-RSA-CHACHA20-POLY1305" in first.detail
    line = grid_line(first, UNICODE, fixed_formatter()).plain
    assert line.startswith("TLSv1.2") and "✗ no common suite" in line
    assert rows[-1].protocol is Protocol.TLSv1_3 and rows[-1].kind == "info"
    assert len(state.attempts_for(first.address, Protocol.TLSv1_2)) == 3


def test_grid_rows_while_running() -> None:
    state = CheckState(TARGET)
    state.start(0.0)
    rows = grid_rows(TARGET.protocols, ["192.0.2.10"], {}, {}, True)
    assert {r.kind for r in rows} == {"pending"}


def test_cancel_marks_unfinished_stages() -> None:
    state = CheckState(TARGET)
    state.start(0.0)
    for event in events_of(failing_report())[:3]:
        state.apply(event)
    state.stop_running(cancelled=True)
    assert state.stages[Stage.DNS].status is Status.PASS
    assert state.stages[Stage.HTTP].status is Status.SKIPPED
    assert state.stages[Stage.HTTP].summary == "cancelled"


def test_verdict_view_says_status_and_first_fix() -> None:
    view = verdict_view(failing_report(), running=False, done=5, glyphs=UNICODE)
    text = "\n".join(line.plain for line in view.lines)
    assert view.kind == "fail"
    assert "CloudFront would answer 502 Bad Gateway" in text
    assert "tls-cipher-mismatch" in text and "fix: enable" in text
    running = verdict_view(None, running=True, done=2, glyphs=ASCII)
    assert running.kind == "running" and "2/5" in running.lines[0].plain


def test_watch_history_records_and_detects_flapping() -> None:
    history = WatchHistory(length=3)
    report = failing_report()
    for _ in range(4):
        history.record(report)
    assert history.of(Stage.TLS) == (Status.FAIL,) * 3
    assert list(history.verdicts) == [502, 502, 502]
    assert not history.flapping(Stage.TLS)


def test_certificate_body_shows_chain_leaf_first_and_judgement() -> None:
    lines = [c.plain for c in certificate_body(failing_report(), UNICODE)]
    assert lines[0].startswith(" 0 CN=origin.example.com")
    assert any(line.startswith(" 1 CN=Example Intermediate CA") for line in lines)
    assert any(line.startswith("name   ✓ origin.example.com matches SAN") for line in lines)
    assert any(line.startswith("trust  ✓") for line in lines)


def test_ladder_steps_for_a_failed_handshake() -> None:
    report = failing_report()
    cf = report.per_address[0].protocols[0].attempts[0]
    ladder = steps(cf)
    assert [s.direction for s in ladder] == ["out", "in", "end"]
    assert ladder[0].name == "ClientHello" and ladder[0].size == len(cf.client_hello)
    assert ladder[1].name == "Alert: handshake failure" and ladder[1].bad
    assert focus_step(ladder, accepted=False) == 1
    span = span_for(ladder)
    out = ladder_line(ladder[0], span, UNICODE).plain
    back = ladder_line(ladder[1], span, UNICODE).plain
    assert out.startswith("│── ClientHello") and "▶│" in out and out.endswith("201 B")
    assert back.startswith("│◀─ Alert: handshake failure") and back.endswith("2 B")
    assert len(out) == len(back)
    assert ladder_line(ladder[0], span, ASCII).plain.startswith("|-- ClientHello")


def test_ladder_steps_for_an_accepted_hello() -> None:
    broad = failing_report().per_address[0].protocols[0].attempts[2]
    names = [s.name for s in steps(broad)]
    assert names[:4] == ["ClientHello", "ServerHello", "Certificate", "ServerHelloDone"]
    assert focus_step(steps(broad), accepted=True) == 1


def test_hexdump_is_offset_hex_and_printable_ascii() -> None:
    lines = hexdump(b"ABC\x00\x1b" + bytes(range(0x41, 0x41 + 12)), per_line=8)
    assert lines[0] == "0000  41 42 43 00 1b 41 42 43  ABC..ABC"
    assert lines[1].startswith("0008  44 45 46")
    assert all("\x1b" not in line for line in lines)


def test_a_one_suite_refusal_is_an_answer_not_an_error() -> None:
    from cftui.ui.render.session import attempt_title

    one = failing_report().per_address[0].protocols[0].attempts[1]
    ladder = steps(one)
    assert not any(step.bad for step in ladder)
    assert ladder[-1].name.startswith("suite not accepted")
    title = attempt_title(one, 1, 3, UNICODE).plain
    assert "not accepted: ECDHE-RSA-AES128-GCM-SHA256" in title and "✗" not in title


def test_not_reached_stage_says_so_with_the_origin_answer_as_information() -> None:
    from cftui.ui.render.stages import stage_details

    report = failing_report()
    state = CheckState(report.target)
    state.finish(report)
    view = state.stages[Stage.HTTP]
    header = stage_header(view, UNICODE, fixed_formatter()).plain
    assert "NOT REACHED" in header and "SKIPPED" not in header and "PASS" not in header
    assert header.endswith("NOT REACHED      the origin itself: HTTP/1.1 200 OK")
    body = [c.plain for c in stage_details(Stage.HTTP, view, report)]
    assert body == ["(not what CloudFront gets) 192.0.2.10: HTTP/1.1 200 OK"]


def test_fail_is_reverse_and_bold_so_no_color_cannot_dim_it() -> None:
    from cftui.ui.render.stages import STATUS_STYLES

    assert {"bold", "reverse"} <= set(STATUS_STYLES[Status.FAIL].split())
    assert "reverse" not in STATUS_STYLES[Status.PASS]


def test_wrapped_command_is_whole_and_breaks_only_at_spaces_and_colons() -> None:
    from cftui.ui.render.session import wrap_command

    command = ("openssl s_client -connect 192.0.2.10:443 -tls1_2 -cipher "
               + ":".join(f"ECDHE-RSA-SUITE-{i}" for i in range(12)) + " < /dev/null")
    lines = wrap_command(command, 60)
    assert all(len(line) <= 60 for line in lines) and len(lines) > 2
    assert all(line.endswith((" \\", ":\\")) for line in lines[:-1])
    rebuilt = "".join(line.removesuffix("\\") for line in lines)
    assert rebuilt == command


def test_the_wrapped_command_pastes_into_a_shell_as_the_same_words() -> None:
    """Wrapped at spaces (indented) and inside long words after `:` (not indented: the
    shell keeps an indent as a space and would cut the word)."""
    import shlex
    import subprocess

    from cftui.ui.render.session import command_line

    suites = ":".join(["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"] * 4)
    command = f"openssl s_client -connect 127.0.0.1:8443 -cipher {suites} -groups X25519:P-256"
    shown = command_line(command, 60).plain
    assert max(len(line) for line in shown.splitlines()) <= 60
    assert len(shown.splitlines()) > 3
    words = subprocess.run(["bash", "-c", "printf '%s\\n' " + shown.removeprefix("$ ")],
                           capture_output=True, text=True, check=True, timeout=10).stdout
    assert words.splitlines() == shlex.split(command)


def test_transcript_lines_wrap_at_spaces_with_a_hanging_indent() -> None:
    from cftui.ui.widgets.transcript_view import HANGING, wrap_transcript

    line = ("    Verify return code: 21 (unable to verify the first certificate) and a very "
            "long explanation that goes on past the edge of an eighty column terminal")
    wrapped = wrap_transcript(["CONNECTED(00000003)", line], 40).splitlines()
    assert wrapped[0] == "CONNECTED(00000003)"
    assert all(len(row) <= 40 for row in wrapped)
    assert all(row.startswith("    " + HANGING) for row in wrapped[2:])  # never column 0
    words = " ".join(row.strip() for row in wrapped[1:]).split()
    assert words == line.split()  # no word cut in two
