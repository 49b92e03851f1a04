"""Capacity planning over a sweep's aggregate: which parameter combinations meet a
planner's targets, the smallest one that does, and the frontier (for each value of one
parameter, the smallest value of another that meets the targets).

A combination meets a target `kpi <= limit` when the upper end of the KPI's 95 %
confidence interval across seeds is within the limit (`<kpi>.ci95_high`, see
`twin.sweep.tables`); with a single seed there is no interval and the mean is used. A
KPI with no value (say, no pull happened) does not meet its target: absence of evidence
is not a pass.

    >>> targets = {"requests.pulls.p99_seconds": 30, "requests.rejected_429_fraction": 0.001}
    >>> smallest_meeting(aggregate, targets, cost=["registry.replicas", "registry.requests.read.maxRunning"])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from twin.model.quoting import shown


def upper_bound(aggregate: pd.DataFrame, kpi: str) -> pd.Series:
    """The 95 % upper bound of the KPI's mean per combination, or the mean where a
    combination has one seed."""
    if f"{kpi}.mean" not in aggregate.columns:
        known = sorted(c.removesuffix(".mean") for c in aggregate.columns if c.endswith(".mean"))
        raise KeyError(f"{shown(kpi)} is not a KPI of this sweep (known: {', '.join(known)})")
    return aggregate[f"{kpi}.ci95_high"].fillna(aggregate[f"{kpi}.mean"])


def meets_targets(aggregate: pd.DataFrame, targets: Mapping[str, float]) -> pd.Series:
    """True for the combinations whose every target KPI is within its limit."""
    meets = pd.Series(True, index=aggregate.index)
    for kpi, limit in targets.items():
        meets &= upper_bound(aggregate, kpi).le(limit)  # NaN compares False
    return meets


def smallest_meeting(aggregate: pd.DataFrame, targets: Mapping[str, float], cost: Sequence[str]) -> pd.DataFrame:
    """The combinations that meet the targets, cheapest first (sorted by the `cost`
    columns in order: fewest replicas first, then …); empty when none does."""
    return aggregate[meets_targets(aggregate, targets)].sort_values(list(cost), kind="stable")


def frontier(aggregate: pd.DataFrame, targets: Mapping[str, float], x: str, y: str,
             by: str | None = None) -> pd.DataFrame:
    """For each value of `x` (and of `by`, e.g. the load), the smallest `y` that meets the
    targets; NaN where no value of `y` in the sweep does."""
    keys = [k for k in (by, x) if k is not None]
    meeting = aggregate.assign(_meets=meets_targets(aggregate, targets))
    smallest = meeting[meeting["_meets"]].groupby(keys, sort=True)[y].min()
    every = meeting[keys].drop_duplicates().sort_values(keys).set_index(keys).index
    return smallest.reindex(every).rename(f"smallest {y}").reset_index()
