"""Time series rebuilt from records: the registry's Ready replicas, the desired count,
node states, fault windows."""

from __future__ import annotations

from collections.abc import Sequence

Step = tuple[float, int]  # (time, value from then on)


def registry_ready(records: Sequence) -> list[Step]:
    """(time, Ready registry replicas) at every change, starting at (0, 0); the last
    record of an instant wins."""
    steps: list[Step] = [(0.0, 0)]
    for r in records:
        if r.kind == "RegistryReady":
            if steps[-1][0] == r.time:
                steps[-1] = (r.time, r.details["ready"])
            else:
                steps.append((r.time, r.details["ready"]))
    return steps


def desired_at(records: Sequence, time: float) -> int:
    """The Config's replicas in force at `time` (0 before any Config)."""
    value = 0
    for r in records:
        if r.kind == "RegistryDesired" and r.time <= time:
            value = r.details["replicas"] or 0
    return value


def value_at(steps: list[Step], time: float) -> int:
    value = steps[0][1]
    for at, v in steps:
        if at > time:
            break
        value = v
    return value


def faults(records: Sequence, kind: str) -> list:
    return [r for r in records if r.kind == "Fault" and r.subject == kind]


def ready_minimum(steps: list[Step], start: float, end: float) -> tuple[int, float]:
    """The lowest value within [start, end] and when it was first reached."""
    low, when = value_at(steps, start), start
    for at, v in steps:
        if start < at <= end and v < low:
            low, when = v, at
    return low, when
