"""`--vary PATH=SPEC`: what a check may change in the scenario, parsed into values that
Hypothesis draws (docs/check.md has the grammar).

    cluster.zones=1..4               integers from 1 to 4, both included; 1 is the simplest
    registry.logLevel=Normal,Debug   choices read as YAML scalars; the first is the simplest
    duration=30m                     a single choice: the value is fixed for the whole check
    faults.zone_outage=any           a fault of that kind anywhere in the run (twin/check/faults.py)

Each spec draws a value and a *key*, the value's rank in its spec (the offset from the
low end of a range, the index of a choice): the search keeps the counterexample whose keys
are lowest, which is also where Hypothesis shrinks to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from twin.check.draws import indices, offsets
from twin.check.faults import KINDS
from twin.errors import InputError
from twin.scenarios.spec import FAULT_KINDS
from twin.scenarios.variation import check_path, parse_value

FLAG = "--vary"
RANGE = re.compile(r"^(-?\d+)\s*\.\.\s*(-?\d+)$")


@dataclass(frozen=True)
class IntRange:
    """`a..b`: drawn as an offset from `low`, so that shrinking walks towards `low`."""

    path: str
    low: int
    high: int

    def draw(self, draw) -> tuple[int, int]:
        offset = draw(offsets(self.high - self.low))
        return self.low + offset, offset

    @property
    def corners(self) -> tuple[int, ...]:
        return (self.low, self.high)

    def __str__(self) -> str:
        return f"{self.path}={self.low}..{self.high}"


@dataclass(frozen=True)
class Choices:
    """`v1,v2,...`: drawn with `sampled_from`, which shrinks towards the first."""

    path: str
    values: tuple[Any, ...]

    def draw(self, draw) -> tuple[Any, int]:
        index = draw(indices(len(self.values)))
        return self.values[index], index

    @property
    def corners(self) -> tuple[Any, ...]:
        return self.values

    def __str__(self) -> str:
        return f"{self.path}={','.join(v if isinstance(v, str) else json.dumps(v) for v in self.values)}"


@dataclass(frozen=True)
class AnyFault:
    """`faults.KIND=any`: drawn by `twin.check.faults.draw_faults`, once the cluster is known."""

    path: str
    kind: str

    def __str__(self) -> str:
        return f"{self.path}=any"


Vary = IntRange | Choices | AnyFault


def parse_varies(texts: Iterable[str | Vary]) -> tuple[Vary, ...]:
    """Every `--vary`, parsed; a path given twice is an `InputError`."""
    varies = tuple(parse_vary(t) if isinstance(t, str) else t for t in texts)
    paths = [v.path for v in varies]
    for path in paths:
        if paths.count(path) > 1:
            raise InputError(FLAG, path, "expected each path once, got it twice")
    return varies


def parse_vary(text: str) -> Vary:
    """One `PATH=SPEC`; an `InputError` names the flag, the text and what was expected."""
    path, equals, spec = (part.strip() for part in text.partition("="))
    if not equals or not path or not spec:
        raise InputError(FLAG, text, "expected PATH=SPEC, e.g. cluster.zones=1..4 or faults.zone_outage=any")
    if path == "faults" or path.startswith("faults."):
        return _fault(path, spec, text)
    check_path(path, FLAG)
    if spec == "any":
        raise InputError(FLAG, text, "expected a..b or v1,v2,...: `any` is for fault kinds (faults.zone_outage=any)")
    if ".." in spec:
        return _range(path, spec, text)
    return Choices(path, _choices(spec, text))


def _range(path: str, spec: str, text: str) -> IntRange:
    match = RANGE.match(spec)
    if match is None:
        raise InputError(FLAG, text, f"expected a range of integers a..b, got {spec!r}")
    low, high = int(match[1]), int(match[2])
    if low > high:
        raise InputError(FLAG, text, f"expected a..b with a <= b, got {spec!r}")
    return IntRange(path, low, high)


def _choices(spec: str, text: str) -> tuple[Any, ...]:
    items = [item.strip() for item in spec.split(",")]
    if any(not item for item in items):
        raise InputError(FLAG, text, f"expected values separated by commas, got an empty one in {spec!r}")
    values = tuple(parse_value(item) for item in items)
    if len(set(map(repr, values))) < len(values):
        raise InputError(FLAG, text, f"expected distinct values, got {spec!r}")
    return values


def _fault(path: str, spec: str, text: str) -> AnyFault:
    parts = path.split(".")
    supported = ", ".join(KINDS)
    if len(parts) != 2:
        raise InputError(FLAG, text, f"expected faults.KIND=any with KIND one of {supported}")
    kind = parts[1]
    if kind not in KINDS:
        known = "a fault kind `any` does not draw" if kind in FAULT_KINDS else "an unknown fault kind"
        raise InputError(FLAG, text, f"expected one of {supported}, got {kind!r} ({known})")
    if spec != "any":
        raise InputError(FLAG, text, f"expected any for a fault kind (faults.{kind}=any), got {spec!r}")
    return AnyFault(path, kind)
