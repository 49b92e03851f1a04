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
            seed: int = 0, seconds: np.ndarray | None = None) -> dict[str, Estimate]:
    """`cpu_seconds[i]`, `counts[i, k]` (requests of `kinds[k]`), `body_bytes[i]` per
    interval, and the intervals' lengths `seconds` (when given, the fit has an idle term:
    the cores the process uses with no request, `idle_cores`: its garbage collector,
    timers, scrapes). Returns `cpu.<kind>` for the kinds the data separates,
    `cpu_per_request` for the others (lumped together), `cpu_per_byte` and `idle_cores`.

    One model: CPU = Σ separable kinds' demands + cpu_per_request × the other requests +
    cpu_per_byte × bytes (+ idle × seconds). A kind is separable when the other columns
    do not explain its counts (`_independent`) and its own interval stays narrower than its
    value; the others are lumped and the model refitted. When the per-byte demand is not
    clearly above 0 (its interval reaches 0: bytes and requests move together), it is
    fitted as 0 and the request demands carry the bytes' CPU, so each session's total
    stays what the data says."""
    cpu_seconds, counts, body_bytes = (np.asarray(cpu_seconds, float), np.asarray(counts, float),
                                       np.asarray(body_bytes, float))
    if len(cpu_seconds) < MIN_INTERVALS:
        why = f"{len(cpu_seconds)} interval(s) with CPU figures, at least {MIN_INTERVALS} needed"
        return {"cpu_per_request": Estimate.unidentified(why), "cpu_per_byte": Estimate.unidentified(why),
                **{f"cpu.{kind}": Estimate.unidentified(why) for kind in kinds}}
    rng = np.random.default_rng(seed)
    present = [k for k in range(len(kinds)) if counts[:, k].sum() > 0]
    extra = [body_bytes] + ([] if seconds is None else [np.asarray(seconds, float)])
    separable = [k for k in present if _independent(counts[:, present], np.column_stack(extra), present.index(k))]
    with_bytes = True
    for _ in range(3):  # lump kinds whose own interval is too wide; drop the bytes when they cannot be told apart
        fit = _model(cpu_seconds, counts, body_bytes, kinds, present, separable, with_bytes, seconds, rng)
        wide = [k for k in separable if not _separable(fit[f"cpu.{kinds[k]}"])]
        if with_bytes and not fit["cpu_per_byte"].low > 0:
            with_bytes = False
        elif not wide:
            break
        separable = [k for k in separable if k not in wide]
    out = {name: e for name, e in fit.items() if not name.startswith("cpu.")}
    if not with_bytes:
        out["cpu_per_byte"] = Estimate(0.0, 0.0, 0.0, "fitted as 0: bytes and requests move together in this data, "
                                                      "so the request demands carry the bytes' CPU")
    for k in present:  # kinds with no request are left out: the caller names them
        name = f"cpu.{kinds[k]}"
        out[name] = fit[name] if k in separable else Estimate.unidentified(
            f"{kinds[k]}'s share of the requests hardly varies between intervals: its demand cannot be told from "
            f"the others' (cpu_per_request applies)")
    if not [k for k in present if k not in separable]:
        out["cpu_per_request"] = Estimate.unidentified("every kind's demand is separated (the cpu.<kind> figures)")
    return out


def _model(cpu_seconds, counts, body_bytes, kinds, present, separable, with_bytes, seconds, rng) -> dict[str, Estimate]:
    lumped = [k for k in present if k not in separable]
    columns, names = [], []
    if lumped:
        columns.append(counts[:, lumped].sum(axis=1))
        names.append("cpu_per_request")
    for k in separable:
        columns.append(counts[:, k])
        names.append(f"cpu.{kinds[k]}")
    if with_bytes:
        columns.append(body_bytes)
        names.append("cpu_per_byte")
    if seconds is not None:
        columns.append(np.asarray(seconds, float))
        names.append("idle_cores")
    return _fit(np.column_stack(columns), cpu_seconds, rng, tuple(names))


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


def _independent(counts: np.ndarray, extra: np.ndarray, k: int) -> bool:
    """Whether column `k` is not (nearly) a combination of the other columns: the share of
    its variation the others explain (R², no intercept) stays below `COLLINEAR`."""
    others = np.column_stack([np.delete(counts, k, axis=1), extra])
    column = counts[:, k]
    if not column.any():
        return False
    fitted = others @ np.linalg.lstsq(others, column, rcond=None)[0]
    return float(np.sum((column - fitted) ** 2) / np.sum(column**2)) > 1 - COLLINEAR


def _separable(estimate: Estimate) -> bool:
    return estimate.value is not None and estimate.value > 0 and (estimate.high - estimate.low) <= SEPARABLE * estimate.value
