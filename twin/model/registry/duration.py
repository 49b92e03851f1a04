"""Go `time.Duration` text, as metav1.Duration fields (maxWaitInQueue) are written and as
the operator renders them into env vars (`Duration.String()`).

`parse_go_duration` is Go's `time.ParseDuration` (golang/go `src/time/format.go`, at
08d2403576737c5735d0c1d356490e03a774dff6) step by step: the same grammar
`[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+` (or a bare "0"), the same uint64 accumulation with
its overflow checks, and the same float64 arithmetic for fractions, so a value Go refuses
("9999999999h", "9223372036854775808ns": more than int64 nanoseconds, about 292 years) is
refused here and every value Go accepts gives the same nanoseconds (Go's own table,
`src/time/time_test.go` `parseDurationTests`, is in tests/model/test_go_duration.py).
"""

from __future__ import annotations

import re
from typing import Any

from twin.model.quoting import shown

_UNITS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
          "h": 3600 * 10**9}
_DIGITS = frozenset("0123456789")
_OVERFLOW = 1 << 63  # Go accumulates |d| in a uint64 and allows at most 1<<63 (for -1<<63)

EXPECTED = "expected a Go duration such as 500ms, 1s or 1m30s"
RANGE = "-2562047h47m16.854775808s to 2562047h47m16.854775807s"


class DurationOverflow(ValueError):
    """Raised for a well-formed Go duration beyond int64 nanoseconds (Go: "time: invalid
    duration")."""


def parse_go_duration(text: Any) -> int:
    """Nanoseconds of a Go duration string (`time.ParseDuration`, the metav1.Duration
    format): "1m30s" -> 90e9, "500ms" -> 5e8, "0" -> 0. ValueError for text Go refuses,
    `DurationOverflow` (a ValueError) for one outside int64 nanoseconds."""
    if not isinstance(text, str):
        raise ValueError(f"{EXPECTED}, got {shown(text)}")
    s, neg = text, False
    if s[:1] in ("-", "+"):
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"{EXPECTED}, got {shown(text)}")
    total, at = 0, 0
    while at < len(s):
        if not (s[at] == "." or s[at] in _DIGITS):
            raise ValueError(f"{EXPECTED}, got {shown(text)}")
        digits = _RUN.match(s, at).group()
        at += len(digits)
        v = _leading_int(digits, text)
        f, scale, fraction = 0, 1.0, ""
        if s[at:at + 1] == ".":
            fraction = _RUN.match(s, at + 1).group()
            at += 1 + len(fraction)
            f, scale = _leading_fraction(fraction)
        if not digits and not fraction:  # no digits, e.g. ".s"
            raise ValueError(f"{EXPECTED}, got {shown(text)}")
        name = _UNIT.match(s, at).group()
        at += len(name)
        if not name:
            raise ValueError(f"{EXPECTED}, got {shown(text)}")  # Go: "missing unit in duration"
        unit = _UNITS.get(name)
        if unit is None:
            raise ValueError(f"{EXPECTED}, got {shown(text)}")  # Go: "unknown unit"
        if v > _OVERFLOW // unit:
            raise _overflow(text)
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))  # float64, as Go: nanosecond-exact for fractions of hours
            if v > _OVERFLOW:
                raise _overflow(text)
        total += v
        if total > _OVERFLOW:
            raise _overflow(text)
    if neg:
        return -total
    if total > _OVERFLOW - 1:
        raise _overflow(text)
    return total


_RUN = re.compile(r"[0-9]*")
_UNIT = re.compile(r"[^0-9.]*")


def _leading_int(digits: str, text: str) -> int:
    """Go's leadingInt over a run of digits: a uint64 of at most 1<<63, else overflow
    (leading zeros skipped at once: Go's loop only keeps multiplying 0)."""
    significant = digits.lstrip("0")
    if len(significant) > 19:
        raise _overflow(text)
    x = int(significant or "0")
    if x > _OVERFLOW:
        raise _overflow(text)
    return x


def _leading_fraction(digits: str) -> tuple[int, float]:
    """Go's leadingFraction: the digits after the point as x / scale, accumulating until x
    would pass uint64 precision; the rest are ignored (no error). `scale` is multiplied by
    10 once per digit kept, in float64, as Go does (+Inf after 308 leading zeros)."""
    zeros = len(digits) - len(digits.lstrip("0"))
    x, scale = 0, 1.0
    for _ in range(min(zeros, 400)):  # x stays 0; scale reaches +Inf long before 400
        scale *= 10
    for c in digits[zeros:]:
        if x > (_OVERFLOW - 1) // 10:
            break
        y = x * 10 + ord(c) - 48
        if y > _OVERFLOW:
            break
        x, scale = y, scale * 10
    return x, scale


def _overflow(text: str) -> DurationOverflow:
    return DurationOverflow(f"expected a Go duration within {RANGE} (int64 nanoseconds, as Go's time.Duration "
                            f"holds it), got {shown(text)}: it overflows")


def format_go_duration(ns: int) -> str:
    """Go `time.Duration.String()`: 0 -> "0s", 5e8 -> "500ms", 90e9 -> "1m30s",
    3600e9 -> "1h0m0s", 1.5e6 -> "1.5ms"."""
    sign, u = ("-" if ns < 0 else ""), abs(ns)
    if u == 0:
        return "0s"
    if u < 10**9:
        prec, unit = (0, "ns") if u < 10**3 else (3, "\u00b5s") if u < 10**6 else (6, "ms")
        return sign + _fraction(u, prec) + unit
    minutes, rest = divmod(u, 60 * 10**9)
    hours, minutes = divmod(minutes, 60)
    text = _fraction(rest, 9) + "s"
    if hours or minutes:
        text = f"{minutes}m{text}"
    return sign + (f"{hours}h{text}" if hours else text)


def _fraction(value: int, prec: int) -> str:  # value / 10**prec, Go fmtFrac + fmtInt
    whole, frac = divmod(value, 10**prec)
    digits = f"{frac:0{prec}d}".rstrip("0") if prec else ""
    return f"{whole}.{digits}" if digits else str(whole)
