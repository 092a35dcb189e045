"""Guards around `tomllib` and `json` for untrusted documents.

Both parsers recurse once per nesting level (depth ~100k gives a RecursionError
thousands of frames deep), `tomllib` takes time quadratic in the parts of one
dotted key (20,000 parts: ~5 s), and `json` takes NaN, Infinity and 5,000-digit
integers.

TOML: a linear pass outside strings and comments runs first and refuses nesting
deeper than 32 and keys of more than 16 dotted parts, with the line and column.
Measured on the largest config allowed (256 KB, `files.CONFIG_LIMIT`), the pass
plus `tomllib` take at most ~0.6 s (dense headers, inline tables, comments).

JSON: `load_json` parses with hooks that refuse NaN, Infinity, overflowing floats
and long integers, and turns the C parser's RecursionError (cheap: it stops at the
recursion limit) into an error; only then does `check_json` scan the text to name
the line and column. The parse is linear in the size (64 MB cap).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from cftui.sources.reader import SourceError

MAX_DEPTH = 32
MAX_KEY_PARTS = 16
MAX_NUMBER = 40
_LONG_NUMBER = re.compile(rf"[0-9_]{{{MAX_NUMBER + 1},}}")
_TOML_TOKEN = re.compile(r"""'''|\"\"\"|["'#\[\]{}\n.]""")
_JSON_TOKEN = re.compile(r'["\[\]{}]')
_JSON_BAD = re.compile(rf"NaN|Infinity|[0-9]{{{MAX_NUMBER + 1},}}")


def _place(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _basic_end(text: str, start: int, quote: str) -> int:
    """The offset after the closing quote of a string with backslash escapes; -1 if none."""
    at = start
    while True:
        at = text.find(quote, at)
        if at < 0:
            return -1
        slashes = 0
        while text[at - 1 - slashes] == "\\":
            slashes += 1
        if slashes % 2 == 0:
            return at + len(quote)
        at += 1


def check_toml(text: str, file: str) -> None:
    depth = 0
    key_dots = 0
    at = 0
    while True:
        match = _TOML_TOKEN.search(text, at)
        if match is None:
            return
        token, start = match.group(), match.start()
        long_number = _LONG_NUMBER.search(text, at, start)
        if long_number is not None:
            raise SourceError(f"invalid TOML: a number of more than {MAX_NUMBER} digits",
                              file=file, place=_place(text, long_number.start()))
        at = match.end()
        if token in ('"', '"""'):
            end = _basic_end(text, at, token)
        elif token in ("'", "'''"):
            end = text.find(token, at)
            end = end + len(token) if end >= 0 else -1
        elif token == "#":
            end = text.find("\n", at)
            end = end if end >= 0 else len(text)
        else:
            end = at
            if token in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise SourceError(f"invalid TOML: nested deeper than {MAX_DEPTH} levels",
                                      file=file, place=_place(text, start))
            elif token in "]}":
                depth = max(0, depth - 1)
            elif token == "\n":
                key_dots = 0
            elif not (text[start - 1 : start].isdigit() and text[at : at + 1].isdigit()):
                key_dots += 1
                if key_dots >= MAX_KEY_PARTS:
                    raise SourceError(f"invalid TOML: a key of more than {MAX_KEY_PARTS} "
                                      "dotted parts", file=file, place=_place(text, start))
        if end < 0:
            return  # an unterminated string: tomllib says so, quickly
        at = end


def check_json(text: str, file: str) -> None:
    depth = 0
    at = 0
    while True:
        match = _JSON_TOKEN.search(text, at)
        gap = text[at : match.start() if match else len(text)]
        bad = _JSON_BAD.search(gap)
        if bad is not None:
            what = (f"a number of more than {MAX_NUMBER} digits" if bad.group()[0].isdigit()
                    else f"{bad.group()} (JSON has no such number)")
            raise SourceError(f"not valid JSON: {what}", file=file,
                              place=_place(text, at + bad.start()))
        if match is None:
            return
        token, start = match.group(), match.start()
        at = match.end()
        if token == '"':
            end = _basic_end(text, at, '"')
            if end < 0:
                return  # unterminated: json says so, with its place
            at = end
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise SourceError(f"not valid JSON: nested deeper than {MAX_DEPTH} levels",
                                  file=file, place=_place(text, start))
        else:
            depth = max(0, depth - 1)


class _Refused(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _Refused(f"{name} (JSON has no such number)")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER:
        raise _Refused(f"a number of more than {MAX_NUMBER} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"{text[:20]} is too large for a number")
    return value


def load_json(text: str, file: str) -> Any:
    """`json.loads` with the refusals above; SourceError naming the place."""
    try:
        return json.loads(text, parse_constant=_constant, parse_int=_integer,
                          parse_float=_float)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON: {exc.msg}", file=file,
                          place=f"line {exc.lineno}, column {exc.colno}") from None
    except (_Refused, RecursionError, ValueError) as exc:
        problem = (f"nested deeper than {MAX_DEPTH} levels" if isinstance(exc, RecursionError)
                   else str(exc))
    check_json(text, file)  # finds the place of what the parser refused
    raise SourceError(f"not valid JSON: {problem}", file=file)


def load_json_documents(text: str, file: str) -> list[Any]:
    """One or more JSON documents one after the other (`aws … > f; aws … >> f`), each
    loaded with `load_json`'s refusals. One document is the common case: it is parsed
    once, exactly as `load_json` does."""
    try:
        return [load_json(text, file)]
    except SourceError as exc:
        if "Extra data" not in str(exc):
            raise
    decoder = json.JSONDecoder(parse_constant=_constant, parse_int=_integer,
                               parse_float=_float)
    documents: list[Any] = []
    position, end = 0, len(text)
    while position < end:
        while position < end and text[position].isspace():
            position += 1
        if position >= end:
            break
        try:
            document, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError, ValueError):
            # the rest again, through load_json: it names the problem and its place
            documents.append(load_json(text[position:], file))
            break
        documents.append(document)
    return documents
