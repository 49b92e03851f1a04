"""The cluster autoscaler in simulated time, against a fake cloud provider whose machines
register as Nodes 60 s after they are asked for (`tests/sim/fake_cloud.py`)."""

from __future__ import annotations

from dataclasses import replace

from builders import node, pod
from fake_cloud import FakeCloud

from twin.model.autoscaling.settings import AutoscalerSettings
from twin.model.labels import LabelSelector
from twin.model.objects import OwnerReference
from twin.model.workloads import PodDisruptionBudget, PodRecord, PodStatus
from twin.sim.autoscaler import TO_BE_DELETED_TAINT, ClusterAutoscaler
from twin.sim.disruption import DisruptionController
from twin.sim.scheduling import SchedulerLoop
from twin.sim.world import World

RS = (OwnerReference("ReplicaSet", "web-1"),)


def cluster(settings: AutoscalerSettings | None = None, delay: float = 60.0):
    world = World(seed=3)
    scheduler = SchedulerLoop(world)
    disruption = DisruptionController(world)
    cloud = FakeCloud(world, delay)
    return world, scheduler, disruption, cloud, settings or AutoscalerSettings()


def start(world, scheduler, disruption, cloud, settings) -> ClusterAutoscaler:
    return ClusterAutoscaler(world, scheduler, disruption, cloud, settings)


def template(zone: str, cpu: str = "4", memory: str = "16Gi"):
    return node("t").zone(zone).worker().cpu(cpu).memory(memory).build()


def running(world, name: str, on: str, cpu: str, owners=RS, labels=None, **changes) -> None:
    built = replace(pod(name).labels(**(labels or {"app": "web"})).req(cpu=cpu, memory="1Gi").on(on).build(),
                    owner_references=owners, **changes)
    world.put_pod(PodRecord(built, PodStatus(phase="Running", ready=True, ready_since=0.0, started=0.0)))


def pending(world, name: str, cpu: str, **changes) -> None:
    built = replace(pod(name).labels(app="web").req(cpu=cpu, memory="1Gi").build(), owner_references=RS, **changes)
    world.create_pod(PodRecord(built))


def kinds(world, kind: str):
    return [r for r in world.recorder.records if r.kind == kind]


def test_a_pending_pod_that_fits_a_template_triggers_a_scale_up_within_one_scan_interval():
    world, scheduler, disruption, cloud, settings = cluster()
    cloud.add_group("workers-a", template("a"), min_size=1, max_size=5, existing=1)
    running(world, "big", "workers-a-1", "3500m")
    start(world, scheduler, disruption, cloud, settings)
    world.run(until=15.0)
    pending(world, "new", "2")
    world.run(until=15.0 + settings.scan_interval + 0.001)
    ups = kinds(world, "ScaleUp")
    assert [(r.subject, r.details["delta"], r.details["pods"]) for r in ups] == [("workers-a", 1, ["default/new"])]
    assert 15.0 <= ups[0].time <= 15.0 + settings.scan_interval
    world.run(until=200.0)
    bound = [r for r in kinds(world, "PodBound") if r.subject == "default/new"]
    assert bound and bound[0].details["node"] == "workers-a-2"
    assert len(kinds(world, "ScaleUp")) == 1, "the upcoming node holds the pod: no second scale-up while it boots"
