"""The report's tables, as rows of text: invariant verdicts, KPIs, request and resource
figures, faults and the scheduler's Pending reasons."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd

from twin.analysis.resources import resource_rows
from twin.analysis.summary import knee_text, session_rows

EVIDENCE_CHARS = 400
KPI_TEXT = {
    "registry_recovery_seconds": "first zone outage (or node crash) until the desired Ready replicas are back",
    "min_ready_replicas": "fewest Ready registry replicas once the registry was first up",
    "pending_pod_seconds": "all pods' time between creation and binding (or deletion, or the end)",
    "max_pending_seconds": "the longest a single pod stayed Pending",
    "scheduling_failures": "SchedulingFailed records (failed scheduling attempts)",
    "evictions": "evictions the PodDisruptionBudget allowed",
    "evictions_refused": "evictions the PodDisruptionBudget refused (429)",
    "pods_deleted_by_taint_manager": "pods deleted by taint eviction (NoExecute taints of unreachable nodes)",
    "rollouts": "operand applications (the operator's Deployment writes)",
}


@dataclass(frozen=True)
class Table:
    id: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def verdict_table(summary: dict) -> Table:
    rows = tuple((v["name"], "holds" if v["holds"] else "FAILS", v["detail"], _evidence(v.get("evidence")))
                 for v in summary["invariants"])
    return Table("invariants", ("invariant", "verdict", "detail", "evidence"), rows)


def _evidence(evidence) -> str:
    text = json.dumps(evidence, sort_keys=True, separators=(", ", ": ")) if evidence else ""
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1] + "…"


def kpi_table(summary: dict) -> Table:
    figures = summary["kpis"]
    order = [k for k in KPI_TEXT if k in figures] + sorted(k for k in figures if k not in KPI_TEXT)
    rows = tuple((key, fmt(figures[key]), KPI_TEXT.get(key, "")) for key in order)
    return Table("kpis", ("KPI", "value", "meaning"), rows)


def pool_table(pools: dict) -> Table:
    """Per machine pool: node-hours (from registration), nodes at the start, end and most,
    machines that never registered (deleted after max-node-provision-time)."""
    rows = tuple((name, f"{p['node_hours']:,.2f}", fmt(p["nodes_at_start"]), fmt(p["nodes_at_end"]), fmt(p["max_nodes"]),
                  fmt(p["machines_not_registered"])) for name, p in pools.items())
    return Table("machine-pools", ("pool", "node-hours", "nodes at start", "nodes at end", "most nodes",
                                   "machines never registered"), rows)


def fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:,.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def request_table(requests: dict) -> Table:
    """The request figures of summary.json a capacity planner reads first."""
    o = requests["outcomes"]
    rows = [("issued", fmt(requests["issued"])), ("open at the end", fmt(requests["open_at_end"]))]
    rows += [(f"answered {label}", fmt(o.get(key, 0))) for key, label in
             (("ok", "2xx"), ("redirect", "3xx"), ("client_error", "other 4xx (401 to the /v2/ ping, 404 to a push's HEAD)"),
              ("not_allowed", "405"), ("too_many", "429"), ("server_error", "other 5xx (a storage call failed)"),
              ("unavailable", "503"))]
    rows += [("no answer (failed)", fmt(o["failed"])),
             ("429 share of all requests", f"{requests['rejected_429_fraction']:.2%}"),
             ("peak 429 per second (per pod)", fmt(requests["peak_429_per_second"]))]
    rows += [(f"peak {what} {limiter} requests (per pod)", fmt(requests[f"max_{what}"][limiter]))
             for what in ("running", "queued") for limiter in ("read", "write")]
    rows += [(f"{kind} latency p50 / p99", f"{q['p50'] * 1000:,.1f} ms / {q['p99'] * 1000:,.1f} ms ({q['requests']:,} answered)")
             for kind, q in requests["latency_seconds"].items()]
    rows += session_rows(requests)
    if requests.get("latency_knee") is not None:
        rows.append(("latency bends (p99 manifest GET above twice its start)", knee_text(requests["latency_knee"])))
    return Table("requests", ("figure", "value"), tuple(rows + _pull_rows(requests)))


def resource_table(resources: dict) -> Table:
    """What the registry's resources did (`resources` of summary.json)."""
    return Table("resources", ("pod or resource", "figures"), tuple(resource_rows(resources)))


def _pull_rows(requests: dict) -> list[tuple[str, str]]:
    p = requests["pulls"]
    rows = []
    if p.get("pulls"):
        rows.append(("image pulls at pod start", f"{p['pulls']:,}: p50 {p['p50_seconds']} s, p99 {p['p99_seconds']} s, "
                                                 f"max {p['max_seconds']} s, {p['failed_attempts']} failed attempt(s)"))
    if requests.get("workloads_recovery_seconds") is not None:
        rows.append(("workloads Ready again after the zone outage", f"{requests['workloads_recovery_seconds']:,.0f} s"))
    return rows


def fault_table(marks: pd.DataFrame) -> Table:
    rows = tuple((clock(start), "" if math.isnan(end) else clock(end), label)
                 for start, end, label in zip(marks["start"], marks["end"], marks["label"]))
    return Table("faults", ("from", "until", "fault"), rows)


def pending_reason_table(table: pd.DataFrame) -> Table:
    rows = tuple((reason, fmt(int(most)), fmt(float(seconds)), clock(first), clock(last))
                 for reason, most, seconds, first, last in table.itertuples(index=False))
    return Table("pending-reasons", ("reason (FitError)", "most pods at once", "pod-seconds", "first", "last"), rows)


def clock(seconds: float) -> str:
    """Simulated time as m:ss (`12:05`)."""
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"
