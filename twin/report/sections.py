"""The run report's content, built from a run folder only: a header, then sections of
plots, tables and plain sentences (what is absent and why). `html` and `markdown`
render the same content."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from twin.analysis.cluster import snapshot_before
from twin.analysis.timelines import desired_replicas, fault_marks, first_fault, pending_pods, pending_table, ready_by_zone
from twin.analysis.pools import pool_nodes, sets_from_summary
from twin.analysis.traffic import REQUESTS_INTERVAL, has_traffic, outcome_rates
from twin.report.figures import Plot
from twin.report.figures.latency import latency_plot
from twin.report.figures.outcomes import outcomes_plot
from twin.report.figures.pending import pending_plot
from twin.report.figures.placement import placement_plot
from twin.report.figures.pools import pools_plot
from twin.report.figures.queues import queues_plot
from twin.report.figures.ready import ready_plot
from twin.report.figures.resources import resources_plot
from twin.report.preemptions import preemption_table
from twin.report.run_folder import RunFolder
from twin.report.tables import (Table, clock, fault_table, kpi_table, pending_reason_table, pool_table, request_table,
                                resource_table, verdict_table)
from twin.sim.traffic.stats import LATENCY_EVERY

PLOT_IDS = ("ready-replicas", "placement-before-fault", "placement-end", "pending-pods", "request-latency",
            "rejection-rates", "queue-length", "resources", "machine-pools")
"""Every plot a report can have (`plots/<id>.png` and `.svg`)."""


@dataclass
class Section:
    id: str
    title: str
    blocks: list = field(default_factory=list)  # Plot, Table or str (a sentence)


@dataclass
class RunReport:
    title: str
    facts: list[tuple[str, str]]  # the header: (label, value)
    verdict: str
    holds: bool  # every invariant holds
    sections: list[Section]

    @property
    def plots(self) -> list[Plot]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Plot)]

    def tables(self, section_id: str) -> list[Table]:
        return [b for s in self.sections if s.id == section_id for b in s.blocks if isinstance(b, Table)]


def build_report(folder: RunFolder) -> RunReport:
    summary, marks = folder.summary, fault_marks(folder.records, folder.duration)
    sections = [
        Section("verdicts", "Invariants", [verdict_table(summary)]),
        Section("kpis", "Key figures", [kpi_table(summary)]),
        Section("faults", "Faults", [fault_table(marks)] if len(marks) else ["The scenario has no faults."]),
        Section("availability", "Registry availability", [_ready(folder, marks)]),
        Section("placement", "Placement", _placement(folder)),
        Section("pending", "Pending pods", _pending(folder, marks)),
        Section("requests", "Requests", _requests(folder, marks)),
    ]
    if has_traffic(summary):
        sections.append(Section("resources", "Resources", _resources(folder, marks)))
    if "pools" in summary:  # only a scenario with machine pools (or a scale_pool fault) has them
        sections.append(Section("pools", "Machine pools", _pools(folder, marks)))
    holds = all(v["holds"] for v in summary["invariants"])
    return RunReport(f"Run report: {summary['scenario']}", _facts(folder), _verdict(summary), holds, sections)


def _facts(folder: RunFolder) -> list[tuple[str, str]]:
    s, description = folder.summary, (folder.cluster or {}).get("description", "")
    facts = [("scenario", s["scenario"])] + ([("description", description)] if description else [])
    return facts + [("OpenShift", s["openshift"]), ("seed", str(s["seed"])),
                    ("simulated", f"{clock(folder.duration)} (m:ss, {folder.duration:,.0f} s)")]


def _verdict(summary: dict) -> str:
    failed = [v["name"] for v in summary["invariants"] if not v["holds"]]
    total = len(summary["invariants"])
    if not failed:
        return f"All {total} invariant(s) hold."
    return f"{len(failed)} of {total} invariant(s) FAIL: {', '.join(failed)}."


def _ready(folder: RunFolder, marks) -> Plot:
    ready = ready_by_zone(folder.records, folder.cluster)
    return ready_plot(ready, desired_replicas(folder.records), marks, folder.duration)


def _placement(folder: RunFolder) -> list:
    blocks = [] if folder.cluster else [MISSING_CLUSTER]
    fault = first_fault(folder.records)
    if fault is not None and fault > 0:  # at 0 s nothing is placed yet
        before = snapshot_before(folder.records, folder.cluster, fault)
        blocks.append(placement_plot(before, "placement-before-fault", f"Placement just before the first fault "
                                     f"({clock(fault)})", f"just before the first fault at {clock(fault)}"))
    end = snapshot_before(folder.records, folder.cluster, math.inf)
    blocks.append(placement_plot(end, "placement-end", f"Placement at the end of the run ({clock(folder.duration)})",
                                 f"at the end of the run ({clock(folder.duration)}), every record applied"))
    return blocks


MISSING_CLUSTER = ("This run folder has no cluster.json (written by `twin run --out` since reports exist), so the "
                   "nodes' zones are unknown: the pictures put every node in \"(no zone)\" and show no pods the "
                   "scenario started with.")


def _pending(folder: RunFolder, marks) -> list:
    pending = pending_pods(folder.records)
    table = pending_table(pending, folder.duration)
    plot = pending_plot(pending, marks, folder.duration)
    if table.empty:
        return [plot, "No pod was Pending: every pod was bound the instant it was created."]
    preemptions = preemption_table(folder.records)
    return [plot, pending_reason_table(table), *([preemptions] if preemptions is not None else [])]


def _requests(folder: RunFolder, marks) -> list:
    if not has_traffic(folder.summary):
        return ["No request traffic in this run (summary.json reports no request issued), so there are no latency, "
                "rejection, queue or resource figures."]
    blocks: list = [request_table(folder.summary["requests"])]
    latency, requests, queues = folder.frame("latency"), folder.frame("requests"), folder.frame("queues")
    blocks.append(latency_plot(latency, marks, folder.duration, LATENCY_EVERY) if latency is not None and len(latency)
                  else "No per-window latency: this run folder has no latency.parquet (or no answered request).")
    if requests is not None:
        rates = outcome_rates(requests, folder.duration, REQUESTS_INTERVAL)
        blocks.append(outcomes_plot(rates, marks, folder.duration, REQUESTS_INTERVAL))
    if queues is not None and len(queues):
        blocks.append(queues_plot(queues, marks, folder.duration))
    return blocks


def _pools(folder: RunFolder, marks) -> list:
    pools = folder.summary["pools"]
    start = {name: p["nodes_at_start"] for name, p in pools.items()}
    frame = pool_nodes(folder.records, start, sets_from_summary(pools))
    return [pools_plot(frame, marks, folder.duration), pool_table(pools)]


def _resources(folder: RunFolder, marks) -> list:
    summary = folder.summary
    blocks: list = ([resource_table(summary["resources"])] if "resources" in summary else
                    ["No resource figures: this summary.json has no `resources` section (an older run folder)."])
    resources = folder.frame("resources")
    if resources is not None and (resources["pod"] != "").any():
        blocks.append(resources_plot(resources, marks, folder.duration))
    else:
        blocks.append("No resource plot: this run folder has no resources.parquet (or no row of a registry pod in it).")
    return blocks
