"""The `twin explain` document: one scheduling cycle, node by node.

JSON contract (stable; documented in the README):

    {"pod": "<namespace>/<name>", "selected": "<node>" | null,
     "nodes": {"<node>": {"status": "Success" | "Unschedulable" | "UnschedulableAndUnresolvable",
                          "failed_plugin": "<plugin>" | null,
                          "filters": {"<FilterPlugin>": {"status": "<code>", "reasons": [...]}, ...},
                          "scores": {"<ScorePlugin>": <normalised 0-100 int, before weight>, ...},
                          "total": <weighted int> | null}},
     "warnings": [{"plugin": "<plugin>" | null, "message": "<text>"}, ...],
     "preemption": {...}}   # only when no node fits: see `preemption_entry`

`filters` lists every filter plugin of the profile (a plugin whose PreFilter skipped
reports Success); `scores` and `total` are present only for nodes that passed every
filter. `warnings` says where the inputs lacked what a plugin needs (a claim, a volume,
a class, a node's status) and notes about the inputs (plugin null), such as the
explained pod being left out of `--pods`.
"""

from __future__ import annotations

from twin.model.scheduling import ScheduleResult
from twin.model.scheduling.preemption import Preemption
from twin.model.scheduling.profile import FILTER_NAMES
from twin.model.scheduling.status import PASS


def explain_document(result: ScheduleResult, notes=(), preemption: Preemption | None = None) -> dict:
    """`notes`: `Notice`s about the inputs, listed before the plugins' warnings;
    `preemption`: what DefaultPreemption would do for a pod no node fits."""
    scored = {int(n): i for i, n in enumerate(result.candidates)}
    nodes = {name: _node_entry(result, n, scored.get(n)) for n, name in enumerate(result.node_names)}
    doc = {"pod": result.pod.key, "selected": result.selected_name, "nodes": nodes,
           "warnings": warning_entries([*notes, *result.notices])}
    if preemption is not None:
        doc["preemption"] = preemption_entry(preemption)
    return doc


def preemption_entry(outcome: Preemption) -> dict:
    """{"eligible": bool, "reason": "<why not eligible>" | "",
        "candidates": [{"node": ..., "victims": ["<ns>/<name>", ...] (most important first),
                        "pdb_violations": n}, ...] (dry-run order),
        "nominated": "<node the scheduler would nominate>" | null,
        "nodes": {"<node>": "<why no candidate>"}}"""
    candidates = [{"node": c.node, "victims": [v.key for v in c.victims.pods], "pdb_violations": c.victims.pdb_violations}
                  for c in outcome.candidates]
    return {"eligible": outcome.eligible, "reason": outcome.reason, "candidates": candidates,
            "nominated": outcome.chosen.node if outcome.chosen else None,
            "nodes": {name: "; ".join(status.reasons) for name, status in outcome.statuses.items()}}


def preemption_lines(outcome: Preemption) -> list[str]:
    """The table's lines after the nodes: the victims the scheduler would choose, or why
    preemption cannot help."""
    if not outcome.eligible:
        return [f"preemption: {outcome.reason}"]
    if outcome.chosen is None:
        return ["preemption: no candidate: preemption would not help any node"]
    lines = [f"preemption: would nominate {outcome.chosen.node}, evicting "
             f"{', '.join(v.key for v in outcome.chosen.victims.pods)}"]
    lines += [f"  candidate {c.node}: {len(c.victims.pods)} victim(s) {', '.join(v.key for v in c.victims.pods)}"
              f"{f', {c.victims.pdb_violations} PDB violation(s)' if c.victims.pdb_violations else ''}"
              for c in outcome.candidates]
    return lines


def warning_entries(notices) -> list[dict]:
    return [{"plugin": n.plugin, "message": n.message} for n in notices]


def warning_lines(entries: list[dict]) -> list[str]:
    return [f"warning: {e['plugin'] + ': ' if e['plugin'] else ''}{e['message']}" for e in entries]


def _node_entry(result: ScheduleResult, n: int, position: int | None) -> dict:
    status, plugin = result.node_status(n)
    entry = {"status": status.code_name, "failed_plugin": plugin, "filters": _filters(result, n)}
    if result.feasible[n]:
        scores = {name: int(values[position]) for name, values in result.scores.items()} if position is not None else {}
        entry["scores"] = scores
        entry["total"] = int(result.totals[position]) if position is not None and result.totals is not None else None
    return entry


def _filters(result: ScheduleResult, n: int) -> dict:
    out = {}
    for name in FILTER_NAMES:
        outcome = result.filters.get(name)
        status = outcome.status_of(n) if outcome is not None else PASS
        out[name] = {"status": status.code_name, "reasons": list(status.reasons)}
    return out


def explain_table(result: ScheduleResult, notes=(), warnings: bool = True, preemption: Preemption | None = None) -> str:
    """A fixed-width table of the document, one row per node, best total first, then what
    preemption would do (when given), then the warnings (unless `warnings` is False)."""
    doc = explain_document(result, notes)
    score_names = list(result.scores)
    rows = [_row(name, entry, score_names) for name, entry in doc["nodes"].items()]
    rows.sort(key=lambda r: (r[0] is None, -(r[0] or 0), r[1][0]))
    header = ["NODE", "STATUS", "TOTAL", *[_short(s) for s in score_names], "REASON"]
    lines = _columns([header] + [r[1] for r in rows])
    verdict = f"selected {doc['selected']}" if doc["selected"] else result.fit_error()
    extra = preemption_lines(preemption) if preemption is not None else []
    return "\n".join([f"{doc['pod']}: {verdict}", *lines, *extra, *(warning_lines(doc["warnings"]) if warnings else [])])


def _row(name: str, entry: dict, score_names: list[str]) -> tuple:
    total = entry.get("total")
    scores = [str(entry.get("scores", {}).get(s, "")) for s in score_names]
    return total, [name, entry["status"], "" if total is None else str(total), *scores, _reason(entry)]


def _reason(entry: dict) -> str:
    """The failing plugin's reasons, then the names of any other plugins that fail too."""
    first = entry["failed_plugin"]
    if first is None:
        return ""
    others = [name for name, f in entry["filters"].items() if f["status"] != "Success" and name != first]
    text = f"{first}: " + "; ".join(entry["filters"][first]["reasons"])
    return text + (f" (also fails {', '.join(others)})" if others else "")


SHORT = {"TaintToleration": "TAINT", "NodeAffinity": "AFFIN", "NodeResourcesFit": "FIT",
         "PodTopologySpread": "SPREAD", "InterPodAffinity": "PODAFF", "NodeResourcesBalancedAllocation": "BALANCE",
         "ImageLocality": "IMAGE"}


def _short(plugin: str) -> str:
    return SHORT.get(plugin, plugin)


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
