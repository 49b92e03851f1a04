"""Reusing the previous cycle's work (`twin/model/scheduling/reuse.py`) gives exactly what
the plain path gives: the fields each reused plugin reads, the view's generation, and
whole sequences of cycles and preemption verdicts with and without the memos."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin import strategies as ts
from twin.model.cluster import ClusterView
from twin.model.objects import Claim, Container, ContainerPort, Node, Pod, Taint, Toleration, Volume
from twin.model.scheduling import Scheduler, SchedulerConfig
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.preemption import post_filter
from twin.model.scheduling.profile import FILTER_PLUGINS
from twin.model.scheduling.reuse import FILTER_KEY_FIELDS, LIVE, PreemptionMemo
from twin.model.storage import PersistentVolume, StorageObjects

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REUSED_PLUGINS = [p for p in FILTER_PLUGINS if p.NAME not in LIVE]
ALLOWED_READS = set(FILTER_KEY_FIELDS) | {"containers", "containers.ports"}


class Recording:
    """A pod (or container) that notes every attribute read of it."""

    def __init__(self, target, reads: set[str], prefix: str = "") -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_reads", reads)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str):
        self._reads.add(self._prefix + name)
        value = getattr(self._target, name)
        if name == "containers":
            return tuple(Recording(c, self._reads, "containers.") for c in value)
        return value


def reads_of(view: ClusterView, pod: Pod) -> set[str]:
    reads: set[str] = set()
    ctx = CycleContext(view, Recording(pod, reads), SchedulerConfig())  # type: ignore[arg-type]
    for plugin in REUSED_PLUGINS:
        plugin.filter(ctx)
    return reads


@FAST
@given(ts.clusters(max_zones=3, max_nodes_per_zone=3), ts.incoming_pods())
def test_the_reused_filter_plugins_read_only_the_fields_of_the_filter_key(cluster, pod):
    assert reads_of(ClusterView(cluster.nodes, cluster.pods), pod) <= ALLOWED_READS


def test_the_volume_and_port_paths_read_only_the_fields_of_the_filter_key_too():
    node = Node("n1", {"topology.kubernetes.io/zone": "z1"}, allocatable={"cpu": 4000, "memory": 1 << 34, "pods": 110})
    storage = StorageObjects.of([Claim("c1", volume_name="pv1")], [PersistentVolume("pv1", {"topology.kubernetes.io/zone": "z1"})])
    view = ClusterView([node], storage=storage)
    pod = Pod("p", containers=(Container("c", ports=(ContainerPort(8080, host_port=80),)),),
              volumes=(Volume("v", "persistentVolumeClaim", "c1"), Volume("d", "awsElasticBlockStore", disk=("vol-1",))))
    reads = reads_of(view, pod)
    assert {"volumes", "containers.ports"} <= reads <= ALLOWED_READS


def test_every_change_to_a_view_and_every_copy_takes_a_new_generation():
    node = Node("n1", allocatable={"cpu": 4000, "memory": 1 << 34, "pods": 110})
    view = ClusterView([node])
    seen = [view.generation]
    view.add_pod(Pod("a", node_name="n1"))
    seen.append(view.generation)
    view.remove_pod("default/a")
    seen.append(view.generation)
    view.update_node(replace(node, unschedulable=True))
    seen.append(view.generation)
    view.add_node(Node("n2"))
    seen.append(view.generation)
    view.storage = StorageObjects.of([Claim("c")])
    seen.append(view.generation)
    seen.append(view.copy().generation)
    with view.trial(0):
        pass
    seen.append(view.generation)
    seen.append(pickle.loads(pickle.dumps(view)).generation)
    assert len(set(seen)) == len(seen)


def siblings(draw, pods: list[Pod]) -> list[Pod]:
    """The pods, each followed by 0-3 pods that differ from it in name, uid, labels and
    owner only (another pod's), so that the memos apply, and sometimes by itself again."""
    out = []
    for i, pod in enumerate(pods):
        out.append(pod)
        for j in range(draw(st.integers(0, 3))):
            other = pods[draw(st.integers(0, len(pods) - 1))]
            out.append(replace(pod, name=f"{pod.name}-{j}", uid=f"u{i}-{j}", labels=other.labels,
                               owner_references=other.owner_references))
    return out


def observed(result) -> tuple:
    """Everything a cycle's records and decisions are made of."""
    statuses = result.statuses()
    return (result.selected_name, result.feasible.tolist(), result.candidates.tolist(), result.processed,
            result.totals.tolist() if result.totals is not None else None, statuses.texts(),
            result.fit_error(), list(result.failure_reasons().items()), statuses.unschedulable().tolist(),
            result.notices, sorted(result.filters))


def run(cluster, pods: list[Pod], seed: int, memos: bool) -> list:
    """Schedule the pods in turn (each bound where it goes), with preemption's verdict for
    every failure, as the simulation does; with or without the memos."""
    view = ClusterView(cluster.nodes, cluster.pods)
    scheduler = Scheduler(rng=seed)
    if not memos:
        scheduler.memo = None
    preemption, rng = PreemptionMemo(), np.random.default_rng(seed)
    out = []
    for pod in pods:
        result = scheduler.schedule(view, pod)
        out.append(observed(result))
        if result.selected is not None:
            view.add_pod(pod.bound_to(result.selected_name))
            continue
        outcome = preemption.replay(view, result, rng) if memos else None
        if outcome is None:
            outcome = post_filter(view, result, SchedulerConfig(), rng=rng)
            preemption.remember(view, result, outcome, None)
        out.append((outcome, outcome.statuses, rng.bit_generator.state["state"]))
    return out


@FAST
@given(ts.clusters(max_zones=3, max_nodes_per_zone=3, max_pods_per_node=4), st.data(), st.integers(0, 2**16))
def test_a_sequence_of_cycles_and_preemption_verdicts_is_the_same_with_the_memos_and_without(cluster, data, seed):
    pods = siblings(data.draw, data.draw(ts.incoming_pod_lists(min_size=1, max_size=4)))
    assert run(cluster, pods, seed, memos=True) == run(cluster, pods, seed, memos=False)


@st.composite
def full_clusters(draw):
    """2-6 small nodes (1 or 2 cores, one in four tainted), each holding 0-3 pods of
    300-700m at priorities 0-1000: clusters where pods fail for lack of room and
    preemption has potential nodes, with or without victims."""
    nodes, pods = [], []
    for i in range(draw(st.integers(2, 6))):
        taints = (Taint("dedicated", "infra"),) if draw(st.integers(0, 3)) == 0 else ()
        nodes.append(Node(f"n{i}", {"topology.kubernetes.io/zone": f"z{i % 2}"}, taints,
                          {"cpu": draw(st.sampled_from([1000, 2000])), "memory": 1 << 34, "pods": 110}))
        for j in range(draw(st.integers(0, 3))):
            pods.append(Pod(f"e{i}-{j}", node_name=f"n{i}", labels={"app": f"e{j}"}, priority=draw(st.sampled_from([0, 100, 1000])),
                            containers=(Container("c", {"cpu": draw(st.integers(3, 7)) * 100}),)))
    return ts.GeneratedCluster(tuple(nodes), tuple(pods))


@st.composite
def bursts(draw):
    """2-12 pending pods from 1-3 templates (requests, priority, a toleration), each pod
    with its own name and labels, as the Deployments of a burst of retries."""
    templates = [Pod("t", containers=(Container("c", {"cpu": draw(st.sampled_from([200, 500, 900, 1500]))}),),
                     priority=draw(st.sampled_from([None, 0, 100, 2000])),
                     tolerations=(Toleration("dedicated", "Exists"),) if draw(st.booleans()) else ())
                 for _ in range(draw(st.integers(1, 3)))]
    pods = []
    for i in range(draw(st.integers(2, 12))):
        template = templates[draw(st.integers(0, len(templates) - 1))]
        if draw(st.integers(0, 4)) == 0:
            template = replace(template, priority=draw(st.sampled_from([None, 0, 100, 2000])))
        pods.append(replace(template, name=f"p{i}", labels={"app": f"a{draw(st.integers(0, 2))}"}))
    return pods


@FAST
@given(full_clusters(), bursts(), st.integers(0, 2**16))
def test_bursts_of_retries_on_full_clusters_come_out_the_same_with_the_memos_and_without(cluster, pods, seed):
    assert run(cluster, pods, seed, memos=True) == run(cluster, pods, seed, memos=False)
