"""Expanders: which scale-up option to take (kubernetes/autoscaler
`cluster-autoscaler/expander/`).

Each expander is a filter keeping the best options; the chain
(`expander/factory/chain.go` `chainStrategy.BestOption`) runs them in order, stops as soon
as one option is left and otherwise lets the random fallback choose. The OpenShift CR
accepts LeastWaste, Priority and Random (`clusterautoscaler_types.go`); most-pods is here
for upstream parity (the scenario schema does not accept it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twin.model.autoscaling.node_group import NodeGroup
from twin.model.objects import Pod


@dataclass(frozen=True)
class Option:
    """`expander.Option`: grow `group` by `node_count` nodes to schedule `pods`."""

    group: NodeGroup
    node_count: int
    pods: tuple[Pod, ...]


def container_requests(pods: Sequence[Pod]) -> tuple[int, int]:
    """`waste.resourcesForPods`: cpu (milli) and memory requested by the pods' containers
    (init containers and overhead are not counted, as upstream)."""
    cpu = memory = 0
    for pod in pods:
        for container in pod.containers:
            cpu += container.requests.get("cpu", 0)
            memory += container.requests.get("memory", 0)
    return cpu, memory


def waste_score(option: Option) -> float:
    """`leastwaste.BestOptions`: wasted cpu fraction + wasted memory fraction of the new
    nodes (the node's capacity; the twin's Node carries its allocatable only, used instead)."""
    cpu, memory = container_requests(option.pods)
    node = option.group.template.allocatable
    avail_cpu = node.get("cpu", 0) * option.node_count
    avail_memory = node.get("memory", 0) * option.node_count
    wasted_cpu = (avail_cpu - cpu) / avail_cpu if avail_cpu else 0.0
    wasted_memory = (avail_memory - memory) / avail_memory if avail_memory else 0.0
    return wasted_cpu + wasted_memory


def least_waste(options: Sequence[Option]) -> list[Option]:
    """The options with the least waste score (all of them when tied)."""
    if not options:
        return []
    scores = [waste_score(o) for o in options]
    best = min(scores)
    return [o for o, s in zip(options, scores) if s == best]


def most_pods(options: Sequence[Option]) -> list[Option]:
    """`mostpods.BestOptions`: the options that schedule the most pods."""
    if not options:
        return []
    most = max(len(o.pods) for o in options)
    return [o for o in options if len(o.pods) == most]


def priority(options: Sequence[Option], priorities: Sequence[tuple[int, Sequence[str]]]) -> list[Option]:
    """`priority.BestOptions`: the options whose group id matches (regexp search, as Go's
    `FindStringIndex`) a pattern of the highest priority any option matches; options that
    match no pattern are dropped. When no option matches any pattern, all are kept
    ("No options filtered")."""
    best, top = [], None
    for option in options:
        level = _priority_of(option.group.id, priorities)
        if level is None:
            continue
        if top is None or level > top:
            best, top = [option], level
        elif level == top:
            best.append(option)
    return best if best else list(options)


def _priority_of(group_id: str, priorities: Sequence[tuple[int, Sequence[str]]]) -> int | None:
    matched = [level for level, patterns in priorities if any(re.search(p, group_id) for p in patterns)]
    return max(matched) if matched else None


def random_choice(options: Sequence[Option], rng: np.random.Generator) -> list[Option]:
    """`random.BestOption`: one option uniformly (options in group-id order, so the draw
    alone decides)."""
    if not options:
        return []
    ordered = sorted(options, key=lambda o: o.group.id)
    if len(ordered) == 1:
        return ordered
    return [ordered[int(rng.integers(len(ordered)))]]


def best_option(options: Sequence[Option], expanders: Sequence[str], priorities, rng: np.random.Generator) -> Option | None:
    """`chainStrategy.BestOption` with the random fallback."""
    remaining = list(options)
    for name in expanders:
        remaining = _filter(name, remaining, priorities, rng)
        if len(remaining) == 1:
            return remaining[0]
    chosen = random_choice(remaining, rng)
    return chosen[0] if chosen else None


def _filter(name: str, options: list[Option], priorities, rng) -> list[Option]:
    if name == "least-waste":
        return least_waste(options)
    if name == "most-pods":
        return most_pods(options)
    if name == "priority":
        return priority(options, priorities)
    if name == "random":
        return random_choice(options, rng)
    raise ValueError(f"unknown expander {name!r}")
