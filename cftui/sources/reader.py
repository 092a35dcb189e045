"""Reading untrusted documents (TOML, AWS JSON) with errors that say where.

Every loader walks its document through `Node`, which carries the file name and
the path to the value (`DistributionConfig.Origins.Items[1].CustomOriginConfig`),
so a bad value becomes one `SourceError` line naming the file, the place and
what is wrong.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from cftui.textsafe import printable_line

T = TypeVar("T")


class SourceError(Exception):
    """Bad input: one human line, "FILE: PLACE: PROBLEM" (place and file when known)."""

    def __init__(self, problem: str, *, file: str | None = None, place: str | None = None):
        self.problem = problem
        self.file = file
        self.place = place
        super().__init__(str(self))

    def __str__(self) -> str:
        return printable_line(": ".join(p for p in (self.file, self.place, self.problem) if p))


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


@dataclass(frozen=True)
class Node:
    """A value in a document, with its file and path for error messages."""

    value: Any
    file: str
    path: str = ""

    # --- navigation ------------------------------------------------------

    def __getitem__(self, key: str) -> Node:
        mapping = self.mapping()
        path = f"{self.path}.{key}" if self.path else key
        return Node(mapping.get(key, MISSING), self.file, path)

    def index(self, position: int) -> Node:
        return Node(self.value[position], self.file, f"{self.path}[{position}]")

    @property
    def present(self) -> bool:
        """Present and not null (the AWS CLI prints absent optional fields as missing)."""
        return self.value is not MISSING and self.value is not None

    def error(self, problem: str) -> SourceError:
        return SourceError(problem, file=self.file, place=self.path or None)

    # --- typed reads ------------------------------------------------------

    def mapping(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self._wrong("an object")
        return self.value

    def items(self) -> Iterator[Node]:
        """The elements of a plain list."""
        if not isinstance(self.value, list):
            raise self._wrong("a list")
        return (self.index(i) for i in range(len(self.value)))

    def aws_list(self) -> Iterator[Node]:
        """Items of an AWS `{Quantity, Items}` wrapper; absent wrapper or Items = empty."""
        if not self.present:
            return iter(())
        items = self["Items"]
        if not items.present:
            return iter(())
        return items.items()

    def string(self, *, default: str | _Missing = MISSING, empty: bool = True) -> str:
        if not self.present:
            if isinstance(default, _Missing):
                raise self.error("missing")
            return default
        if not isinstance(self.value, str):
            raise self._wrong("a string")
        if not empty and not self.value.strip():
            raise self.error("must not be empty")
        return self.value

    def optional_string(self) -> str | None:
        """A string, or None when absent, null or empty ("" is how AWS says "unset")."""
        if not self.present:
            return None
        value = self.string()
        return value or None

    def integer(self, *, default: int | _Missing = MISSING, low: int | None = None,
                high: int | None = None) -> int:
        if not self.present:
            if isinstance(default, _Missing):
                raise self.error("missing")
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self._wrong("a whole number")
        self._check_range(self.value, low, high)
        return self.value

    def number(self, *, default: float | _Missing = MISSING, low: float | None = None,
               high: float | None = None, unit: str = "") -> float:
        if not self.present:
            if isinstance(default, _Missing):
                raise self.error("missing")
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise self._wrong("a number")
        if not math.isfinite(self.value):
            raise self.error(f"{self.value!r} is not a finite number")
        self._check_range(self.value, low, high, unit)
        return self.value

    def checked(self, validator: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`validator(self.value, ...)`, its ValueError turned into this place's error."""
        try:
            return validator(self.value, *args, **kwargs)
        except ValueError as exc:
            raise self.error(str(exc)) from None

    def boolean(self, *, default: bool | _Missing = MISSING) -> bool:
        if not self.present:
            if isinstance(default, _Missing):
                raise self.error("missing")
            return default
        if not isinstance(self.value, bool):
            raise self._wrong("true or false")
        return self.value

    def only_keys(self, allowed: Iterable[str]) -> None:
        """Reject unknown keys (hand-written files: a typo must not pass silently)."""
        allowed = tuple(allowed)
        for key in self.mapping():
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                near = f" (did you mean {hint[0]!r}?)" if hint else ""
                known = ", ".join(allowed)
                raise self[key].error(f"unknown key {key!r}{near}; known keys: {known}")

    # --- helpers -----------------------------------------------------------

    def _wrong(self, expected: str) -> SourceError:
        if self.value is MISSING:
            return self.error(f"missing (expected {expected})")
        return self.error(f"expected {expected}, found {_type_name(self.value)} "
                          f"{_preview(self.value)}")

    def _check_range(self, value: float, low: float | None, high: float | None,
                     unit: str = "") -> None:
        suffix = f" {unit}" if unit else ""
        if (low is not None and value < low) or (high is not None and value > high):
            if low is None:
                bound = f"at most {high:g}"
            elif high is None:
                bound = f"at least {low:g}"
            else:
                bound = f"between {low:g} and {high:g}"
            text = f"{value:g}" if abs(value) < 1e15 else "a very large number"
            raise self.error(f"{text} is out of range: must be {bound}{suffix}")


def _preview(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return "(a very long number)"
    if isinstance(value, (list, dict)):
        return "[...]" if isinstance(value, list) else "{...}"
    text = repr(value)[:200].encode("ascii", "backslashreplace").decode()
    return text if len(text) <= 40 else text[:37] + "..."
