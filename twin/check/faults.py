"""`faults.KIND=any`: one fault of that kind at any time of the run, with or without its
recovery, drawn once the varied cluster is known (its zones and nodes are the targets).

What `any` means, per kind (docs/check.md):

    zone_outage        a zone: "registry" (the zone of a Ready replica) or one of the cluster's
                       zones; optionally zone_recovery of the same zone later
    node_crash         a node: "registry" (a Ready replica's node) or one of the workers;
                       optionally node_recovery later
    network_partition  as node_crash; optionally partition_heal later
    drain              as node_crash; optionally uncordon later
    storage_outage     the object store; optionally storage_recovery later

The fault comes at a whole second in [EARLIEST, duration - window], where `window` is the
longest time an invariant of the scenario waits for a recovery (zone_failure_recovery's
`within`, default 10 min; workloads_running_after_zone_failure's, default 15 min), so that
every drawn fault can be judged before the run ends. A recovery comes at least `window`
after the fault, and no later than the end. The scenario's own faults of the kind and of
its recovery kind are replaced; all other faults are kept.

Shrinking goes towards "registry" (the first target), the earliest time, and no recovery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import reject
from hypothesis import strategies as st

from twin.check.draws import indices, offsets
from twin.model.objects import WORKER_ROLE_KEY, ZONE_KEY
from twin.scenarios.fields import seconds
from twin.scenarios.scenario import Scenario

EARLIEST = 60  # s: after start-up (the registry's replicas are Ready 26 s in)
REGISTRY = "registry"
RECOVERY_BOUNDS = {"zone_failure_recovery": 600.0, "workloads_running_after_zone_failure": 900.0}
DEFAULT_WINDOW = 600.0


@dataclass(frozen=True)
class FaultKind:
    name: str
    target: str | None  # the field the fault names: "zone", "node" or none
    recovery: str


KINDS = {kind.name: kind for kind in (
    FaultKind("zone_outage", "zone", "zone_recovery"),
    FaultKind("node_crash", "node", "node_recovery"),
    FaultKind("network_partition", "node", "partition_heal"),
    FaultKind("drain", "node", "uncordon"),
    FaultKind("storage_outage", None, "storage_recovery"),
)}


@dataclass(frozen=True)
class Room:
    """Where and when a drawn fault may strike in one varied scenario."""

    zones: tuple[str, ...]
    nodes: tuple[str, ...]
    window: int
    end: int

    @classmethod
    def of(cls, scenario: Scenario) -> Room:
        zones = sorted({n.labels[ZONE_KEY] for n in scenario.nodes if ZONE_KEY in n.labels})
        workers = [n.name for n in scenario.nodes if WORKER_ROLE_KEY in n.labels] or [n.name for n in scenario.nodes]
        return cls((REGISTRY, *zones), (REGISTRY, *workers), judged_window(scenario), int(scenario.spec.duration))

    @property
    def latest(self) -> int:
        return self.end - self.window

    @property
    def fits(self) -> bool:
        return self.latest >= EARLIEST

    def targets(self, kind: FaultKind) -> tuple[str, ...]:
        return {"zone": self.zones, "node": self.nodes}.get(kind.target, ("",))


def judged_window(scenario: Scenario) -> int:
    """The longest a recovery invariant of the scenario waits (default 10 min)."""
    bounds = [spec.within if spec.within is not None else RECOVERY_BOUNDS[spec.name]
              for spec in scenario.spec.invariants if spec.name in RECOVERY_BOUNDS]
    return math.ceil(max(bounds, default=DEFAULT_WINDOW))


def draw_faults(draw, kind: FaultKind, room: Room) -> tuple[list[dict], tuple[int, ...]]:
    """The fault (and maybe its recovery) as scenario entries, and its key: the target's
    index, the offset from EARLIEST, then 0 (no recovery) or 1 and the recovery's delay."""
    if not room.fits:
        reject()
    targets = room.targets(kind)
    index = draw(indices(len(targets)))
    offset = draw(offsets(room.latest - EARLIEST))
    at, target = EARLIEST + offset, ({kind.target: targets[index]} if kind.target else {})
    faults = [{"at": at, kind.name: target}]
    if not draw(st.booleans()):
        return faults, (index, offset, 0)
    later = draw(offsets(room.end - room.window - at))
    faults.append({"at": at + room.window + later, kind.recovery: dict(target)})
    return faults, (index, offset, 1, later)


def merge_faults(existing: list, drawn: dict[str, list[dict]]) -> list:
    """The scenario's faults without the drawn kinds (and their recoveries), plus the drawn
    ones, in time order (a drawn fault after a kept one at the same second)."""
    replaced = {name for kind in drawn for name in (kind, KINDS[kind].recovery)}
    kept = [f for f in existing if not (isinstance(f, dict) and replaced & set(f))]
    added = [fault for faults in drawn.values() for fault in faults]
    return sorted(kept + added, key=_time)


def describe(kind: str, faults: list[dict]) -> str:
    """'zone registry out at 60 s, back at 1320 s' and the like, for people."""
    first = faults[0]
    target = " ".join(f"{k} {v}" for k, v in first[kind].items()) or "the object store"
    recovery = f"recovered at {faults[1]['at']} s" if len(faults) > 1 else "no recovery"
    return f"{kind} of {target} at {first['at']} s, {recovery}"


def _time(fault) -> float:
    try:
        return seconds(fault.get("at", 0))
    except (ValueError, AttributeError):
        return 0.0  # a malformed entry: the scenario's validation names it
