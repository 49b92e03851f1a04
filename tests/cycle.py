"""Run one scheduling cycle in tests and read its per-node verdicts."""

from __future__ import annotations

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.scheduling import SchedulerConfig, schedule_one


def run_cycle(nodes, pods, incoming, config: SchedulerConfig | None = None, seed: int = 0, **view_args):
    """One cycle from builders, scoring every feasible node."""
    built = [p.build() for p in pods]
    return run_prebuilt([n.build() for n in nodes], built, incoming.build(), config, seed, **view_args)


def run_prebuilt(nodes, pods, incoming, config: SchedulerConfig | None = None, seed: int = 0, **view_args):
    """One cycle from built objects, scoring every feasible node."""
    view = ClusterView(nodes, pods, **view_args)
    return schedule_one(view, incoming, config or SchedulerConfig(), np.random.default_rng(seed), score_all=True)


def verdicts(result, plugin: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """node name -> (status code name, reasons) of one filter plugin."""
    outcome = result.filters[plugin]
    return {name: (outcome.status_of(n).code_name, outcome.status_of(n).reasons)
            for n, name in enumerate(result.node_names)}


def passing(result) -> set[str]:
    return {name for n, name in enumerate(result.node_names) if result.feasible[n]}


def scores(result, plugin: str) -> dict[str, int]:
    return {result.node_names[n]: int(s) for n, s in zip(result.candidates, result.scores[plugin])}
