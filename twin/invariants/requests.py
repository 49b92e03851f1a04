"""Invariants of the request path (`spec/registry-operator.md` §4, §8), read from the
records the traffic engine leaves at the end of a run (`RequestTotals`, `LimiterPeak`,
`ReadOnlyWrites`) and from pulls (`ImagePulled`) and workload readiness
(`WorkloadReady`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from twin.invariants.series import faults
from twin.invariants.verdict import Verdict

WAIT_SLACK = 1e-9


def request_conservation(records: Sequence, params) -> Verdict:
    """Every request issued was answered, rejected with its status, failed with a reason,
    or was still open when the run ended: none vanished, pod terminations included."""
    totals = _totals(records)
    if totals is None:
        return Verdict("request_conservation", False, "no RequestTotals record: the traffic engine did not finish", {})
    accounted: dict[str, int] = {}
    for key, n in totals["outcomes"].items():
        group = key.rsplit("/", 1)[0]
        accounted[group] = accounted.get(group, 0) + n
    for key, n in totals["open"].items():
        accounted[key] = accounted.get(key, 0) + n
    issued = totals["issued"]
    lost = {k: issued.get(k, 0) - accounted.get(k, 0) for k in sorted(set(issued) | set(accounted))
            if issued.get(k, 0) != accounted.get(k, 0)}
    evidence = {"issued": sum(issued.values()), "open_at_end": sum(totals["open"].values())}
    if not evidence["issued"] and not lost:
        return Verdict.nothing_to_check("request_conservation", "no request was issued", evidence)
    if lost:
        first = next(iter(lost))
        return Verdict("request_conservation", False, f"{first}: {lost[first]} request(s) issued but not accounted for",
                       {**evidence, "unaccounted": lost})
    return Verdict("request_conservation", True, f"{evidence['issued']} requests issued, every one accounted for", evidence)


def limiter_bounds(records: Sequence, params) -> Verdict:
    """Per pod and limiter: admitted requests never above maxRunning, waiters never above
    maxInQueue, no wait longer than maxWaitInQueue (when maxRunning > 0), recomputed from
    the requests' own times."""
    peaks = [r for r in records if r.kind == "LimiterPeak"]
    limited = [r for r in peaks if any(r.details[limiter]["max_running"] > 0 for limiter in ("read", "write"))]
    if not limited:
        why = ("no registry pod served requests" if not peaks else
               f"none of the {len(peaks)} registry pod(s) had a request limit (spec.requests maxRunning)")
        return Verdict.nothing_to_check("limiter_bounds", why, {"pods": len(peaks), "limited_pods": 0})
    for r in peaks:
        for limiter in ("read", "write"):
            problem = _limiter_problem(r.details[limiter])
            if problem:
                return Verdict("limiter_bounds", False, f"{r.subject} {limiter} limiter: {problem}",
                               {"pod": r.subject, "limiter": limiter, **r.details[limiter]})
    worst = max((r.details["read"]["running"] for r in peaks), default=0)
    return Verdict("limiter_bounds", True, f"{len(peaks)} pod(s) checked, within their limits (read peak {worst} running)",
                   {"pods": len(peaks)})


def _limiter_problem(p: dict) -> str | None:
    if p["max_running"] <= 0:
        return None
    if p["running"] > p["max_running"]:
        return f"{p['running']} running > maxRunning {p['max_running']}"
    if p["queued"] > p["max_in_queue"]:
        return f"{p['queued']} queued > maxInQueue {p['max_in_queue']}"
    if p["max_wait"] > 0 and p["longest_wait"] > p["max_wait"] + WAIT_SLACK:
        return f"a request waited {p['longest_wait']:.3f} s > maxWaitInQueue {p['max_wait']:g} s"
    return None


def no_write_while_readonly(records: Sequence, params) -> Verdict:
    """No write succeeds on a pod that runs with readOnly (§4.3): they all get 405."""
    pods = [r for r in records if r.kind == "ReadOnlyWrites"]
    bad = [r for r in pods if r.details["succeeded"]]
    refused = sum(r.details["refused"] for r in pods)
    if not pods:
        return Verdict.nothing_to_check("no_write_while_readonly", "no registry pod ran read-only", {"pods": 0})
    if bad:
        return Verdict("no_write_while_readonly", False, f"{bad[0].details['succeeded']} write(s) succeeded on read-only "
                       f"{bad[0].subject}", {"pod": bad[0].subject, **bad[0].details})
    return Verdict("no_write_while_readonly", True, f"{refused} write(s) refused with 405 on {len(pods)} read-only pod(s)",
                   {"refused": refused, "pods": len(pods)})


def pull_latency(records: Sequence, params) -> Verdict:
    """A planner's bound: the `quantile` (default 0.99) of image pull times at pod start,
    first attempt to success, at most `within`."""
    bound = params.within if params.within is not None else 120.0
    q = params.quantile if params.quantile is not None else 0.99
    times = np.array([r.details["seconds"] for r in records if r.kind == "ImagePulled"])
    if not len(times):
        return Verdict.nothing_to_check("pull_latency", "no image was pulled from the registry", {"pulls": 0})
    value = float(np.quantile(times, q, method="inverted_cdf"))
    evidence = {"pulls": len(times), "quantile": q, "seconds": round(value, 3), "bound_seconds": bound}
    holds = value <= bound
    return Verdict("pull_latency", holds, f"p{q * 100:g} pull time {value:.1f} s ({'within' if holds else 'above'} "
                   f"{bound:g} s, {len(times)} pulls)", evidence)


def rejection_rate(records: Sequence, params) -> Verdict:
    """A planner's bound: the fraction of requests answered 429 at most `max_fraction`
    (default 0.01)."""
    bound = params.max_fraction if params.max_fraction is not None else 0.01
    totals = _totals(records)
    if totals is None:
        return Verdict("rejection_rate", False, "no RequestTotals record", {})
    answered = sum(totals["outcomes"].values())
    if not answered:
        return Verdict.nothing_to_check("rejection_rate", "no request was answered", {"requests": 0, "bound": bound})
    rejected = sum(n for key, n in totals["outcomes"].items() if key.endswith("/429"))
    fraction = rejected / answered if answered else 0.0
    evidence = {"requests": answered, "rejected_429": rejected, "fraction": round(fraction, 6), "bound": bound}
    holds = fraction <= bound
    return Verdict("rejection_rate", holds, f"{fraction:.2%} of {answered} requests got 429 (bound {bound:.2%})", evidence)


CONTENT_REFUSALS = {"manifest_get": "404", "blob_get": "404", "manifest_put": "400"}
"""What a registry answers for content its storage lacks: MANIFEST_UNKNOWN and BLOB_UNKNOWN
(404) to pulls, MANIFEST_BLOB_UNKNOWN (400) to a manifest naming blobs it lacks."""


def no_content_lost(records: Sequence, params) -> Verdict:
    """Every pull finds what it asks for and every manifest put finds its blobs: at most
    `max_fraction` (default 0) of manifest GETs, blob GETs and manifest PUTs are refused
    for content the serving pod's storage lacks (storage of its own: emptyDir, lost when a
    pod is replaced and not shared between replicas; `sim/traffic/pod.py` `PodContent`)."""
    totals = _totals(records)
    if totals is None:
        return Verdict("no_content_lost", False, "no RequestTotals record", {})
    evidence = _refusals(totals, params, lambda client, kind: kind in CONTENT_REFUSALS,
                         lambda kind, code: code == CONTENT_REFUSALS[kind])
    asked, refused = evidence["requests"], evidence["refused"]
    if not asked:
        return Verdict.nothing_to_check("no_content_lost", "no manifest or blob request was made", evidence)
    text = (f"{refused} of {asked} manifest and blob requests refused for content the pod lacked"
            if refused else f"none of {asked} manifest and blob requests refused for missing content")
    return Verdict("no_content_lost", evidence["fraction"] <= evidence["bound"], text, evidence)


def no_auth_refusals(records: Sequence, params) -> Verdict:
    """No request is refused by the registry's auth (401 beyond the clients' challenge
    `GET /v2/`, or 400 when the API server cannot be reached, `model/registry/auth.py`)
    or by the API server's answer to a push's ImageStreamMapping (403 DENIED,
    `model/images/mapping.py`): at most `max_fraction` (default 0) of the authenticated
    requests."""
    totals = _totals(records)
    if totals is None:
        return Verdict("no_auth_refusals", False, "no RequestTotals record", {})
    evidence = _refusals(totals, params, lambda client, kind: kind != "ping" and client != "scrape",
                         lambda kind, code: code in ("401", "403") or (code == "400" and kind != "manifest_put"))
    if not evidence["requests"]:
        return Verdict.nothing_to_check("no_auth_refusals", "no authenticated request was made", evidence)
    return Verdict("no_auth_refusals", evidence["fraction"] <= evidence["bound"],
                   f"{evidence['refused']} of {evidence['requests']} authenticated requests refused "
                   f"(401, 403 to a push's image stream mapping, or 400 with the API server unreachable)",
                   evidence)


def _refusals(totals: dict, params, counted, refused_as) -> dict:
    """Of the outcomes `counted(client, kind)` selects, those `refused_as(kind, code)`:
    counts by kind, the fraction and the bound (`max_fraction`, default 0)."""
    bound = params.max_fraction if params.max_fraction is not None else 0.0
    asked = refused = 0
    by_kind: dict[str, int] = {}
    for key, n in totals["outcomes"].items():
        client, kind, code = key.split("/")
        if not counted(client, kind):
            continue
        asked += n
        if refused_as(kind, code):
            refused += n
            by_kind[kind] = by_kind.get(kind, 0) + n
    fraction = refused / asked if asked else 0.0
    return {"requests": asked, "refused": refused, "by_kind": by_kind, "fraction": round(fraction, 6), "bound": bound}


def workloads_running_after_zone_failure(records: Sequence, params) -> Verdict:
    """A planner's bound: after each zone outage, the Ready workload pods are back to
    their count before it within `within` (default 15 min)."""
    bound = params.within if params.within is not None else 900.0
    outages = faults(records, "zone_outage")
    if not outages:
        return Verdict.nothing_to_check("workloads_running_after_zone_failure", "no zone outage in the run")
    if not any(r.kind == "WorkloadReady" for r in records):
        return Verdict.nothing_to_check("workloads_running_after_zone_failure", "the scenario has no workload pods",
                                        {"outage_at": outages[0].time})
    seconds = workload_recovery_seconds(records, outages[0].time)
    evidence = {"outage_at": outages[0].time, "recovery_seconds": seconds, "bound_seconds": bound}
    if seconds is None or seconds > bound:
        text = "never" if seconds is None else f"after {seconds:.0f} s"
        return Verdict("workloads_running_after_zone_failure", False, f"workloads back to their Ready count {text} "
                       f"(bound {bound:g} s)", evidence)
    return Verdict("workloads_running_after_zone_failure", True, f"workloads Ready again {seconds:.0f} s after the outage",
                   evidence)


def workload_recovery_seconds(records: Sequence, since: float) -> float | None:
    """Seconds from `since` until the Ready workload pods reach their count before it
    again, after dropping; 0 if they never dropped, None if they never came back."""
    steps = [(r.time, r.details["ready"]) for r in records if r.kind == "WorkloadReady"]
    before = next((v for at, v in reversed(steps) if at <= since), 0)
    dropped = next((at for at, v in steps if at > since and v < before), None)
    if dropped is None:
        return 0.0
    back = next((at for at, v in steps if at > dropped and v >= before), None)
    return None if back is None else back - since


def _totals(records: Sequence) -> dict | None:
    found = [r for r in records if r.kind == "RequestTotals"]
    return found[-1].details if found else None


__all__ = ["limiter_bounds", "no_auth_refusals", "no_content_lost", "no_write_while_readonly", "pull_latency", "rejection_rate", "request_conservation",
           "workloads_running_after_zone_failure"]
