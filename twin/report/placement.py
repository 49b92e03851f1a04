"""The `twin place` report: where each registry replica went, and why, node by node."""

from __future__ import annotations

from twin.model.topology import build_topology, zone_of
from twin.place import Placement
from twin.report.explain import explain_document, explain_table, warning_entries, warning_lines


def placement_document(placement: Placement, version: str) -> dict:
    graph = build_topology(placement.view.nodes) if placement.view else None
    replicas = [
        {"pod": r.pod.key, "node": r.selected_name,
         "zone": zone_of(graph, r.selected_name) if r.selected_name else None,
         "cycle": explain_document(r)}
        for r in placement.results
    ]
    return {
        "openshift": version,
        "deployment": placement.rendered.deployment,
        "pdb": placement.rendered.pdb,
        "replicas": replicas,
        "pending": placement.pending,
        "problems": [{"reason": p.reason, "field": p.field_path, "message": p.message, "permanent": p.permanent}
                     for p in placement.problems],
        "warnings": warning_entries(placement.warnings()),
    }


def placement_text(placement: Placement, version: str) -> str:
    doc = placement_document(placement, version)
    lines = _summary(placement, version) + [""] + _table(doc["replicas"])
    for index, result in enumerate(placement.results, start=1):
        lines += ["", f"replica {index}: " + explain_table(result, warnings=False)]
    if placement.pending:
        lines += ["", f"{placement.pending} replica(s) stay Pending."]
    if doc["warnings"]:
        lines += ["", *warning_lines(doc["warnings"])]
    return "\n".join(lines)


def _summary(placement: Placement, version: str) -> list[str]:
    spec = placement.rendered.deployment["spec"]
    template = spec["template"]["spec"]
    strategy = spec["strategy"]
    rolling = strategy.get("rollingUpdate", {})
    lines = [
        f"image-registry, OpenShift {version}: {spec['replicas']} replica(s) on {len(placement.view.nodes)} node(s); "
        f"strategy {strategy['type']}"
        + (f" (maxUnavailable {rolling['maxUnavailable']}, maxSurge {rolling['maxSurge']})" if rolling else ""),
        "spread constraints: " + (", ".join(_constraint(c) for c in template.get("topologySpreadConstraints", [])) or "none"),
        "node selector: " + ", ".join(f"{k}={v}" for k, v in template["nodeSelector"].items()),
    ]
    anti = template.get("affinity", {}).get("podAntiAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution")
    if anti:
        lines.append("required pod anti-affinity: " + ", ".join(t["topologyKey"] for t in anti))
    return lines


def _constraint(c: dict) -> str:
    extras = [f"maxSkew {c['maxSkew']}", c["whenUnsatisfiable"]]
    if c.get("matchLabelKeys"):
        extras.append("matchLabelKeys " + ",".join(c["matchLabelKeys"]))
    if c.get("nodeTaintsPolicy"):
        extras.append(f"taints {c['nodeTaintsPolicy']}")
    return f"{c['topologyKey']} ({', '.join(extras)})"


def _table(replicas: list[dict]) -> list[str]:
    rows = [["REPLICA", "NODE", "ZONE"]] + [[r["pod"].split("/")[1], r["node"] or "(Pending)", r["zone"] or ""]
                                            for r in replicas]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
