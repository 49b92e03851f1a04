"""`cluster.machine_pools` as a scenario loads it: a generated cluster's workers are the
default pool `worker` (their nodes unchanged), extra pools add their machines' nodes, a
pool named `worker` replaces the generated workers, a node-file cluster's pools use its
nodes' zones; and the summary's node-hours per pool."""

from __future__ import annotations

import doctest
import json

import pytest

from twin.analysis import pools as pool_analysis
from twin.analysis.pools import node_hours, pool_kpis, pool_nodes, pool_sets, start_counts
from twin.model.objects import HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY
from twin.model.registry.resources.nodes import allocatable
from twin.scenarios.load import scenario_from_body
from twin.sim.recorder import Record

GENERATE = {"zones": 3, "workers_per_zone": 2, "control_plane": 3}


def load(tmp_path, cluster: dict, **more):
    return scenario_from_body({"name": "x", "cluster": cluster, **more}, tmp_path, "s.yaml")


def test_machine_pools_leave_the_generated_nodes_as_they_were_and_add_their_own_after_them(tmp_path):
    plain = load(tmp_path, {"generate": GENERATE})
    pooled = load(tmp_path, {"generate": GENERATE, "machine_pools": [
        {"name": "infra", "instance_type": "r5.xlarge", "replicas": 3, "labels": {"node-role.kubernetes.io/infra": ""},
         "taints": [{"key": "node-role.kubernetes.io/infra", "effect": "NoSchedule"}]}]})
    assert pooled.nodes[:len(plain.nodes)] == plain.nodes
    extra = pooled.nodes[len(plain.nodes):]
    assert [n.name for n in extra] == ["infra-us-east-1a-0", "infra-us-east-1b-0", "infra-us-east-1c-0"]
    node = extra[0]
    cpu, memory = allocatable("r5.xlarge")
    assert (node.allocatable["cpu"], node.allocatable["memory"]) == (cpu, memory)
    assert node.labels[HOSTNAME_KEY] == "infra-us-east-1a-0" and node.labels[ZONE_KEY] == "us-east-1a"
    assert node.labels["node.kubernetes.io/instance-type"] == "r5.xlarge" and WORKER_ROLE_KEY in node.labels
    assert [(t.key, t.effect) for t in node.taints] == [("node-role.kubernetes.io/infra", "NoSchedule")]
    assert [(p.name, p.replicas, p.autoscaled) for p in pooled.pools] == [("worker", 6, False), ("infra", 3, False)]


def test_a_generated_cluster_is_the_fixed_pool_worker(tmp_path):
    (worker,) = load(tmp_path, {"generate": GENERATE}).pools
    assert (worker.name, worker.zones, worker.replicas, worker.autoscaled) == (
        "worker", ("us-east-1a", "us-east-1b", "us-east-1c"), 6, False)
    assert [t.name for t in worker.templates] == ["worker-us-east-1a", "worker-us-east-1b", "worker-us-east-1c"]


def test_a_pool_named_worker_replaces_the_generated_workers_and_keeps_their_names(tmp_path):
    scenario = load(tmp_path, {"generate": {"zones": 3, "control_plane": 3}, "machine_pools": [
        {"name": "extra", "replicas": 3}, {"name": "worker", "instance_type": "m5.2xlarge",
                                           "autoscaling": {"min": 3, "max": 9}}]})
    assert [n.name for n in scenario.nodes] == [
        "master-0", "master-1", "master-2", "worker-us-east-1a-0", "worker-us-east-1b-0", "worker-us-east-1c-0",
        "extra-us-east-1a-0", "extra-us-east-1b-0", "extra-us-east-1c-0"]
    assert scenario.nodes[3].allocatable["cpu"] == allocatable("m5.2xlarge")[0]
    assert [(p.name, p.min_replicas, p.max_replicas) for p in scenario.pools] == [("worker", 3, 9), ("extra", None, None)]


def test_an_m5_xlarge_pool_node_is_allocated_as_a_generated_worker(tmp_path):
    scenario = load(tmp_path, {"generate": GENERATE, "machine_pools": [{"name": "same", "replicas": 3}]})
    generated, pooled = scenario.nodes[3], scenario.nodes[-1]
    assert pooled.allocatable == generated.allocatable


def test_a_single_az_pool_holds_all_its_replicas_in_its_zone(tmp_path):
    scenario = load(tmp_path, {"generate": GENERATE, "machine_pools": [
        {"name": "single", "zones": ["us-east-1b"], "replicas": 2}]})
    assert [n.name for n in scenario.nodes[-2:]] == ["single-us-east-1b-0", "single-us-east-1b-1"]


def test_a_node_file_cluster_has_no_default_pool_and_its_pools_use_its_zones(tmp_path):
    (tmp_path / "nodes.yaml").write_text(
        "apiVersion: v1\nkind: NodeList\nitems:\n" + "".join(
            f"- metadata: {{name: n{z}, labels: {{topology.kubernetes.io/zone: eu-{z}, "
            f"topology.kubernetes.io/region: eu}}}}\n  status: {{allocatable: {{cpu: '4', memory: 16Gi, pods: '110'}}}}\n"
            for z in "ab"))
    scenario = load(tmp_path, {"nodes": "nodes.yaml", "machine_pools": [{"name": "p", "replicas": 2}]})
    assert [p.name for p in scenario.pools] == ["p"]
    assert [n.name for n in scenario.nodes] == ["na", "nb", "p-eu-a-0", "p-eu-b-0"]
    assert scenario.nodes[-1].labels["topology.kubernetes.io/region"] == "eu"


def record(time, kind, subject, **details):
    return Record(time, 0, kind, subject, details)


def test_node_hours_count_each_pool_node_from_registration_to_removal(tmp_path):
    scenario = load(tmp_path, {"generate": {"zones": 1, "workers_per_zone": 1, "control_plane": 1},
                               "machine_pools": [{"name": "p", "replicas": 1}]})
    records = [record(1800.0, "NodeAdded", "p-us-east-1a-1", pool="p"), record(2700.0, "NodeRemoved", "p-us-east-1a-1"),
               record(2700.0, "MachineDeleted", "x", pool="p", reason="NotRegistered"),
               record(3000.0, "NodeAdded", "stranger")]
    kpis = pool_kpis(records, scenario.pools, [n.name for n in scenario.nodes], 3600.0)
    assert kpis["p"] == {"machine_sets": ["p-us-east-1a"], "node_hours": 1.25, "nodes_at_start": 1, "nodes_at_end": 1,
                         "max_nodes": 2, "machines_not_registered": 1}
    assert kpis["worker"]["node_hours"] == 1.0
    sets = pool_sets(scenario.pools)
    frame = pool_nodes(records, start_counts([n.name for n in scenario.nodes], sets), sets)
    assert node_hours(frame, 3600.0) == {"p": 1.25, "worker": 1.0}
    json.dumps(kpis)  # the summary document is JSON


def test_the_pool_analysis_worked_examples_hold():
    assert doctest.testmod(pool_analysis).failed == 0


def test_the_report_places_a_machine_pool_node_in_its_zone_not_ready_at_registration():
    from twin.analysis.cluster import snapshot_before
    cluster = {"nodes": [{"name": "worker-us-east-1a-0", "zone": "us-east-1a", "roles": ["worker"]}], "pods": []}
    records = [record(300.0, "NodeAdded", "p-us-east-1b-0", pool="p", zone="us-east-1b", machine="p-us-east-1b-0",
                      ready="False")]
    nodes = snapshot_before(records, cluster).nodes
    assert nodes[nodes["node"] == "p-us-east-1b-0"][["zone", "ready"]].values.tolist() == [["us-east-1b", "False"]]
