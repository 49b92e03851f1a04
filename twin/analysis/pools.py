"""Machine pools over a run: registered nodes per pool over time, node-hours per pool,
and machines that failed to provision, from the records (`sim/machines.py`).

A pool's node is one registered by one of its MachineSets (`<pool>-<zone>`), named
`<machineset>-<index>`: the nodes it starts with (from `cluster.json` or the scenario),
then `NodeAdded` / `NodeRemoved`. A node counts from its registration (NotReady
included: an instance is billed from launch; ASSUMPTION: node-hours count from
registration, so the minutes of launch and boot are not in them) to its removal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from twin.model.machines.pools import machine_sets

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["time", "pool", "nodes"]


def pool_sets(pools) -> dict[str, str]:
    """MachineSet id -> pool, for the scenario's pools."""
    return {s.id: s.pool for pool in pools for s in machine_sets(pool)}


def pool_of(node: str, sets: dict[str, str]) -> str | None:
    """The pool whose MachineSet named the node (`<machineset>-<index>`), or None.

    >>> pool_of("infra-us-east-1a-3", {"infra-us-east-1a": "infra"}), pool_of("master-0", {})
    ('infra', None)
    """
    stem, _, index = node.rpartition("-")
    return sets.get(stem) if index.isdigit() else None


def start_counts(initial: Iterable[str], sets: dict[str, str]) -> dict[str, int]:
    """Each pool's nodes among `initial` (the nodes the run starts with)."""
    counts = {pool: 0 for pool in sorted(set(sets.values()))}
    for name in initial:
        pool = pool_of(name, sets)
        if pool is not None:
            counts[pool] += 1
    return counts


def pool_nodes(records: Sequence, start: dict[str, int], sets: dict[str, str]) -> pd.DataFrame:
    """(time, pool, nodes): each pool's registered nodes from 0 s (`start`) and at every
    change."""
    import pandas as pd

    counts = dict(start)
    rows = [(0.0, pool, n) for pool, n in counts.items()]
    for r in records:
        if r.kind in ("NodeAdded", "NodeRemoved") and r.time > 0:
            pool = pool_of(r.subject, sets)
            if pool is not None:
                counts[pool] += 1 if r.kind == "NodeAdded" else -1
                rows.append((r.time, pool, counts[pool]))
    return pd.DataFrame(rows, columns=COLUMNS)


def node_hours(frame: pd.DataFrame, end: float) -> dict[str, float]:
    """Per pool, the integral of its node count over [0, end], in hours."""
    hours = {}
    for pool, part in frame.groupby("pool", sort=True):
        times = list(part["time"]) + [end]
        counts = list(part["nodes"])
        hours[pool] = sum(n * (times[i + 1] - times[i]) for i, n in enumerate(counts)) / 3600
    return hours


def pool_kpis(records: Sequence, pools, initial: Iterable[str], end: float) -> dict:
    """The summary's `pools` section: per pool its MachineSets, node-hours, nodes at the
    start, at the end and at most, and machines that failed to provision."""
    sets = pool_sets(pools)
    frame = pool_nodes(records, start_counts(initial, sets), sets)
    hours = node_hours(frame, end)
    failed = {pool: 0 for pool in hours}
    for r in records:
        if r.kind == "MachineDeleted" and r.details.get("reason") == "NotRegistered":
            failed[r.details["pool"]] = failed.get(r.details["pool"], 0) + 1
    out = {}
    for pool, part in frame.groupby("pool", sort=True):
        out[pool] = {"machine_sets": sorted(s for s, p in sets.items() if p == pool),
                     "node_hours": round(hours[pool], 6), "nodes_at_start": int(part["nodes"].iloc[0]),
                     "nodes_at_end": int(part["nodes"].iloc[-1]), "max_nodes": int(part["nodes"].max()),
                     "machines_not_registered": failed[pool]}
    return out


def pool_lines(pools: dict) -> list[str]:
    """The summary text's lines for the `pools` section."""
    return [f"  {name}: {p['node_hours']:.2f} node-hours, nodes {p['nodes_at_start']} -> {p['nodes_at_end']} "
            f"(at most {p['max_nodes']}), {p['machines_not_registered']} machine(s) never registered"
            for name, p in pools.items()]


def sets_from_summary(pools: dict) -> dict[str, str]:
    """MachineSet id -> pool, read back from a summary's `pools` section."""
    return {s: pool for pool, p in pools.items() for s in p["machine_sets"]}
