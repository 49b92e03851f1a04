"""Invariants of the resources requests share (issue: capacity physics), read from the
records the traffic engine leaves (`ResourcePeak` per registry pod, `NetworkPeak` per
node, `ContainerRestart` with reason `OOMKilled`)."""

from __future__ import annotations

from collections.abc import Sequence

from twin.invariants.verdict import Verdict

SLACK = 1e-6


def resource_bounds(records: Sequence, params) -> Verdict:
    """No registry container kept more cores busy than it could use, no node's link
    carried more bytes per second than it offered (per sampling interval), and no
    container held more memory than its limit except at the instant it was OOM-killed."""
    pods = [r for r in records if r.kind == "ResourcePeak"]
    links = [r for r in records if r.kind == "NetworkPeak"]
    killed = {r.subject for r in records if r.kind == "ContainerRestart" and r.details.get("reason") == "OOMKilled"}
    if not pods and not links:
        return Verdict.nothing_to_check("resource_bounds", "no registry pod or node link was measured",
                                        {"pods": 0, "links": 0})
    for r in pods:
        if r.details["cpu_saturation"] > 1 + SLACK:
            return Verdict("resource_bounds", False, f"{r.subject} used {r.details['cpu_saturation']:.3f} of its cores",
                           {"pod": r.subject, **r.details})
        limit = r.details["memory_limit"]
        if limit is not None and r.details["memory_peak"] > limit and r.subject not in killed:
            return Verdict("resource_bounds", False, f"{r.subject} held {r.details['memory_peak']} bytes over its limit "
                           f"{limit} without an OOM kill", {"pod": r.subject, **r.details})
    for r in links:
        if r.details["saturation"] > 1 + SLACK:
            return Verdict("resource_bounds", False, f"{r.subject} carried {r.details['saturation']:.3f} of its link",
                           {"node": r.subject, **r.details})
    cpu = max((r.details["cpu_saturation"] for r in pods), default=0.0)
    net = max((r.details["saturation"] for r in links), default=0.0)
    return Verdict("resource_bounds", True, f"{len(pods)} pod(s) and {len(links)} link(s) within their capacity "
                   f"(peaks: CPU {cpu:.0%}, network {net:.0%})", {"pods": len(pods), "links": len(links),
                                                                    "cpu_peak": cpu, "network_peak": net})


def no_oom_kill(records: Sequence, params) -> Verdict:
    """No registry container was OOM-killed (crossing its memory limit, or its node's
    memory running out)."""
    kills = [r for r in records if r.kind == "ContainerRestart" and r.details.get("reason") == "OOMKilled"]
    if kills:
        first = kills[0]
        return Verdict("no_oom_kill", False, f"{first.subject} OOM-killed at {first.details['exited']:.1f} s "
                       f"({len(kills)} kill(s) in all)", {"pod": first.subject, "at": first.details["exited"],
                                                          "kills": len(kills)})
    peaks = {r.subject: r.details["memory_peak"] for r in records if r.kind == "ResourcePeak"}
    if not peaks:
        return Verdict.nothing_to_check("no_oom_kill", "no registry pod ran", {"memory_peak": 0})
    top = max(peaks.values(), default=0)
    return Verdict("no_oom_kill", True, f"no OOM kill (peak memory {top / 2**20:.0f} MiB)", {"memory_peak": top})


__all__ = ["no_oom_kill", "resource_bounds"]
