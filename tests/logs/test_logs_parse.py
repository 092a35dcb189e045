"""Parsing: both formats, gzip and plain by magic bytes, malformed lines counted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cftui.cli import main
from cftui.logs import Attribution, Summariser, distribution_from_name, summarise
from cftui.logs.reader import MAX_LINE
from cftui.logs.summary import MAX_BUCKETS
from tests.logs.logsynth import Request, json_lines, outage, w3c_lines, write

T0 = 1714568400  # 2024-05-01T13:00:00Z
HOST = "d111111abcdef8.cloudfront.net"


def _only(summary):
    assert len(summary.groups) == 1
    return summary.groups[0]


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("fmt", ["w3c", "json"])
def test_both_formats_gzip_or_plain_by_magic_bytes(tmp_path: Path, fmt: str, gz: bool) -> None:
    reqs = outage(T0, 10, HOST, bad_minutes=range(3, 5))
    lines = w3c_lines(reqs) if fmt == "w3c" else json_lines(reqs)
    path = write(tmp_path / "misleading.txt", list(lines), gz=gz)  # extension says nothing
    group = _only(summarise([path]))
    assert group.key == Attribution(None, HOST, None)
    assert group.requests == 200
    assert group.errors == {502: 20, 504: 0}
    assert [c.detailed_result_type for c in group.causes] == ["OriginConnectError"]
    assert [b.errors[502] for b in group.buckets] == [0, 0, 0, 10, 10, 0, 0, 0, 0, 0]


def test_columns_found_by_header_not_position(tmp_path: Path) -> None:
    fields = ("x-edge-detailed-result-type", "sc-status", "time", "date", "cs-uri-stem",
              "x-host-header")
    reqs = [Request(T0, HOST, "/a", 504, "OriginReadError", "Error")]
    group = _only(summarise([write(tmp_path / "f", list(w3c_lines(reqs, fields)), gz=False)]))
    assert group.errors[504] == 1 and group.causes[0].detailed_result_type == "OriginReadError"


def test_malformed_lines_are_counted_never_raised(tmp_path: Path) -> None:
    good = list(w3c_lines(outage(T0, 2, HOST)))
    row = good[2].split("\t")
    bad_date = "\t".join(["2024-02-30", *row[1:]])
    bad_status = "\t".join([*row[:8], "5x2", *row[9:]])
    short = "\t".join(row[:5])
    lines = [*good[:2], short, bad_date, bad_status, "{not json", *good[2:]]
    path = write(tmp_path / "bad.log", lines, gz=False,
                 extra=b"\xff\xfe\x00junk\n" + b"A" * (MAX_LINE + 10) + b"\n")
    summary = summarise([path])
    assert summary.records == 40
    assert summary.skipped == 6
    first = summary.first_skipped
    assert first is not None and (first.file, first.line) == (str(path), 3)
    assert "5 fields" in first.reason


def test_truncated_gzip_is_a_skipped_problem(tmp_path: Path) -> None:
    data = gzip.compress(("\n".join(w3c_lines(outage(T0, 30, HOST))) + "\n").encode())
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    summary = summarise([path])
    assert summary.skipped == 1 and "truncated" in summary.first_skipped.reason
    assert 0 < summary.records < 600


def test_file_name_gives_the_distribution(tmp_path: Path) -> None:
    name = "prefix/E2EXAMPLE1ABC.2024-05-01-13.a1b2c3d4.gz"
    assert distribution_from_name(name) == "E2EXAMPLE1ABC"
    assert distribution_from_name("access.log") is None
    path = write(tmp_path / "E2EXAMPLE1ABC.2024-05-01-13.a1b2c3d4.gz",
                 list(w3c_lines(outage(T0, 1, HOST))), gz=True)
    assert _only(summarise([path])).key == Attribution("E2EXAMPLE1ABC", HOST, None)


def test_multi_file_set_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "set" / "a.gz", list(w3c_lines(outage(T0, 5, HOST, bad_minutes=range(5)))),
          gz=True)
    write(tmp_path / "set" / "b.json", list(json_lines(outage(
        T0 + 300, 5, "www.example.com", status=504, detailed="OriginReadError",
        bad_minutes=range(5)))), gz=False)
    assert main(["logs", str(tmp_path / "set"), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "cftui.logs/1" and len(doc["files"]) == 2
    by_host = {g["host"]: g for g in doc["groups"]}
    assert by_host[HOST]["errors"] == {"502": 50, "504": 0}
    assert by_host["www.example.com"]["errors"] == {"502": 0, "504": 50}
    assert doc["bucket_seconds"] == 60 and len(by_host[HOST]["buckets"]) == 10


def test_buckets_widen_to_stay_bounded() -> None:
    s = Summariser()
    from cftui.logs.parse import LogRecord

    for hour in range(24 * 30):
        s.add(LogRecord(T0 + hour * 3600, 502, HOST, "/", "Error", "OriginDnsError", "X", None))
    summary = s.result()
    assert summary.bucket_seconds == 21600  # 1 h buckets would be 720 > MAX_BUCKETS
    assert len(summary.groups[0].buckets) <= MAX_BUCKETS
    assert sum(b.errors[502] for b in summary.groups[0].buckets) == 720


def test_missing_file_is_one_line_exit_2(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", str(tmp_path / "nope.gz")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err


def test_hostile_host_header_is_made_visible(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    doc = {"date": "2024-05-01", "time": "13:00:00", "sc-status": "502", "cs-uri-stem": "/",
           "x-host-header": "evil\x1b[2J.example", "x-edge-detailed-result-type": "X\x1b]0;t\x07"}
    path = write(tmp_path / "h.json", [json.dumps(doc)], gz=False)
    assert main(["logs", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2j" in out  # hosts are lower-cased
