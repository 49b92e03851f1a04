"""CPU demands: the registry's CPU seconds per interval (from `process_cpu_seconds_total`
or the container's `container_cpu_usage_seconds_total`) regressed on what it served in
each interval — requests, and body bytes — by non-negative least squares, with
percentile bootstrap intervals (intervals resampled with replacement, seeded).

The twin's CPU model (`docs/requests.md`) is a demand per request kind plus a demand per
body byte (plus a TLS handshake per new connection, which no registry metric counts).
Per-kind demands are only identified when the mix of kinds varies between intervals;
image pulls send kinds in nearly fixed proportions, so usually only the pair (CPU per
request, CPU per byte) is: the fit says which, per kind, and falls back to the common
per-request demand for the kinds it cannot separate.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from twin.calibration.estimate import LEVEL, Estimate

BOOTSTRAP = 400
MIN_INTERVALS = 4
SEPARABLE = 1.0  # a demand whose interval is wider than its value is not identified
COLLINEAR = 0.999  # a kind whose counts the other columns explain this well cannot be separated


def fit_cpu(cpu_seconds: np.ndarray, counts: np.ndarray, body_bytes: np.ndarray, kinds: list[str],
            seed: int = 0) -> dict[str, Estimate]:
    """`cpu_seconds[i]`, `counts[i, k]` (requests of `kinds[k]`), `body_bytes[i]` per
    interval. Returns per kind (`cpu.<kind>`), `cpu_per_request` and `cpu_per_byte`."""
    cpu_seconds, counts, body_bytes = (np.asarray(cpu_seconds, float), np.asarray(counts, float),
                                       np.asarray(body_bytes, float))
    if len(cpu_seconds) < MIN_INTERVALS:
        why = f"{len(cpu_seconds)} interval(s) with CPU figures, at least {MIN_INTERVALS} needed"
        return {"cpu_per_request": Estimate.unidentified(why), "cpu_per_byte": Estimate.unidentified(why),
                **{f"cpu.{kind}": Estimate.unidentified(why) for kind in kinds}}
    rng = np.random.default_rng(seed)
    common = _fit(np.column_stack([counts.sum(axis=1), body_bytes]), cpu_seconds, rng,
                  ("cpu_per_request", "cpu_per_byte"))
    present = [k for k in range(len(kinds)) if counts[:, k].sum() > 0]
    per_kind = _fit(np.column_stack([counts[:, present], body_bytes]), cpu_seconds, rng,
                    tuple(f"cpu.{kinds[k]}" for k in present) + ("cpu_per_byte_by_kind",))
    out = dict(common)
    for k, kind in enumerate(kinds):  # kinds with no request are left out: the caller names them
        name = f"cpu.{kind}"
        if k not in present:
            continue
        if _independent(counts[:, present], body_bytes, present.index(k)) and _separable(per_kind[name]):
            out[name] = per_kind[name]
        else:
            out[name] = Estimate.unidentified(f"{kind}'s share of the requests hardly varies between intervals: its "
                                              f"demand cannot be told from the others' (cpu_per_request applies)")
    return out


def _fit(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, names: tuple[str, ...]) -> dict[str, Estimate]:
    scale = np.where(x.max(axis=0) > 0, x.max(axis=0), 1.0)  # columns of requests and of bytes differ by 10^6
    coefficients = optimize.nnls(x / scale, y)[0] / scale
    draws = np.empty((BOOTSTRAP, x.shape[1]))
    for b in range(BOOTSTRAP):
        pick = rng.integers(0, len(y), len(y))
        draws[b] = optimize.nnls(x[pick] / scale, y[pick])[0] / scale
    alpha = 1 - LEVEL
    low, high = np.quantile(draws, alpha / 2, axis=0), np.quantile(draws, 1 - alpha / 2, axis=0)
    return {name: Estimate(float(c), float(lo), float(hi), "non-negative least squares, percentile bootstrap")
            for name, c, lo, hi in zip(names, coefficients, low, high)}


def _independent(counts: np.ndarray, body_bytes: np.ndarray, k: int) -> bool:
    """Whether column `k` is not (nearly) a combination of the other columns: the share of
    its variation the others explain (R², no intercept) stays below `COLLINEAR`."""
    others = np.column_stack([np.delete(counts, k, axis=1), body_bytes])
    column = counts[:, k]
    if not column.any():
        return False
    fitted = others @ np.linalg.lstsq(others, column, rcond=None)[0]
    return float(np.sum((column - fitted) ** 2) / np.sum(column**2)) > 1 - COLLINEAR


def _separable(estimate: Estimate) -> bool:
    return estimate.value is not None and estimate.value > 0 and (estimate.high - estimate.low) <= SEPARABLE * estimate.value
