"""Arrival-rate profiles (events per second as a function of simulated time) and the
non-homogeneous Poisson arrivals they drive.

Every profile has `rate(t)` (vectorised over numpy arrays), `max_rate(t0, t1)` (an upper
bound of the rate on [t0, t1), used for thinning) and `integral(t0, t1)` (the expected
number of arrivals on [t0, t1)). Rates are events per second, times are seconds of
simulated time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class Profile(Protocol):
    def rate(self, t) -> np.ndarray: ...

    def max_rate(self, t0: float, t1: float) -> float: ...

    def integral(self, t0: float, t1: float) -> float: ...


def _not_negative(**values: float) -> None:
    for name, value in values.items():
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name}: expected a finite number that is not negative, got {value!r}")


@dataclass(frozen=True, slots=True)
class Constant:
    """`value` events per second, always."""

    value: float

    def __post_init__(self):
        _not_negative(value=self.value)

    def rate(self, t) -> np.ndarray:
        return np.full(np.shape(t), float(self.value))

    def max_rate(self, t0: float, t1: float) -> float:
        return float(self.value)

    def integral(self, t0: float, t1: float) -> float:
        return float(self.value) * max(t1 - t0, 0.0)


@dataclass(frozen=True, slots=True)
class Diurnal:
    """A sinusoid around `mean`: mean·(1 + amplitude·cos(2π(t − peak_at)/period)); the rate
    peaks at mean·(1 + amplitude) at `peak_at` (+ k·period) and bottoms out half a period later."""

    mean: float
    amplitude: float
    period: float = 86400.0
    peak_at: float = 0.0

    def __post_init__(self):
        _not_negative(mean=self.mean, amplitude=self.amplitude, peak_at=self.peak_at)
        if self.amplitude > 1:
            raise ValueError(f"amplitude: expected a fraction between 0 and 1, got {self.amplitude!r}")
        if not self.period > 0:
            raise ValueError(f"period: expected a positive duration, got {self.period!r}")

    def _phase(self, t):
        return 2 * np.pi * (np.asarray(t, dtype=float) - self.peak_at) / self.period

    def rate(self, t) -> np.ndarray:
        return self.mean * (1 + self.amplitude * np.cos(self._phase(t)))

    def max_rate(self, t0: float, t1: float) -> float:
        return self.mean * (1 + self.amplitude)

    def integral(self, t0: float, t1: float) -> float:
        if t1 <= t0:
            return 0.0
        swing = self.amplitude * self.period / (2 * np.pi) * (np.sin(self._phase(t1)) - np.sin(self._phase(t0)))
        return float(self.mean * ((t1 - t0) + swing))


@dataclass(frozen=True, slots=True)
class Bursts:
    """`base` events per second, plus `burst_rate` during [first_at + k·every, first_at +
    k·every + length) for k = 0, 1, 2, …"""

    base: float
    burst_rate: float
    every: float
    length: float
    first_at: float = 0.0

    def __post_init__(self):
        _not_negative(base=self.base, burst_rate=self.burst_rate, first_at=self.first_at)
        if not self.every > 0:
            raise ValueError(f"every: expected a positive duration, got {self.every!r}")
        if not 0 < self.length <= self.every:
            raise ValueError(f"length: expected a duration in (0, every], got {self.length!r}")

    def in_burst(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return (t >= self.first_at) & (np.mod(t - self.first_at, self.every) < self.length)

    def rate(self, t) -> np.ndarray:
        return self.base + self.burst_rate * self.in_burst(t)

    def burst_seconds(self, t) -> np.ndarray:
        """Time spent in bursts between first_at and t."""
        elapsed = np.maximum(np.asarray(t, dtype=float) - self.first_at, 0.0)
        whole = np.floor(elapsed / self.every)
        return whole * self.length + np.minimum(elapsed - whole * self.every, self.length)

    def max_rate(self, t0: float, t1: float) -> float:
        bursting = self.burst_seconds(t1) - self.burst_seconds(t0) > 0
        return float(self.base + (self.burst_rate if bursting else 0.0))

    def integral(self, t0: float, t1: float) -> float:
        if t1 <= t0:
            return 0.0
        return float(self.base * (t1 - t0) + self.burst_rate * (self.burst_seconds(t1) - self.burst_seconds(t0)))


@dataclass(frozen=True, slots=True)
class Steps:
    """Piecewise constant: `rate` from each `(at, rate)` step until the next; 0 before the
    first step. `at` strictly increasing."""

    steps: tuple[tuple[float, float], ...]

    def __post_init__(self):
        object.__setattr__(self, "steps", tuple((float(at), float(rate)) for at, rate in self.steps))
        if not self.steps:
            raise ValueError("steps: expected at least one (at, rate) step")
        for i, (at, rate) in enumerate(self.steps):
            _not_negative(**{f"steps[{i}].rate": rate})
            if i and at <= self.steps[i - 1][0]:
                raise ValueError(f"steps[{i}].at: expected steps in increasing time order, got {at:g} after "
                                 f"{self.steps[i - 1][0]:g}")

    @property
    def _ats(self) -> np.ndarray:
        return np.array([at for at, _ in self.steps])

    @property
    def _rates(self) -> np.ndarray:
        """Rates with the implicit 0 before the first step in front."""
        return np.array([0.0] + [rate for _, rate in self.steps])

    def rate(self, t) -> np.ndarray:
        return self._rates[np.searchsorted(self._ats, np.asarray(t, dtype=float), side="right")]

    def _overlaps(self, t0: float, t1: float) -> np.ndarray:
        """Seconds of [t0, t1) covered by each segment (the implicit one first)."""
        edges = np.concatenate([[-np.inf], self._ats, [np.inf]])
        return np.maximum(np.minimum(edges[1:], t1) - np.maximum(edges[:-1], t0), 0.0)

    def max_rate(self, t0: float, t1: float) -> float:
        covered = self._overlaps(t0, t1) > 0
        return float(self._rates[covered].max()) if covered.any() else 0.0

    def integral(self, t0: float, t1: float) -> float:
        return float((self._overlaps(t0, t1) * self._rates).sum())


@dataclass(frozen=True, slots=True)
class Ramp:
    """Linear from `start` (rate until `begin`) to `end` (rate from `finish` on).

    >>> r = Ramp(5.0, 500.0, 0.0, 3600.0)
    >>> float(r.rate(1800.0)), r.integral(0.0, 3600.0)
    (252.5, 909000.0)
    """

    start: float
    end: float
    begin: float
    finish: float

    def __post_init__(self):
        _not_negative(start=self.start, end=self.end)
        if not self.finish > self.begin:
            raise ValueError(f"finish: expected a time after begin ({self.begin:g} s), got {self.finish:g} s")

    def rate(self, t) -> np.ndarray:
        x = np.clip((np.asarray(t, dtype=float) - self.begin) / (self.finish - self.begin), 0.0, 1.0)
        return self.start + (self.end - self.start) * x

    def max_rate(self, t0: float, t1: float) -> float:
        return float(max(self.rate(t0), self.rate(t1)))

    def integral(self, t0: float, t1: float) -> float:
        if t1 <= t0:
            return 0.0
        points = np.array(sorted({t0, t1, *(x for x in (self.begin, self.finish) if t0 < x < t1)}))
        rates = self.rate(points)
        return float(np.sum((rates[1:] + rates[:-1]) / 2 * np.diff(points)))


def arrivals(profile: Profile, t0: float, t1: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times of a non-homogeneous Poisson process with `profile`'s rate on
    [t0, t1), by thinning (Lewis & Shedler 1979): a homogeneous process at the window's
    maximum rate, each point kept with probability rate(t)/max. Windows are independent, so
    arrivals on [a, b) and then on [b, c) have the law of arrivals on [a, c).

    The draws are `rng.poisson(bound * span)` points, then `rng.random(n)` for their
    times and `rng.random(n)` for their thinning, taken as one `rng.random(2 * n)` (the
    generator hands out the same doubles in the same order either way; none at all when
    n is 0): this runs for every second of background load, where numpy's per-call cost
    is most of it (a test compares it with the calls one by one)."""
    span = t1 - t0
    bound = profile.max_rate(t0, t1) if span > 0 else 0.0
    if bound <= 0:
        return np.zeros(0)
    n = int(rng.poisson(bound * span))
    if n == 0:
        return np.zeros(0)
    draws = rng.random(2 * n)
    candidates = t0 + span * draws[:n]
    keep = (draws[n:] * bound < profile.rate(candidates)) & (candidates < t1)
    kept = candidates[keep]
    kept.sort()
    return kept
