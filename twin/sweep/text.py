"""The aggregate as a person reads it: one table of verdicts (how many seeds held each
invariant) and one of the headline KPIs (mean ± half the 95 % interval), one row per
parameter combination. KPIs that are zero or empty everywhere are left out; every KPI
is in the aggregate table itself."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from twin.sweep.tables import HOLDS

HEADLINE = {
    "kpis.registry_recovery_seconds": "recovery s",
    "kpis.min_ready_replicas": "min ready",
    "kpis.max_pending_seconds": "max pending s",
    "kpis.scheduling_failures": "sched. failures",
    "kpis.evictions": "evictions",
    "requests.rejected_429_fraction": "429 fraction",
    "requests.peak_429_per_second": "peak 429/s",
    "requests.latency_seconds.manifest_get.p99": "p99 manifest GET s",
    "requests.latency_seconds.blob_get.p99": "p99 blob GET s",
    "requests.pulls.p99_seconds": "p99 pull s",
    "requests.workloads_recovery_seconds": "workloads recovery s",
    "pools.node_hours": "node-hours",
    "autoscaler.nodes_added": "nodes added",
    "autoscaler.pending_to_ready_max_seconds": "pending to Ready max s",
}
ALWAYS = ("kpis.registry_recovery_seconds", "kpis.min_ready_replicas")  # shown even when empty or zero


def aggregate_text(aggregate: pd.DataFrame, paths: Sequence[str]) -> str:
    verdicts = verdict_table(aggregate, paths)
    figures = kpi_table(aggregate, paths)
    return verdicts + ("\n\n" + figures if figures else "")


def verdict_table(aggregate: pd.DataFrame, paths: Sequence[str]) -> str:
    holds = [c for c in aggregate.columns if c.startswith(HOLDS)]
    headers = [*paths, "seeds", "all hold", *(c.removeprefix(HOLDS) for c in holds)]
    rows = [[*_keys(row, paths), str(row["seeds"]), _share(row["all_hold"], row["seeds"]),
             *(_share(row[c], row["seeds"]) for c in holds)] for row in aggregate.to_dict("records")]
    return table(headers, rows)


def kpi_table(aggregate: pd.DataFrame, paths: Sequence[str]) -> str:
    shown = [kpi for kpi in HEADLINE if _informative(aggregate, kpi)]
    if not shown:
        return ""
    headers = [*paths, *(HEADLINE[kpi] for kpi in shown)]
    rows = [[*_keys(row, paths), *(_estimate(row, kpi) for kpi in shown)] for row in aggregate.to_dict("records")]
    return table(headers, rows) + "\n(mean ± half the 95 % confidence interval across seeds; - : no value)"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, two spaces apart."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
             for line in (headers, *rows)]
    return "\n".join(lines)


def number(value: float) -> str:
    """Three significant figures, whole numbers from 100 up.

    >>> number(401.0), number(12.345), number(0.2912), number(float("nan"))
    ('401', '12.3', '0.291', '-')
    """
    if value is None or math.isnan(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"


def _estimate(row: dict, kpi: str) -> str:
    mean, low, high = row[f"{kpi}.mean"], row[f"{kpi}.ci95_low"], row[f"{kpi}.ci95_high"]
    if math.isnan(low):
        return number(mean)
    return f"{number(mean)} ± {number((high - low) / 2)}"


def _share(fraction: float, seeds: int) -> str:
    return f"{round(fraction * seeds)}/{seeds}"


def _keys(row: dict, paths: Sequence[str]) -> list[str]:
    return [str(row[path]) for path in paths]


def _informative(aggregate: pd.DataFrame, kpi: str) -> bool:
    column = f"{kpi}.mean"
    return column in aggregate and (kpi in ALWAYS or bool(aggregate[column].fillna(0).ne(0).any()))
