"""The invariants a scenario may ask for, as pure functions of the records. One that had
nothing to check returns a vacuous verdict (`Verdict.nothing_to_check`), which fails."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from twin.invariants import images, requests, resources, router
from twin.invariants.series import desired_at, faults, ready_minimum, registry_ready, value_at
from twin.invariants.verdict import Verdict

REGISTRY_DEPLOYMENT = "openshift-image-registry/image-registry"
REGISTRY_PODS = "openshift-image-registry/image-registry-"


def max_skew(records: Sequence, params) -> Verdict:
    """DoNotSchedule maxSkew holds at every binding that was checked (registry pods with a
    DoNotSchedule constraint); vacuous when there was none."""
    checked = [r for r in records if r.kind == "PodBound" and r.details.get("spread")]
    if not checked:
        bound = sum(r.kind == "PodBound" and r.subject.startswith(REGISTRY_PODS) for r in records)
        why = ("no registry pod was bound" if not bound else
               f"none of the {bound} registry binding(s) had a DoNotSchedule spread constraint")
        return Verdict.nothing_to_check("max_skew", why, {"bindings": 0, "registry_bindings": bound})
    worst = [(r, s) for r in checked for s in r.details["spread"] if s["skew"] > s["max_skew"]]
    if worst:
        r, s = worst[0]
        detail = f"{r.subject} bound to {r.details['node']} with {s['key']} skew {s['skew']} > maxSkew {s['max_skew']}"
        return Verdict("max_skew", False, detail, {"time": r.time, "pod": r.subject, "violations": len(worst)})
    return Verdict("max_skew", True, f"{len(checked)} bindings checked, none above maxSkew", {"bindings": len(checked)})


def zone_failure_recovery(records: Sequence, params) -> Verdict:
    """After each zone outage the registry regains its desired Ready replicas within
    `within` seconds (default 10 min), before the zone returns."""
    within = params.within if params.within is not None else 600.0
    outages = faults(records, "zone_outage") + faults(records, "node_crash")
    if not outages:
        return Verdict.nothing_to_check("zone_failure_recovery", "no zone outage or node crash in the run")
    times = [recovery_seconds(records, fault) for fault in outages]
    first = times[0]
    evidence = {"outage_at": outages[0].time, "recovery_seconds": first, "bound_seconds": within}
    if any(t is None or t > within for t in times):
        detail = ("the registry did not regain its replicas before the zone returned" if first is None
                  else f"the registry took {first:.0f} s to regain its replicas (bound {within:.0f} s)")
        return Verdict("zone_failure_recovery", False, detail, {**evidence, **stuck_reason(records, outages[0].time)})
    return Verdict("zone_failure_recovery", True, f"registry whole again {first:.0f} s after the outage", evidence)


def recovery_seconds(records: Sequence, fault) -> float | None:
    """Seconds from `fault` until Ready replicas are back at the desired count, 0 if they
    never dropped; None if not before the matching recovery (or the end)."""
    steps = registry_ready(records)
    desired = desired_at(records, fault.time)
    end = _recovery_time(records, fault)
    dropped = [at for at, v in steps if fault.time <= at < end and v < desired]
    if not dropped:
        return 0.0
    back = [at for at, v in steps if dropped[0] < at < end and v >= desired]
    return back[0] - fault.time if back else None


def _recovery_time(records: Sequence, fault) -> float:
    kind = {"zone_outage": "zone_recovery", "node_crash": "node_recovery"}[fault.subject]
    later = [r.time for r in faults(records, kind) if r.time > fault.time and r.details == fault.details]
    return min(later, default=float("inf"))


def stuck_reason(records: Sequence, since: float) -> dict:
    failures = [r for r in records if r.kind == "SchedulingFailed" and r.time >= since
                and r.subject.startswith("openshift-image-registry/image-registry")]
    return {"pending_reason": failures[-1].details["message"], "pod": failures[-1].subject} if failures else {}


def registry_availability(records: Sequence, params) -> Verdict:
    """Ready registry replicas never below `min_ready` (default 1) once first reached,
    outside the allowed windows."""
    floor = params.min_ready if params.min_ready is not None else 1
    steps = registry_ready(records)
    start = next((at for at, v in steps if v >= floor), None)
    if start is None:
        return Verdict("registry_availability", False, f"the registry never had {floor} Ready replicas", {})
    low = [(at, v) for at, v in steps if at > start and v < floor and not _allowed(at, params.allowed_windows)]
    lowest, when = ready_minimum(steps, start, float("inf"))
    evidence = {"min_ready": lowest, "at": when, "floor": floor}
    if low:
        detail = f"{low[0][1]} Ready replica(s) at t={low[0][0]:.0f}s, below {floor}"
        return Verdict("registry_availability", False, detail, evidence)
    windows = " outside the allowed windows" if params.allowed_windows else ""
    return Verdict("registry_availability", True, f"never below {floor} Ready replica(s){windows} (lowest {lowest})", evidence)


def _allowed(time: float, windows) -> bool:
    return any(start <= time <= end for start, end in windows)


def rollout_completes(records: Sequence, params) -> Verdict:
    """Every rollout of the registry Deployment completes before its progress deadline;
    a stuck one is reported with the reason its pods are Pending."""
    rollouts = [r for r in records if r.kind == "OperandApplied"]
    progress = [r for r in records if r.kind == "DeploymentProgressing" and r.subject == REGISTRY_DEPLOYMENT]
    exceeded = [r for r in progress if r.details.get("reason") == "ProgressDeadlineExceeded"]
    complete = [r for r in progress if r.details.get("reason") == "NewReplicaSetAvailable"]
    if exceeded:
        first = exceeded[0]
        evidence = {"rollouts": len(rollouts), "deadline_exceeded_at": first.time, **stuck_reason(records, 0.0)}
        return Verdict("rollout_completes", False, f"progress deadline exceeded at t={first.time:.0f}s", evidence)
    if not rollouts:
        return Verdict.nothing_to_check("rollout_completes", "the operator rolled out no registry Deployment",
                                        {"rollouts": 0})
    last = rollouts[-1].time
    if rollouts and not any(r.time >= last for r in complete):
        return Verdict("rollout_completes", False, "the last rollout had not completed at the end", stuck_reason(records, last))
    return Verdict("rollout_completes", True, f"{len(rollouts)} rollout(s) completed", {"rollouts": len(rollouts)})


def pdb_respected(records: Sequence, params) -> Verdict:
    """Voluntary disruptions (evictions of Ready pods) never take a PDB below its desired
    healthy pods; evicting a pod that is not Ready costs no budget."""
    evictions = [r for r in records if r.kind == "Eviction"]
    allowed = [r for r in evictions if r.details["code"] == 200]
    bad = [r for r in allowed if r.details.get("ready")
           and any(h - 1 < d for h, d in zip(r.details["healthy_before"], r.details["desired_healthy"]))]
    refused = sum(r.details["code"] == 429 for r in evictions)
    evidence = {"evictions": len(allowed), "refused_429": refused}
    if not evictions:
        return Verdict.nothing_to_check("pdb_respected", "no eviction was asked for (no drain evicted a pod)", evidence)
    if bad:
        return Verdict("pdb_respected", False, f"eviction of {bad[0].subject} broke its PDB", {**evidence, "time": bad[0].time})
    return Verdict("pdb_respected", True, f"{len(allowed)} eviction(s) allowed, {refused} refused with 429", evidence)


def no_binding_to_unready_nodes(records: Sequence, params) -> Verdict:
    """No pod (DaemonSet pods aside, they tolerate it) is bound to a node that is
    cordoned or whose Ready condition is not True at that time."""
    cordoned, unready, bad, binds = set(), set(), [], 0
    for r in records:
        if r.kind in ("NodeCordoned", "NodeUncordoned"):
            (cordoned.add if r.kind == "NodeCordoned" else cordoned.discard)(r.subject)
        elif r.kind == "NodeCondition":
            (unready.discard if r.details["ready"] == "True" else unready.add)(r.subject)
        elif r.kind == "PodBound" and not r.details.get("daemonset"):
            binds += 1
            if r.details["node"] in cordoned | unready:
                bad.append(r)
    if bad:
        return Verdict("no_binding_to_unready_nodes", False, f"{bad[0].subject} bound to {bad[0].details['node']}",
                       {"time": bad[0].time, "count": len(bad)})
    if not binds:
        return Verdict.nothing_to_check("no_binding_to_unready_nodes", "no pod was bound", {"bindings": 0})
    detail = f"{binds} bindings, none to a cordoned or NotReady node"
    return Verdict("no_binding_to_unready_nodes", True, detail, {"bindings": binds})


CHECKS: dict[str, Callable] = {f.__name__: f for f in (
    max_skew, zone_failure_recovery, registry_availability, rollout_completes, pdb_respected, no_binding_to_unready_nodes,
    requests.request_conservation, requests.limiter_bounds, requests.no_write_while_readonly, requests.pull_latency,
    requests.rejection_rate, requests.workloads_running_after_zone_failure, requests.no_content_lost,
    requests.no_auth_refusals, resources.resource_bounds, resources.no_oom_kill, images.triggered_rollouts_complete,
    images.no_remote_refusals,
    router.router_server_timeout, router.router_gateway_errors,
    images.pruner_jobs_complete,
)}


def check(name: str, records: Sequence, params) -> Verdict:
    return CHECKS[name](records, params)


__all__ = ["CHECKS", "check", "value_at"]
