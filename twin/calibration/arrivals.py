"""The arrival profile of image pulls (or pushes): request counts per interval fitted
as a constant rate, as steps, or as a daily sinusoid (the twin's `Constant`, `Steps`
and `Diurnal` profiles), each by Poisson maximum likelihood, and chosen by the Bayesian
information criterion (BIC = k ln n − 2 ln L: the smallest wins; k counts every fitted
number, change points included). Stated criterion, so a planner can check it.

* constant: λ = N / T; exact (Garwood) interval from the chi-square distribution.
* steps: optimal partitioning of the intervals into segments of constant rate, each
  segment costing its negative log-likelihood plus the BIC penalty of its two numbers
  (rate, start); each step's rate gets its Garwood interval; the step times have none.
* diurnal: λ(t) = β0 + β1 cos ωt + β2 sin ωt (ω = 2π / 1 day), which is the twin's
  mean·(1 + a·cos(ω(t − peak_at))); intervals from the observed information matrix by
  the delta method. Only tried when the data spans at least half a day: a shorter record
  cannot tell a daily cycle from a trend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from twin.calibration.estimate import LEVEL, Estimate

DAY = 86400.0
MAX_STEPS = 12
MIN_STEP_INTERVALS = 2


@dataclass(frozen=True)
class ProfileFit:
    kind: str  # constant, steps, diurnal
    log_likelihood: float
    parameters: int
    intervals: int
    estimates: dict[str, Estimate] = field(default_factory=dict)
    steps: tuple[tuple[float, Estimate], ...] = ()  # (at, rate) for `steps`
    rates: np.ndarray = field(default_factory=lambda: np.zeros(0))  # fitted rate per interval

    @property
    def bic(self) -> float:
        return self.parameters * np.log(max(self.intervals, 1)) - 2 * self.log_likelihood


@dataclass(frozen=True)
class ArrivalFit:
    chosen: ProfileFit
    candidates: tuple[ProfileFit, ...]
    skipped: dict[str, str]  # profile -> why it was not tried
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the observed intervals (for the report)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    width: float = 0.0


def fit_arrivals(starts: np.ndarray, counts: np.ndarray, width: float) -> ArrivalFit:
    """`counts[i]` arrivals in [starts[i], starts[i] + width)."""
    starts, counts = np.asarray(starts, float), np.asarray(counts, float)
    if len(counts) == 0 or width <= 0:
        raise ValueError("expected at least one interval of positive width")
    candidates = [fit_constant(counts, width)]
    skipped = {}
    if len(counts) >= 2 * MIN_STEP_INTERVALS:
        candidates.append(fit_steps(starts, counts, width))
    else:
        skipped["steps"] = f"{len(counts)} interval(s): too few to place a step"
    span = starts[-1] + width - starts[0]
    if span >= DAY / 2:
        candidates.append(fit_diurnal(starts, counts, width))
    else:
        skipped["diurnal"] = f"the data spans {span / 3600:.2g} h, less than half a day: a daily cycle is not identifiable"
    chosen = min(candidates, key=lambda fit: (fit.bic, fit.parameters))
    return ArrivalFit(chosen, tuple(candidates), skipped, starts, counts, width)


def poisson_log_likelihood(counts: np.ndarray, expected: np.ndarray) -> float:
    expected = np.maximum(expected, 1e-300)
    return float(np.sum(counts * np.log(expected) - expected - special.gammaln(counts + 1)))


def garwood(n: float, exposure: float) -> tuple[float, float]:
    """Exact Poisson interval for a rate from `n` events over `exposure` seconds."""
    alpha = 1 - LEVEL
    low = stats.chi2.ppf(alpha / 2, 2 * n) / 2 if n > 0 else 0.0
    high = stats.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
    return float(low / exposure), float(high / exposure)


def fit_constant(counts: np.ndarray, width: float) -> ProfileFit:
    total, exposure = float(counts.sum()), width * len(counts)
    rate = total / exposure
    low, high = garwood(total, exposure)
    return ProfileFit("constant", poisson_log_likelihood(counts, np.full(len(counts), rate * width)), 1, len(counts),
                      {"rate": Estimate(rate, low, high, "Poisson MLE, Garwood interval")},
                      rates=np.full(len(counts), rate))


def fit_steps(starts: np.ndarray, counts: np.ndarray, width: float) -> ProfileFit:
    """Optimal partitioning (Jackson et al. 2005) with a BIC penalty per segment."""
    n = len(counts)
    cumulative = np.concatenate([[0.0], np.cumsum(counts)])
    log_factorials = np.concatenate([[0.0], np.cumsum(special.gammaln(counts + 1))])
    penalty = 3 * np.log(n)  # per segment: BIC counts its rate and start (2 ln n); the search over every
    # boundary finds spurious steps in a constant rate at that price, so one more ln n
    best = np.full(n + 1, np.inf)
    best[0] = -penalty  # the first segment's start is not fitted
    previous = np.zeros(n + 1, dtype=int)
    for end in range(MIN_STEP_INTERVALS, n + 1):
        begin = np.arange(0, end - MIN_STEP_INTERVALS + 1)
        begin = begin[(begin == 0) | (begin >= MIN_STEP_INTERVALS)]
        total = cumulative[end] - cumulative[begin]
        exposure = (end - begin) * width
        with np.errstate(divide="ignore", invalid="ignore"):
            fitted = np.where(total > 0, total * np.log(total / exposure * width) - total, 0.0)
        cost = best[begin] - 2 * (fitted - (log_factorials[end] - log_factorials[begin])) + penalty
        k = int(np.argmin(cost))
        best[end], previous[end] = cost[k], begin[k]
    bounds, end = [], n
    while end > 0:
        bounds.append((previous[end], end))
        end = previous[end]
    bounds.reverse()
    bounds = _at_most(bounds, counts, width)
    rates = np.zeros(n)
    steps = []
    for begin, end in bounds:
        total, exposure = float(counts[begin:end].sum()), (end - begin) * width
        low, high = garwood(total, exposure)
        rates[begin:end] = total / exposure
        steps.append((float(starts[begin]), Estimate(float(total / exposure), low, high, "Poisson MLE, Garwood interval")))
    fit = ProfileFit("steps", poisson_log_likelihood(counts, rates * width), 2 * len(bounds) - 1, n, steps=tuple(steps),
                     rates=rates)
    return fit


def _at_most(bounds: list[tuple[int, int]], counts: np.ndarray, width: float) -> list[tuple[int, int]]:
    """Merge the two adjacent segments whose rates differ least until `MAX_STEPS` remain
    (a profile of more steps is not a profile a planner can read)."""
    bounds = list(bounds)
    while len(bounds) > MAX_STEPS:
        rates = [counts[b:e].sum() / ((e - b) * width) for b, e in bounds]
        k = int(np.argmin(np.abs(np.diff(rates))))
        bounds[k:k + 2] = [(bounds[k][0], bounds[k + 1][1])]
    return bounds


def fit_diurnal(starts: np.ndarray, counts: np.ndarray, width: float, period: float = DAY) -> ProfileFit:
    omega = 2 * np.pi / period
    middle = starts + width / 2
    x = np.column_stack([np.ones_like(middle), np.cos(omega * middle), np.sin(omega * middle)])

    def negative(beta):
        rate = x @ beta
        if np.any(rate <= 0):
            return np.inf
        return -poisson_log_likelihood(counts, rate * width)

    mean = counts.sum() / (width * len(counts))
    result = optimize.minimize(negative, np.array([mean, 0.0, 0.0]), method="Nelder-Mead",
                               options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 4000})
    beta = result.x
    rate = x @ beta
    information = (x * (counts / np.maximum(rate, 1e-300) ** 2)[:, None]).T @ x
    covariance = np.linalg.pinv(information)

    def derived(b):
        amplitude = float(np.hypot(b[1], b[2]) / b[0])
        peak = float((np.arctan2(b[2], b[1]) / omega) % period)
        return np.array([b[0], amplitude, peak])

    values = derived(beta)
    jacobian = np.column_stack([(derived(beta + step) - derived(beta - step)) / (2 * h)
                                for h, step in ((h, h * np.eye(3)[i]) for i, h in enumerate(1e-6 * (1 + np.abs(beta))))])
    spread = np.sqrt(np.maximum(np.diag(jacobian @ covariance @ jacobian.T), 0)) * stats.norm.ppf(0.5 + LEVEL / 2)
    names = ("mean", "amplitude", "peak_at")
    estimates = {name: Estimate(float(v), float(v - s), float(v + s), "Poisson MLE, delta-method interval")
                 for name, v, s in zip(names, values, spread)}
    return ProfileFit("diurnal", -float(result.fun), 3, len(counts), estimates, rates=rate)
