"""The view's incremental state (live spread counts, per-node fit and score arrays,
cached masks and outcomes) always agrees with a view built from scratch, whatever
sequence of binds, removals, terminations and node changes came before."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from twin import strategies as ts
from twin.model.autoscaling.scale_down import utilizations
from twin.model.cluster import ClusterView
from twin.model.objects import Taint
from twin.model.scheduling import SchedulerConfig, schedule_one
from twin.model.scheduling.preemption.victims import lowest_priorities

PROBES = 3


def cycle(view, pod):
    return schedule_one(view, pod, SchedulerConfig(), np.random.default_rng(0), score_all=True)


class ViewAgainstRebuild(RuleBasedStateMachine):
    @initialize(cluster=ts.clusters(max_zones=3, max_nodes_per_zone=3),
                probes=ts.incoming_pod_lists(min_size=PROBES, max_size=PROBES))
    def setup(self, cluster, probes):
        self.nodes = list(cluster.nodes)
        self.pods = {p.key: p for p in cluster.pods}
        self.view = ClusterView(self.nodes, cluster.pods)
        self.probes = probes
        self.serial = 0

    @rule(data=st.data(), count=st.sampled_from([1, 3, 12]))
    def bind_probe_copies(self, data, count):
        """Several binds between checks leave several nodes stale (12 exceeds the
        one-by-one refresh limit, so the vectorised path runs too)."""
        for _ in range(count):
            probe = data.draw(st.sampled_from(self.probes))
            node = data.draw(st.sampled_from(self.nodes))
            self.serial += 1
            pod = replace(probe, name=f"bound-{self.serial}").bound_to(node.name)
            self.view.add_pod(pod)
            self.pods[pod.key] = pod

    @rule(data=st.data())
    def remove_a_pod(self, data):
        if self.pods:
            key = data.draw(st.sampled_from(sorted(self.pods)))
            self.view.remove_pod(key)
            del self.pods[key]

    @rule(data=st.data())
    def start_terminating_a_pod(self, data):
        if self.pods:
            key = data.draw(st.sampled_from(sorted(self.pods)))
            pod = replace(self.pods[key], deletion_timestamp="2026-01-01T00:00:00Z")
            self.view.replace_pod(pod)
            self.pods[key] = pod

    @rule(data=st.data(), effect=st.sampled_from(["NoSchedule", "NoExecute", None]))
    def taint_or_untaint_a_node(self, data, effect):
        index = data.draw(st.integers(0, len(self.nodes) - 1))
        taints = () if effect is None else (Taint("node.kubernetes.io/unreachable", "", effect),)
        self.nodes[index] = replace(self.nodes[index], taints=taints)
        self.view.update_node(self.nodes[index])

    @rule(data=st.data())
    def remove_a_node(self, data):
        """Its pods go with it; the nodes after it move down one index."""
        self.bind_probe_copies(data, data.draw(st.sampled_from([0, 1, 3, 12])))  # arrays left behind the log
        if len(self.nodes) > 1:
            node = self.nodes.pop(data.draw(st.integers(0, len(self.nodes) - 1)))
            dropped = self.view.remove_node(node.name)
            assert sorted(p.key for p in dropped) == sorted(k for k, p in self.pods.items() if p.node_name == node.name)
            self.pods = {k: p for k, p in self.pods.items() if p.node_name != node.name}

    @rule(data=st.data())
    def add_a_node(self, data):
        """A copy of a drawn node under a new name (no pods), appended."""
        self.bind_probe_copies(data, data.draw(st.sampled_from([0, 1, 3, 12])))  # arrays left behind the log
        self.serial += 1
        node = replace(data.draw(st.sampled_from(self.nodes)), name=f"added-{self.serial}")
        self.nodes.append(node)
        self.view.add_node(node)

    @invariant()
    def every_per_node_array_equals_a_fresh_views(self):
        fresh = ClusterView(self.nodes, self.pods.values())
        assert lowest_priorities(self.view).tolist() == lowest_priorities(fresh).tolist()
        assert utilizations(self.view, True).tolist() == utilizations(fresh, True).tolist()

    @invariant()
    def every_probe_sees_the_same_cycle_as_on_a_fresh_view(self):
        fresh = ClusterView(self.nodes, self.pods.values())
        for probe in self.probes:
            live, rebuilt = cycle(self.view, probe), cycle(fresh, probe)
            assert live.feasible.tolist() == rebuilt.feasible.tolist()
            for name, outcome in rebuilt.filters.items():
                assert live.filters[name].ids.tolist() == outcome.ids.tolist(), name
            assert {k: v.tolist() for k, v in live.scores.items()} == {k: v.tolist() for k, v in rebuilt.scores.items()}


ViewAgainstRebuild.TestCase.settings = settings(
    max_examples=30, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TestViewAgainstRebuild = ViewAgainstRebuild.TestCase
