"""Properties of default preemption on generated clusters: it never evicts a pod whose
priority is at least the preemptor's (`isPreemptionAllowed`), the chosen node's victims
are pods of that node, the preemptor fits there once they are gone, and the dry run
leaves the cluster view exactly as it was."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from twin import strategies as ts
from twin.model.cluster import ClusterView
from twin.model.objects import Affinity, Toleration
from twin.model.scheduling import SchedulerConfig, schedule_one
from twin.model.scheduling.framework import filter_node
from twin.model.scheduling.preemption import post_filter

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
priorities = st.one_of(st.sampled_from([0, 1000, 2_000_000_000]), st.integers(-10, 2_000_001_000))


def state(view: ClusterView) -> tuple:
    return [(p.key, n) for p, n in view.pods()], [[p.key for p in view.pods_on(n)] for n in range(len(view.nodes))]


@FAST
@given(ts.clusters(max_zones=2, max_nodes_per_zone=3, max_pods_per_node=6), ts.incoming_pods(), priorities, st.integers(0, 1500),
       st.booleans(), st.integers(0, 2**16))
def test_preemption_never_evicts_a_pod_of_higher_or_equal_priority(cluster, pod, priority, slack, tolerant, seed):
    """The preemptor asks for the CPU of the first node less `slack`, so that it often
    fits nowhere without preemption; it keeps its spread constraints but no node
    selector or affinity, and half the time it tolerates every taint."""
    cpu = max(cluster.nodes[0].allocatable["cpu"] - slack, 100)
    big = replace(pod.containers[0], requests={**pod.containers[0].requests, "cpu": cpu})
    pod = replace(pod, priority=priority, containers=(big, *pod.containers[1:]), init_containers=(), overhead={},
                  node_selector={}, affinity=Affinity(),
                  tolerations=(Toleration(operator="Exists"),) if tolerant else pod.tolerations)
    view = ClusterView(cluster.nodes, cluster.pods)
    config = SchedulerConfig()
    result = schedule_one(view, pod, config, np.random.default_rng(seed))
    if result.selected is not None:
        return
    before = state(view)
    outcome = post_filter(view, result, config, rng=np.random.default_rng(seed))
    assert state(view) == before
    event(f"candidates: {min(len(outcome.candidates), 2)}")
    for candidate in outcome.candidates:
        assert all((victim.priority or 0) < priority for victim in candidate.victims.pods)
        assert candidate.victims.pods
    if outcome.chosen is not None:
        n = view.node_index[outcome.chosen.node]
        on_node = {p.key for p in view.pods_on(n)}
        assert {v.key for v in outcome.chosen.victims.pods} <= on_node
        for victim in outcome.chosen.victims.pods:
            view.remove_pod(victim.key)
        assert filter_node(view, pod, config, n)[1].ok
