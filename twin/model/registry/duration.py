"""Go `time.Duration` text, as metav1.Duration fields (maxWaitInQueue) are written and as
the operator renders them into env vars (`Duration.String()`)."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

_NS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9}
_NS["h"] = 60 * _NS["m"]
_PART = r"(?=\.?\d)(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)"
_DURATION = re.compile(rf"[-+]?(?:0|(?:{_PART})+)")


def parse_go_duration(text: Any) -> int:
    """Nanoseconds of a Go duration string (`time.ParseDuration`, the metav1.Duration
    format): "1m30s" -> 90e9, "500ms" -> 5e8, "0" -> 0; fractions truncate to whole ns."""
    if not isinstance(text, str) or not _DURATION.fullmatch(text):
        raise ValueError(f"expected a Go duration such as 500ms, 1s or 1m30s, got {text!r}")
    parts = re.findall(_PART, text)
    total = sum((int(whole or 0) + Fraction(f"0.{frac or 0}")) * _NS[unit] for whole, frac, unit in parts)
    return -int(total) if text.startswith("-") else int(total)


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
