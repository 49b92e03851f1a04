"""The cluster autoscaler in simulated time, against a fake cloud provider whose machines
register as Nodes 60 s after they are asked for (`tests/fake_cloud.py`)."""

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
from twin.sim.kubelet import Kubelets
from twin.sim.scheduling import SchedulerLoop
from twin.sim.world import World

RS = (OwnerReference("ReplicaSet", "web-1"),)


def cluster(settings: AutoscalerSettings | None = None, delay: float = 60.0):
    world = World(seed=3)
    scheduler = SchedulerLoop(world)
    Kubelets(world)
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


def test_a_group_in_backoff_is_skipped_and_another_group_is_used():
    """Zone a's machines fail to provision (the fake's broken group): the group backs off
    5 min (`exponential_backoff.go`) and the next scan grows zone b instead."""
    world, scheduler, disruption, cloud, settings = cluster(AutoscalerSettings(expanders=("priority",),
                                                                               priorities=((10, ("zone-a",)),)))
    cloud.add_group("zone-a", template("a"), max_size=5, broken=True)
    cloud.add_group("zone-b", template("b"), max_size=5)
    world.add_node(node("cp").zone("a").cpu("1").build())
    pending(world, "p", "2")
    start(world, scheduler, disruption, cloud, settings)
    world.run(until=400.0)
    ups = [(r.subject, r.time) for r in kinds(world, "ScaleUp")]
    assert ups[0][0] == "zone-a", "the priority expander prefers zone-a"
    failed = kinds(world, "ScaleUpFailed")
    assert failed[0].subject == "zone-a" and failed[0].details["backoff_until"] == failed[0].time + 300.0
    assert ups[1][0] == "zone-b" and failed[0].time <= ups[1][1] <= failed[0].time + settings.scan_interval
    later = [r for r in kinds(world, "NoScaleUp") + kinds(world, "ScaleUp") if r.time > failed[0].time]
    assert all(r.subject != "zone-a" for r in later)
    assert world.pod("default/p").pod.node_name == "zone-b-1"


def test_an_underused_node_is_drained_and_removed_after_the_unneeded_time():
    """Two nodes; one holds a small replicated pod that fits the other: after
    unneeded-time (10 min) the autoscaler taints it, evicts the pod and deletes it."""
    world, scheduler, disruption, cloud, settings = cluster()
    cloud.add_group("workers", template("a"), min_size=1, max_size=5, existing=2)
    running(world, "keep", "workers-1", "1")
    running(world, "small", "workers-2", "500m")
    start(world, scheduler, disruption, cloud, settings)
    world.run(until=900.0)
    downs = kinds(world, "ScaleDown")
    assert len(downs) == 1 and downs[0].subject in ("workers-1", "workers-2")
    assert downs[0].details["reason"] == "underutilized"
    assert settings.unneeded_time <= downs[0].time <= settings.unneeded_time + settings.scan_interval
    assert [r.subject for r in kinds(world, "NodeDeletedByAutoscaler")] == [downs[0].subject]
    assert world.node(downs[0].subject) is None and len(cloud.groups["workers"].nodes) == 1
    evicted = [r for r in kinds(world, "Eviction") if r.details["code"] == 200]
    assert len(evicted) == 1


def test_a_node_at_its_groups_min_size_stays():
    world, scheduler, disruption, cloud, settings = cluster()
    cloud.add_group("workers", template("a"), min_size=2, max_size=5, existing=2)
    running(world, "small", "workers-2", "500m")
    start(world, scheduler, disruption, cloud, settings)
    world.run(until=1200.0)
    assert not kinds(world, "ScaleDown")


def test_a_pdb_that_allows_no_disruption_blocks_scale_down():
    """The only pod on the underused node is covered by a PDB with minAvailable 1 (one
    healthy pod, so no disruption allowed): the node is never unneeded (NotEnoughPdb)."""
    world, scheduler, disruption, cloud, settings = cluster()
    cloud.add_group("workers", template("a"), min_size=1, max_size=5, existing=2)
    running(world, "keep", "workers-1", "3", labels={"app": "other"})
    running(world, "guarded", "workers-2", "500m", labels={"app": "db"})
    world.store.put("PodDisruptionBudget", "default/db",
                    PodDisruptionBudget("db", "default", LabelSelector.of({"app": "db"}), min_available=1))
    start(world, scheduler, disruption, cloud, settings)
    world.run(until=1500.0)
    assert not kinds(world, "ScaleDown")
    assert not [r for r in kinds(world, "Eviction") if r.details["code"] == 200]
    assert all(TO_BE_DELETED_TAINT not in [t.key for t in world.node(n).taints] for n in ("workers-1", "workers-2"))


def test_nodes_that_do_not_register_within_max_node_provision_time_back_the_group_off():
    """The fake's machines take 20 min; max-node-provision-time is 15 min
    (`clusterstate.updateScaleRequests`: "Scale-up timed out")."""
    world, scheduler, disruption, cloud, settings = cluster(delay=1200.0)
    cloud.add_group("slow", template("a"), max_size=5)
    world.add_node(node("cp").zone("a").cpu("1").build())
    pending(world, "p", "2")
    start(world, scheduler, disruption, cloud, settings)
    world.run(until=1000.0)
    failed = kinds(world, "ScaleUpFailed")
    assert [r.subject for r in failed] == ["slow"]
    assert failed[0].details["reason"] == "nodes did not register within max-node-provision-time"
    assert settings.max_node_provision_time < failed[0].time <= settings.max_node_provision_time + settings.scan_interval


def records_of(seed_run) -> list:
    return [(r.time, r.kind, r.subject, sorted(r.details.items())) for r in seed_run.recorder.records]


def test_the_same_cluster_and_seed_give_the_same_records():
    def one_run():
        world, scheduler, disruption, cloud, settings = cluster(AutoscalerSettings(expanders=("random",)))
        for zone in "abc":
            cloud.add_group(f"zone-{zone}", template(zone), max_size=5)
        world.add_node(node("cp").zone("a").cpu("1").build())
        for i in range(4):
            pending(world, f"p{i}", "3")
        start(world, scheduler, disruption, cloud, settings)
        world.run(until=900.0)
        return world
    assert records_of(one_run()) == records_of(one_run())
