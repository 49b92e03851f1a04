"""The sweep's two tables, built once from the run records (never from the order in
which runs finished):

`runs`, one row per run, in plan order (parameter combination, then seed):

    <param path> …          each parameter's value (text when its values mix types)
    seed, exit_status       0 when every invariant held, 1 otherwise (as `twin run`)
    holds.<invariant> …     one boolean per invariant verdict
    kpis.<name> …           every numeric scalar of summary.json's `kpis`, `requests`,
    requests.<path> …       `pools`, `autoscaler` and `descheduler` sections, flattened with
    pools.<pool>.<name> …   dots (lists such as `phases` are left out); null is NaN; a KPI
    autoscaler.<name> …     missing from a run is NaN
    pools.node_hours        the node-hours of every machine pool together (a capacity
                            planner's cost; pool names cannot contain `_`, so no pool is
                            called `node_hours`)

`aggregate`, one row per parameter combination, in the same order:

    <param path> …, seeds   the combination and its number of seeds
    all_hold                fraction of seeds whose run held every invariant
    holds.<invariant> …     fraction of seeds in which that invariant held
    <kpi>.mean, .std        mean and sample standard deviation (ddof = 1) across seeds
    <kpi>.ci95_low, _high   mean ∓ t(0.975, n − 1) · std / √n (`twin.sweep.stats`)
    <kpi>.n                 seeds with a value (null values are left out of the figures)
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import pandas as pd

from twin.sweep.stats import t_quantile

SECTIONS = ("kpis", "requests", "pools", "autoscaler", "descheduler")
HOLDS = "holds."
STATS = ("mean", "std", "ci95_low", "ci95_high", "n")


def flatten(document: dict) -> dict:
    """The numeric scalars of the summary document's KPI sections, by dotted path."""
    row: dict = {}
    for section in SECTIONS:
        _walk(document.get(section) or {}, section, row)
    pools = document.get("pools")
    if pools:
        row["pools.node_hours"] = sum(pool["node_hours"] for pool in pools.values())
    return row


def verdict_columns(document: dict) -> dict[str, bool]:
    """`holds.<name>` per verdict; a name that repeats gets `#2`, `#3` …"""
    columns: dict[str, bool] = {}
    for verdict in document.get("invariants", []):
        name, k = f"{HOLDS}{verdict['name']}", 2
        while name in columns:
            name, k = f"{HOLDS}{verdict['name']}#{k}", k + 1
        columns[name] = bool(verdict["holds"])
    return columns


def runs_frame(records: Sequence[dict], paths: Sequence[str]) -> pd.DataFrame:
    """One row per record, sorted by combination then seed."""
    ordered = sorted(records, key=lambda r: (r["index"], r["seed"]))
    rows, holds, kpis = [], {}, {}
    for record in ordered:
        verdicts, figures = verdict_columns(record["summary"]), flatten(record["summary"])
        holds.update(dict.fromkeys(verdicts))
        kpis.update(dict.fromkeys(figures))
        rows.append({**record["values"], "seed": record["seed"], "exit_status": record["exit_status"], **verdicts,
                     **figures})
    columns = [*paths, "seed", "exit_status", *holds, *kpis]
    frame = pd.DataFrame({c: _column([row.get(c) for row in rows], c in kpis) for c in columns}, columns=columns)
    return frame.reset_index(drop=True)


def kpi_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c.split(".")[0] in SECTIONS]


def aggregate_frame(runs: pd.DataFrame, paths: Sequence[str]) -> pd.DataFrame:
    """One row per parameter combination (first-appearance order)."""
    holds = [c for c in runs.columns if c.startswith(HOLDS)]
    groups = runs.assign(all_hold=runs["exit_status"].eq(0)).groupby(list(paths) or (lambda _: 0), sort=False,
                                                                      dropna=False)
    counts = groups.size().rename("seeds")
    shares = groups[["all_hold", *holds]].mean().astype(float)
    figures = pd.concat([counts, shares, _kpi_stats(groups, kpi_columns(runs))], axis=1)
    keys = figures.index.to_frame(index=False) if paths else pd.DataFrame(index=range(len(figures)))
    return pd.concat([keys, figures.reset_index(drop=True)], axis=1)


def _kpi_stats(groups, kpis: list[str]) -> pd.DataFrame:
    """mean, std, 95 % CI of the mean and n of each KPI column, by combination."""
    mean, std, n = groups[kpis].mean(), groups[kpis].std(ddof=1), groups[kpis].count()
    half = std * n.map(lambda k: t_quantile(k - 1) / math.sqrt(k) if k >= 2 else math.nan)
    columns = {}
    for kpi in kpis:
        columns |= {f"{kpi}.mean": mean[kpi], f"{kpi}.std": std[kpi], f"{kpi}.ci95_low": mean[kpi] - half[kpi],
                    f"{kpi}.ci95_high": mean[kpi] + half[kpi], f"{kpi}.n": n[kpi]}
    return pd.DataFrame(columns, index=mean.index)


def _walk(value, prefix: str, row: dict) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _walk(child, f"{prefix}.{key}", row)
    elif value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        row[prefix] = value


def _column(values: list, numeric: bool) -> pd.Series:
    """ints stay ints; a numeric column with a gap is float with NaN; parameter values of
    mixed types (or lists, mappings) become their JSON text."""
    if numeric:
        whole = all(isinstance(v, int) for v in values)
        return pd.Series(values, dtype="int64" if whole else "float64")
    kinds = {type(v) for v in values}
    if len(kinds) == 1 and kinds <= {bool, int, float, str}:
        return pd.Series(values)
    if kinds <= {int, float}:
        return pd.Series(values, dtype="float64")
    return pd.Series([v if isinstance(v, str) else json.dumps(v) for v in values], dtype=object).astype(str)

