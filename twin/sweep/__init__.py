"""Sweeps: a scenario run for every combination of parameter values × seeds, on Dask
(a LocalCluster on this machine or an existing scheduler), crash-safe, with a table of
runs and an aggregate across seeds (`docs/sweeps.md`).

    >>> from twin.sweep import run_sweep                                # doctest: +SKIP
    >>> result = run_sweep("zone-failure", {"registry.replicas": [2, 3]}, seeds=5)
    >>> result.aggregate[["registry.replicas", "kpis.registry_recovery_seconds.mean"]]
"""

from twin.sweep.plan import SweepPlan, parse_param, plan_sweep
from twin.sweep.stats import t_quantile
from twin.sweep.sweep import SweepResult, run_sweep
from twin.sweep.tables import aggregate_frame, flatten, runs_frame

__all__ = ["SweepPlan", "SweepResult", "aggregate_frame", "flatten", "parse_param", "plan_sweep", "run_sweep",
           "runs_frame", "t_quantile"]
