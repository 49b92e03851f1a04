"""Student's t, for the 95 % confidence interval of a mean across seeds, without scipy.

For n values with mean m and sample standard deviation s (ddof = 1), the interval is

    m ± t(0.975, n − 1) · s / √n

where t(0.975, ν) is the 97.5 % quantile of Student's t with ν degrees of freedom. The
quantile is found by bisection on the exact closed form of P(|T| ≤ t) for integer ν
(Abramowitz & Stegun 26.7.3 and 26.7.4), so it is exact for any number of seeds:

    >>> round(t_quantile(1), 3), round(t_quantile(9), 3), round(t_quantile(29), 3)
    (12.706, 2.262, 2.045)
"""

from __future__ import annotations

import math
from functools import lru_cache

CONFIDENCE = 0.95


def coverage(t: float, df: int) -> float:
    """P(|T| ≤ t) for Student's t with `df` ≥ 1 degrees of freedom, θ = atan(t / √df):

    odd df:  (2/π) (θ + sin θ (cos θ + 2/3 cos³θ + … + 2·4⋯(df−3) / 1·3⋯(df−2) cos^(df−2) θ))
    even df: sin θ (1 + 1/2 cos²θ + 1·3/2·4 cos⁴θ + … + 1·3⋯(df−3) / 2·4⋯(df−2) cos^(df−2) θ)
    """
    theta = math.atan(t / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2:
        term, total = math.cos(theta), 0.0
        for k in range(1, (df - 1) // 2 + 1):
            total += term
            term *= cos2 * (2 * k) / (2 * k + 1)
        return 2 / math.pi * (theta + sin * total)
    term, total = 1.0, 0.0
    for k in range(df // 2):
        total += term
        term *= cos2 * (2 * k + 1) / (2 * k + 2)
    return sin * total


@lru_cache(maxsize=None)
def t_quantile(df: int, confidence: float = CONFIDENCE) -> float:
    """The t with P(|T| ≤ t) = `confidence`: t(0.975, df) for the default 95 %."""
    if df < 1:
        raise ValueError(f"expected at least 1 degree of freedom, got {df}")
    low, high = 0.0, 1e4
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if coverage(middle, df) < confidence else (low, middle)
    return (low + high) / 2


def half_width(std: float, n: int) -> float:
    """t(0.975, n − 1) · s / √n; NaN for fewer than 2 values."""
    if n < 2 or math.isnan(std):
        return math.nan
    return t_quantile(n - 1) * std / math.sqrt(n)
