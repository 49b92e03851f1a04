"""How long after a zone returns each workload is spread over the zones again, and what
the descheduler did: from a run's records and the objects left in its store.

For every Deployment whose pod template has a topology spread constraint on
topology.kubernetes.io/zone, and every `zone_recovery` fault: the seconds from the fault
until the workload's bound, non-terminating pods number its replicas and the zones
(those of the nodes the constraint's inclusion policies admit) differ by at most maxSkew,
judged once all records of an instant are applied; None ("never") if not before the end
of the run. Pods belong to a Deployment by their ReplicaSet owner (`<deployment>-<hash>`)
and count for a constraint when its label selector matches the template's labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from twin.model.descheduler.topology import parse
from twin.model.objects import ZONE_KEY

REGISTRY_NAMESPACE = "openshift-image-registry"


def spread_recovery(records: Sequence, store) -> list[dict]:
    nodes = store.list("Node")
    recoveries = [r for r in records if r.kind == "Fault" and r.subject == "zone_recovery"]
    found = []
    for deployment in sorted(store.list("Deployment"), key=lambda d: d.key):
        template = deployment.spec.template
        for c in template.topology_spread_constraints:
            if c.topology_key != ZONE_KEY or c.label_selector is None or not c.label_selector.matches(template.labels):
                continue
            constraint = parse(c, template)
            zones = sorted({n.labels[ZONE_KEY] for n in nodes if ZONE_KEY in n.labels and constraint.includes(n)})
            for fault in recoveries:
                seconds = _spread_after(records, deployment, zones, {n.name: n.labels.get(ZONE_KEY) for n in nodes},
                                        c.max_skew, fault.time)
                found.append({"workload": deployment.key, "zone": fault.details.get("zone"), "recovered_at": fault.time,
                              "max_skew": c.max_skew, "seconds": seconds})
    return found


def _spread_after(records: Sequence, deployment, zones: list[str], zone_of: dict, max_skew: int, since: float):
    """Seconds from `since` to the first instant (all its records applied) at which the
    workload is whole and spread; the recovery fault itself is a record at `since`."""
    prefix = f"{deployment.namespace}/{deployment.name}-"
    owned: set[str] = set()
    placed: dict[str, str] = {}
    last = None
    for r in records:
        if last is not None and r.time > last >= since and _spread(placed, zones, zone_of, max_skew, deployment.spec.replicas):
            return last - since
        last = r.time
        _apply(r, prefix, owned, placed)
    if last is not None and last >= since and _spread(placed, zones, zone_of, max_skew, deployment.spec.replicas):
        return last - since
    return None


def _apply(r, prefix: str, owned: set, placed: dict) -> None:
    if r.kind == "PodCreated" and r.subject.startswith(prefix) and r.details.get("owner"):
        owned.add(r.subject)
    elif r.kind == "PodBound" and r.subject in owned:
        placed[r.subject] = r.details["node"]
    elif r.kind in ("PodTerminating", "PodDeleted"):
        placed.pop(r.subject, None)


def _spread(placed: dict, zones: list[str], zone_of: dict, max_skew: int, replicas: int) -> bool:
    if len(placed) != replicas or not zones:
        return False
    counts = dict.fromkeys(zones, 0)
    for node in placed.values():
        zone = zone_of.get(node)
        if zone in counts:
            counts[zone] += 1
    return max(counts.values()) - min(counts.values()) <= max_skew


def descheduler_summary(records: Sequence, spec) -> dict:
    """The descheduler's runs and evictions, and how many were registry pods (none: the
    registry's namespace is protected)."""
    kind = "Descheduled" if spec.mode == "Automatic" else "WouldDeschedule"
    chosen = [r for r in records if r.kind == kind]
    return {"mode": spec.mode, "profiles": list(spec.profiles), "interval_seconds": spec.deschedulingIntervalSeconds,
            "runs": sum(r.kind == "DeschedulerRun" for r in records),
            "evicted" if spec.mode == "Automatic" else "would_evict": len(chosen),
            "refused": sum(r.details["refused"] for r in records if r.kind == "DeschedulerRun"),
            "registry_pods": sum(r.subject.startswith(REGISTRY_NAMESPACE + "/") for r in chosen)}


def descheduler_lines(document: dict) -> list[str]:
    """The run summary's lines for the descheduler section of `summary.json`."""
    d = document["descheduler"]
    done = f"{d['evicted']} pods evicted" if "evicted" in d else f"{d['would_evict']} pods it would evict (Predictive)"
    lines = ["", f"descheduler: {d['mode']}, {', '.join(d['profiles'])} every {d['interval_seconds']} s: {d['runs']} runs, "
                 f"{done}, {d['refused']} refused (PDB)",
             f"  registry pods descheduled: {d['registry_pods']} ({REGISTRY_NAMESPACE} is a protected namespace)"]
    for s in d["spread_recovery"]:
        took = "never (within the run)" if s["seconds"] is None else f"{s['seconds']:.0f} s"
        lines.append(f"  {s['workload']} spread again (maxSkew {s['max_skew']}) after zone {s['zone']} returned at "
                     f"{s['recovered_at']:.0f} s: {took}")
    return lines
