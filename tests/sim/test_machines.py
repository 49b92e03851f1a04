"""Machines in simulated time (`twin/sim/machines.py`): a `scale_pool` fault adds
machines whose nodes register NotReady after the provisioning delay and become
schedulable once Ready; a zone under outage provides no instances, and a machine that
never registers is deleted after max-node-provision-time; the CloudProvider's
`delete_nodes` removes machines and their Nodes."""

from __future__ import annotations

import pytest
from build import first, simulate, write

from twin.model.controllers.node_taints import NOT_READY_TAINT_KEY
from twin.run import build_world, run_scenario
from twin.scenarios.load import load_scenario

ONE_PER_ZONE = {"generate": {"zones": 3, "workers_per_zone": 1, "control_plane": 3}}
FIXED = {"provision": {"median": "4m", "p99": "4m"}, "node_ready": {"median": "1m", "p99": "1m"}}


def world_of(tmp_path, until: float, **changes):
    scenario = load_scenario(write(tmp_path, **changes))
    world, faults, _ = build_world(scenario, scenario.spec.seed, scenario.spec.openshift)
    world.env.process(faults.run(list(scenario.spec.faults)))
    if until > 0:
        world.run(until=until)
    return world, faults.machines


def test_a_scaled_pool_registers_nodes_not_ready_after_the_provisioning_delay_then_they_turn_ready(tmp_path):
    cluster = {**ONE_PER_ZONE, "machine_pools": [{"name": "extra", "replicas": 3, **FIXED}]}
    result = simulate(tmp_path, cluster=cluster, duration="12m",
                      faults=[{"at": "1m", "scale_pool": {"pool": "extra", "replicas": 6}}])
    records = result.records
    created = first(records, "MachineCreated", "extra-us-east-1a-1")
    added = first(records, "NodeAdded", "extra-us-east-1a-1")
    assert (created.time, created.details) == (60.0, {"pool": "extra", "zone": "us-east-1a",
                                                      "group": "extra-us-east-1a"})
    assert added.time == 60.0 + 240.0 and added.details == {"pool": "extra", "zone": "us-east-1a",
                                                           "machine": "extra-us-east-1a-1", "ready": "False"}
    ready = first(records, "NodeCondition", "extra-us-east-1a-1", ready="True")
    assert added.time + 60.0 <= ready.time <= added.time + 60.0 + 10.0 + 5.0  # next status post, next monitor pass
    assert first(records, "NodeTaints", "extra-us-east-1a-1", after=ready.time).details == {"taints": []}


def test_new_nodes_take_pods_only_once_ready(tmp_path):
    """A workload of 6 pods of 2 CPUs fits 3 on the 3 workers (3500m each); the 3 others
    wait for the pool's new nodes, which the not-ready taint keeps them off until Ready."""
    cluster = {**ONE_PER_ZONE, "machine_pools": [{"name": "worker", "replicas": 3, **FIXED}]}
    cluster["generate"] = {"zones": 3, "control_plane": 3}
    result = simulate(tmp_path, cluster=cluster, duration="12m",
                      workloads=[{"name": "big", "replicas": 6, "requests": {"cpu": "2"}}],
                      faults=[{"at": "1m", "scale_pool": {"pool": "worker", "replicas": 6}}])
    records = result.records
    new_nodes = {f"worker-us-east-1{z}-1" for z in "abc"}
    bound = [r for r in records if r.kind == "PodBound" and r.details.get("node") in new_nodes
             and r.subject.startswith("apps/big-")]  # node-ca's DaemonSet pods tolerate every taint
    assert len(bound) == 3
    for r in bound:
        ready = first(records, "NodeCondition", r.details["node"], ready="True")
        assert ready is not None and r.time >= ready.time
    assert first(records, "NodeTaints", "worker-us-east-1a-1").details["taints"][0] == f"{NOT_READY_TAINT_KEY}:NoSchedule"


def test_a_zone_under_outage_fails_its_machines_which_are_deleted_at_once_as_creation_errors(tmp_path):
    cluster = {**ONE_PER_ZONE, "machine_pools": [{"name": "extra", "replicas": 3, **FIXED}]}
    faults = [{"at": "30s", "zone_outage": {"zone": "us-east-1c"}},
              {"at": "1m", "scale_pool": {"pool": "extra", "replicas": 6}}]
    world, machines = world_of(tmp_path, 20 * 60.0, cluster=cluster, faults=faults)
    records = world.recorder.records
    failed = first(records, "MachineFailed", "extra-us-east-1c-1")
    assert (failed.time, failed.details["reason"]) == (60.0, "InsufficientInstanceCapacity")
    assert first(records, "NodeAdded", "extra-us-east-1c-1") is None
    deleted = first(records, "MachineDeleted", "extra-us-east-1c-1")
    assert (deleted.time, deleted.details["reason"], deleted.details["registered"]) == (60.0, "InsufficientInstanceCapacity",
                                                                                         False)
    groups = {g.id: g for g in machines.node_groups()}
    assert machines.failed_scale_ups("extra-us-east-1c") == 1 and groups["extra-us-east-1c"].target_size == 1
    assert machines.failed_scale_ups("extra-us-east-1a") == 0 and groups["extra-us-east-1a"].target_size == 2
    assert groups["extra-us-east-1a"].nodes == ("extra-us-east-1a-0", "extra-us-east-1a-1")


def test_a_machine_slower_than_max_node_provision_time_is_deleted_too(tmp_path):
    slow = {"provision": {"median": "20m", "p99": "20m"}}
    cluster = {**ONE_PER_ZONE, "machine_pools": [{"name": "slow", "zones": ["us-east-1a"], "replicas": 1, **slow}]}
    world, machines = world_of(tmp_path, 25 * 60.0, cluster=cluster,
                               faults=[{"at": "0s", "scale_pool": {"pool": "slow", "replicas": 2}}])
    assert first(world.recorder.records, "MachineDeleted", "slow-us-east-1a-1", reason="NotRegistered").time == 900.0
    assert world.node("slow-us-east-1a-1") is None and machines.failed_scale_ups("slow-us-east-1a") == 1


def autoscaled(tmp_path, until: float):
    cluster = {**ONE_PER_ZONE, "machine_pools": [{"name": "burst", "autoscaling": {"min": 0, "max": 6}, **FIXED}]}
    return world_of(tmp_path, until, cluster=cluster)


def test_increase_size_adds_machines_whose_nodes_join_the_group(tmp_path):
    world, machines = autoscaled(tmp_path, 0.0)
    machines.increase_size("burst-us-east-1b", 2)
    world.run(until=10 * 60.0)
    group = {g.id: g for g in machines.node_groups()}["burst-us-east-1b"]
    assert (group.target_size, group.min_size, group.max_size) == (2, 0, 2)
    assert group.nodes == ("burst-us-east-1b-0", "burst-us-east-1b-1")
    assert machines.node_group_for("burst-us-east-1b-1") == "burst-us-east-1b"
    assert machines.node_group_for("master-0") is None
    assert all(world.node(n).ready == "True" for n in group.nodes)


def test_delete_nodes_removes_the_machines_and_their_nodes_and_lowers_the_target(tmp_path):
    world, machines = autoscaled(tmp_path, 0.0)
    machines.increase_size("burst-us-east-1b", 2)
    world.run(until=10 * 60.0)
    machines.delete_nodes("burst-us-east-1b", ["burst-us-east-1b-0"])
    world.run(until=11 * 60.0)
    group = {g.id: g for g in machines.node_groups()}["burst-us-east-1b"]
    assert (group.target_size, group.nodes) == (1, ("burst-us-east-1b-1",))
    assert world.node("burst-us-east-1b-0") is None and "burst-us-east-1b-0" not in world.runtime
    assert machines.node_group_for("burst-us-east-1b-0") is None
    deleted = first(world.recorder.records, "MachineDeleted", "burst-us-east-1b-0")
    assert deleted.details == {"pool": "burst", "zone": "us-east-1b", "group": "burst-us-east-1b",
                               "reason": "ScaleDown", "registered": True}
    assert first(world.recorder.records, "NodeRemoved", "burst-us-east-1b-0").time == 600.0
    assert first(world.recorder.records, "MachineCreated", "burst-us-east-1b-2") is None  # no replacement


def test_the_cloud_provider_refuses_sizes_outside_the_group_bounds(tmp_path):
    world, machines = autoscaled(tmp_path, 0.0)
    with pytest.raises(ValueError):
        machines.increase_size("burst-us-east-1a", 3)  # max 2 per MachineSet
    with pytest.raises(ValueError):
        machines.increase_size("burst-us-east-1a", 0)
    with pytest.raises(ValueError):
        machines.delete_nodes("burst-us-east-1a", ["worker-us-east-1a-0"])


def test_scaling_a_pool_down_deletes_machines_and_their_nodes(tmp_path):
    cluster = {**ONE_PER_ZONE, "machine_pools": [{"name": "extra", "replicas": 6, **FIXED}]}
    world, machines = world_of(tmp_path, 120.0, cluster=cluster,
                               faults=[{"at": "1m", "scale_pool": {"pool": "extra", "replicas": 3}}])
    deleted = [r for r in world.recorder.records if r.kind == "MachineDeleted"]
    assert len(deleted) == 3 and {r.details["reason"] for r in deleted} == {"ScaleDown"}
    assert [g.target_size for g in machines.node_groups() if g.pool == "extra"] == [1, 1, 1]
    assert sum(1 for n in world.store.list("Node") if n.name.startswith("extra-")) == 3


def test_the_same_seed_gives_the_same_machines(tmp_path):
    cluster = {**ONE_PER_ZONE, "machine_pools": [{"name": "extra", "replicas": 3}]}
    faults = [{"at": "1m", "scale_pool": {"pool": "extra", "replicas": 9}}]
    runs = [simulate(tmp_path, cluster=cluster, duration="10m", faults=faults).records for _ in range(2)]
    kinds = ("MachineCreated", "NodeAdded", "NodeCondition")
    a, b = ([(r.time, r.kind, r.subject) for r in run if r.kind in kinds] for run in runs)
    assert a == b and len(a) > 9
