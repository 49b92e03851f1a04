"""Properties of the cluster autoscaler's decisions on generated clusters: a scale-up
never takes a group past its max size nor the cluster past max-nodes-total, and a
scale-down plan never moves more pods of a PDB than the PDB allows, nor takes a group
below its min size."""

from __future__ import annotations

from collections import Counter

import numpy as np
from fake_cloud import FakeCloud
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.model.autoscaling.backoff import Backoffs
from twin.model.autoscaling.drainability import matching
from twin.model.autoscaling.node_group import NodeGroup
from twin.model.autoscaling.scale_down import Inputs, find_unneeded, nodes_to_delete
from twin.model.autoscaling.scale_up import plan_scale_up, upcoming
from twin.model.autoscaling.settings import AutoscalerSettings
from twin.model.cluster import ClusterView
from twin.model.labels import LabelSelector
from twin.model.objects import HOSTNAME_KEY, ZONE_KEY, Container, Node, OwnerReference, Pod
from twin.model.workloads import PodDisruptionBudget, PodRecord, PodStatus
from twin.sim.autoscaler import ClusterAutoscaler
from twin.sim.disruption import DisruptionController
from twin.sim.kubelet import Kubelets
from twin.sim.scheduling import SchedulerLoop
from twin.sim.world import World

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RS = (OwnerReference("ReplicaSet", "rs"),)
APPS = ("a", "b", "c")


def worker(name: str, zone: str, cpu: int) -> Node:
    return Node(name, {HOSTNAME_KEY: name, ZONE_KEY: zone}, allocatable={"cpu": cpu, "memory": 16 << 30, "pods": 110})


@st.composite
def groups_and_nodes(draw):
    groups, nodes = [], []
    for i in range(draw(st.integers(1, 3))):
        gid, zone = f"g{i}", f"z{i}"
        registered = draw(st.integers(0, 3))
        coming = draw(st.integers(0, 2))
        max_size = draw(st.integers(registered + coming, registered + coming + 4))
        min_size = draw(st.integers(0, registered))
        cpu = draw(st.sampled_from([2000, 4000, 8000]))
        names = [f"{gid}-{k}" for k in range(registered)]
        nodes += [worker(n, zone, cpu) for n in names]
        groups.append(NodeGroup(gid, gid, zone, min_size, max_size, registered + coming, worker(f"{gid}-t", zone, cpu),
                                "m5.xlarge", tuple(names)))
    return groups, nodes


def pod(name: str, cpu: int, app: str, node: str | None = None) -> Pod:
    return Pod(name, "default", {"app": app}, node, (Container("c", {"cpu": cpu, "memory": 1 << 30}),),
               owner_references=RS)


@given(groups_and_nodes(), st.lists(st.sampled_from([500, 1500, 3000, 7000]), min_size=1, max_size=8),
       st.integers(0, 12), st.booleans(), st.integers(0, 2**32 - 1))
@FAST
def test_a_scale_up_never_exceeds_a_groups_max_nor_max_nodes_total(shape, sizes, max_total, balance, seed):
    groups, nodes = shape
    pending = [pod(f"p{i}", cpu, "a") for i, cpu in enumerate(sizes)]
    settings_ = AutoscalerSettings(max_nodes_total=max_total, balance_similar_node_groups=balance)
    plan = plan_scale_up(ClusterView(nodes), pending, groups, settings_, Backoffs(), 0.0, np.random.default_rng(seed))
    by_id = {g.id: g for g in groups}
    for gid, delta in plan.deltas:
        assert delta > 0 and by_id[gid].target_size + delta <= by_id[gid].max_size
    before = len(nodes) + sum(upcoming(groups).values())
    if max_total:
        assert before + sum(d for _, d in plan.deltas) <= max(max_total, before)


@st.composite
def loaded_cluster(draw):
    groups, nodes = draw(groups_and_nodes())
    pods = []
    for node in nodes:
        for k in range(draw(st.integers(0, 3))):
            pods.append(pod(f"{node.name}-p{k}", draw(st.sampled_from([200, 500, 1000])), draw(st.sampled_from(APPS)),
                            node.name))
    pdbs = [PodDisruptionBudget(f"pdb-{app}", "default", LabelSelector.of({"app": app}), min_available=1)
            for app in APPS if draw(st.booleans())]
    allowed = {p.key: draw(st.integers(0, 2)) for p in pdbs}
    return groups, nodes, pods, pdbs, allowed


@given(loaded_cluster(), st.sampled_from(["0.3", "0.5", "0.9"]))
@FAST
def test_scale_down_never_plans_evictions_past_a_pdb_nor_below_min_size(cluster, threshold):
    groups, nodes, pods, pdbs, allowed = cluster
    view = ClusterView(nodes, pods)
    group_of = {n: g.id for g in groups for n in g.nodes}
    inputs = Inputs(view, groups, group_of, pdbs, allowed, frozenset())
    settings_ = AutoscalerSettings(utilization_threshold=float(threshold))
    verdicts = find_unneeded(inputs, settings_, {})
    moved = Counter(pdb.key for v in verdicts if v.removable for key in v.to_move
                    for pdb in matching(view.get_pod(key), pdbs))
    assert all(count <= allowed[key] for key, count in moved.items())
    unneeded = {v.node: 0.0 for v in verdicts if v.removable}
    plan = nodes_to_delete(verdicts, unneeded, inputs, settings_, 1e6, 0)
    gone = Counter(group_of[n] for n in plan.empty + plan.drain)
    assert all(g.target_size - gone[g.id] >= g.min_size for g in groups)
    assert len(plan.drain) <= 1 and len(plan.empty) + len(plan.drain) <= 10


@given(st.integers(2, 5), st.integers(1, 4), st.integers(0, 3), st.integers(0, 2**16))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_in_simulated_time_scale_down_never_evicts_past_a_pdb(node_count, pods_per_app, allowed, seed):
    """Underused nodes holding pods of a PDB that allows `allowed` disruptions (minAvailable
    = pods - allowed; no controller recreates evicted pods): over 40 min of scale-down the
    autoscaler's evictions of those pods never exceed `allowed`."""
    world = World(seed=seed)
    scheduler = SchedulerLoop(world)
    Kubelets(world)
    disruption = DisruptionController(world)
    cloud = FakeCloud(world)
    cloud.add_group("workers", worker("t", "z0", 8000), min_size=1, max_size=10, existing=node_count)
    total = pods_per_app * node_count
    for i in range(total):
        placed = pod(f"db-{i}", 300, "a", f"workers-{i % node_count + 1}")
        world.put_pod(PodRecord(placed, PodStatus(phase="Running", ready=True, ready_since=0.0, started=0.0)))
    world.store.put("PodDisruptionBudget", "default/pdb-a",
                    PodDisruptionBudget("pdb-a", "default", LabelSelector.of({"app": "a"}), min_available=total - allowed))
    ClusterAutoscaler(world, scheduler, disruption, cloud, AutoscalerSettings())
    world.run(until=2400.0)
    evicted = [r for r in world.recorder.records if r.kind == "Eviction" and r.details["code"] == 200]
    assert len(evicted) <= allowed
