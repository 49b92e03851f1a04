"""Prediction against observation, figure by figure. The issue's target: a prediction is
within tolerance when its error is within the measurement's own spread (when repeated
measurements give one), or within 15 % (p50, requests per second) and 25 % (p99),
whichever is larger. Shares (429, 503) compare in absolute points (1 point), in-flight
means at 25 %."""

from __future__ import annotations

import math
from dataclasses import dataclass

TOLERANCE = {"p50": 0.15, "requests_per_second": 0.15, "p99": 0.25, "in_flight": 0.25}
SHARE_POINTS = 0.01


@dataclass(frozen=True)
class Row:
    figure: str  # e.g. "manifest_get p50"
    observed: float | None
    predicted: float | None
    error: float | None  # relative (or absolute points for shares)
    allowed: float
    within: bool | None  # None when either side is missing


def compare(observed: dict, predicted: dict, spread: dict | None = None) -> list[Row]:
    """`spread`: {figure: relative half-range of repeated measurements}, optional."""
    spread = spread or {}
    rows = []
    for kind in sorted(set(observed["kinds"]) | set(predicted["kinds"])):
        o, p = observed["kinds"].get(kind, {}), predicted["kinds"].get(kind, {})
        for figure in ("requests_per_second", "p50", "p99"):
            name = f"{kind} {figure}"
            rows.append(_relative(name, o.get(figure), p.get(figure), max(TOLERANCE[figure], spread.get(name, 0.0))))
    for share in ("rejected_429", "unavailable_503"):
        if share in observed or share in predicted:
            o, p = observed.get(share), predicted.get(share)
            error = None if o is None or p is None else abs(p - o)
            rows.append(Row(share, o, p, error, SHARE_POINTS, None if error is None else error <= SHARE_POINTS))
    if "in_flight" in observed or "in_flight" in predicted:
        rows.append(_relative("in_flight", observed.get("in_flight"), predicted.get("in_flight"),
                              max(TOLERANCE["in_flight"], spread.get("in_flight", 0.0))))
    return rows


def _relative(name: str, observed: float | None, predicted: float | None, allowed: float) -> Row:
    if observed is None or predicted is None or not math.isfinite(observed) or observed <= 0:
        return Row(name, observed, predicted, None, allowed, None)
    error = (predicted - observed) / observed
    return Row(name, observed, predicted, error, allowed, abs(error) <= allowed)


def table(rows: list[Row]) -> list[str]:
    lines = ["| figure | observed | predicted | error | allowed | within |", "|---|---|---|---|---|---|"]
    for r in rows:
        share = r.figure.startswith(("rejected", "unavailable"))
        lines.append(f"| {r.figure} | {_value(r.observed, r.figure)} | {_value(r.predicted, r.figure)} | "
                     f"{_error(r.error, share)} | {'±' + format(r.allowed, '.0%') if not share else '±1 pt'} | "
                     f"{'—' if r.within is None else 'yes' if r.within else 'NO'} |")
    return lines


def _value(value: float | None, figure: str) -> str:
    if value is None:
        return "—"
    if figure.endswith(("p50", "p99")):
        return f"{value * 1000:.2f} ms"
    if figure.startswith(("rejected", "unavailable")):
        return f"{value:.2%}"
    return f"{value:.3g}"


def _error(error: float | None, share: bool) -> str:
    if error is None:
        return "—"
    return f"{error * 100:+.1f} pt" if share else f"{error:+.0%}"
