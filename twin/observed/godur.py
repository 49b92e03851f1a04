"""Go `time.Duration.String()` text to seconds, fast: the `http.response.duration` field of
distribution's request log ("1.766656ms", "779.965µs", "2.5s", "1m2.5s").

`Duration.String()` writes one number and one unit below one minute ("ns", "µs", "ms",
"s"); those take a suffix test and `float`. Anything else (minutes and hours combined,
"0", "us" or the Greek mu, a sign) goes through the exact
`twin.model.registry.duration.parse_go_duration` (Go `time.ParseDuration`).
"""

from __future__ import annotations

import math

import numpy as np

from twin.model.registry.duration import parse_go_duration

_SUFFIXES = (("ms", 1e-3), ("\u00b5s", 1e-6), ("ns", 1e-9))


def go_seconds(text: str) -> float:
    """One Go duration in seconds; ValueError if it is not one."""
    for suffix, scale in _SUFFIXES:
        if text.endswith(suffix):
            return _number(text[:-2], text) * scale
    if text.endswith("s") and text[-2:-1].isdigit() and text[:-1].replace(".", "", 1).isdigit():
        return float(text[:-1])
    return parse_go_duration(text) / 1e9


def _number(part: str, text: str) -> float:
    if part.replace(".", "", 1).isdigit():
        return float(part)
    return parse_go_duration(text) / 1e9 / _scale_of(text)


def _scale_of(text: str) -> float:
    return next(scale for suffix, scale in _SUFFIXES if text.endswith(suffix))


def seconds(values) -> tuple[np.ndarray, int | None]:
    """(seconds, position of the first invalid value or None) of a sequence of Go
    durations; None (a format without durations) gives NaN."""
    out = np.full(len(values), math.nan)
    for i, text in enumerate(values):
        if text is None:
            continue
        try:
            out[i] = go_seconds(text)
        except ValueError:
            return out, i
    return out, None
