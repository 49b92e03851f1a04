"""Preemption in simulated time: a system-cluster-critical pod (the registry's class)
that fits no node preempts a low-priority pod, is nominated to its node, waits for the
victim's grace period and is then bound there (`tests/model/scheduling/test_preemption.py`
has the decisions, case by case)."""

from __future__ import annotations

from twin.model.objects import Container, Node, Pod
from twin.model.scheduling.priority import PriorityClass, PriorityClasses
from twin.model.workloads import PodRecord
from twin.sim.kubelet import Kubelets
from twin.sim.scheduling import SchedulerLoop
from twin.sim.world import World

GRACE = 30


def world_with_full_node() -> World:
    """One node of 1 CPU, 900m of it taken by `apps/batch` (class batch-low, value 10,
    grace 30 s and a preStop hook longer than that, so it runs out its grace period)."""
    world = World(seed=1)
    world.priority_classes = PriorityClasses((PriorityClass("batch-low", 10),))
    world.add_node(Node("n1", {"kubernetes.io/hostname": "n1"}, allocatable={"cpu": 1000, "memory": 8 << 30, "pods": 110}))
    Kubelets(world)
    SchedulerLoop(world)
    batch = Pod("batch", "apps", containers=(Container("c", {"cpu": 900}, pre_stop_seconds=60),),
                priority_class_name="batch-low", termination_grace_period_seconds=GRACE)
    world.create_pod(PodRecord(batch))
    world.run(until=20)
    return world


def registry_pod(name: str = "image-registry-x") -> PodRecord:
    return PodRecord(Pod(name, "openshift-image-registry", containers=(Container("registry", {"cpu": 200}),),
                         priority_class_name="system-cluster-critical"))


def records(world: World, kind: str):
    return [r for r in world.recorder.records if r.kind == kind]


def test_admission_gives_the_registry_pod_the_system_cluster_critical_priority():
    world = world_with_full_node()
    world.create_pod(registry_pod())
    pod = world.pod("openshift-image-registry/image-registry-x").pod
    assert (pod.priority, pod.preemption_policy) == (2_000_000_000, "PreemptLowerPriority")
    assert world.pod("apps/batch").pod.priority == 10


def test_a_registry_replacement_preempts_and_is_bound_on_the_victims_node_after_the_grace_period():
    world = world_with_full_node()
    world.create_pod(registry_pod())
    world.run(until=100)
    [preempted] = records(world, "Preempted")
    assert (preempted.time, preempted.subject) == (20.0, "openshift-image-registry/image-registry-x")
    assert preempted.details["node"] == "n1" and preempted.details["victims"] == ["apps/batch"]
    terminating = [r for r in records(world, "PodTerminating") if r.subject == "apps/batch"]
    assert [(r.time, r.details["reason"], r.details["grace"]) for r in terminating] == [(20.0, "Preempted", GRACE)]
    [deleted] = [r for r in records(world, "PodDeleted") if r.subject == "apps/batch"]
    assert deleted.time == 20.0 + GRACE
    [bound] = [r for r in records(world, "PodBound") if r.subject.startswith("openshift-image-registry/")]
    assert (bound.time, bound.details["node"]) == (deleted.time, "n1")
    assert world.pod("openshift-image-registry/image-registry-x").status.nominated_node == "n1"


def test_while_the_victim_terminates_the_preemptor_preempts_nothing_more():
    world = world_with_full_node()
    world.create_pod(registry_pod())
    world.run(until=20 + GRACE - 1)
    assert len(records(world, "Preempted")) == 1  # retried meanwhile: not eligible (a terminating victim)
