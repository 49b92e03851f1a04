"""Bad machine pool input (`cluster.machine_pools`, the `scale_pool` fault): pools that
`rosa create machinepool` / `rosa edit machinepool` would refuse (openshift/rosa
`pkg/machinepool/helper.go` `MinReplicaValidator` / `MaxReplicaValidator`,
`machinepool.go` `machinePoolKeyRE`, the Multi-AZ multiple of 3, the cluster's
availability zones; `validation.go` `validateEditInput`), unknown instance types and
zones, duplicate names: one line naming the file and the field, exit 2, nothing written."""

from __future__ import annotations

import json

import pytest
from helpers import twin

from twin.model.registry.resources.nodes import INSTANCE_TYPES

GENERATE = {"zones": 3, "workers_per_zone": 1}
MULTIPLE = ("expected a multiple of 3 on a Multi-AZ pool over 3 zones (rosa: multi AZ clusters require that the "
            "replicas be a multiple of 3), got {}")
UNKNOWN_TYPE = (f"expected an EC2 instance type the twin knows ({len(INSTANCE_TYPES)} types such as m5.xlarge, in "
                "twin/model/registry/resources/instance_types.py), got 'x9.huge'")


def pool(**fields) -> dict:
    return {"name": "extra", **fields}


CASES = [
    ("min above max is refused as rosa refuses it", [pool(autoscaling={"min": 6, "max": 3})],
     "cluster.machine_pools[0].autoscaling.max",
     "expected at least min (rosa: max-replicas must be greater or equal to min-replicas), got min 6 and max 3"),
    ("a max of zero is refused as rosa refuses it", [pool(autoscaling={"min": 0, "max": 0})],
     "cluster.machine_pools[0].autoscaling.max",
     "expected more than zero (rosa: max-replicas must be greater than zero), got 0"),
    ("an unknown instance type is refused", [pool(instance_type="x9.huge", replicas=3)],
     "cluster.machine_pools[0].instance_type", UNKNOWN_TYPE),
    ("a zone the cluster does not have is refused", [pool(zones=["eu-west-1a"], replicas=2)],
     "cluster.machine_pools[0].zones[0]",
     "expected one of the cluster's zones (us-east-1a, us-east-1b, us-east-1c) (rosa: availability zone "
     "'eu-west-1a' doesn't belong to the cluster's availability zones)"),
    ("two of three zones is neither a Single-AZ nor a Multi-AZ pool",
     [pool(zones=["us-east-1a", "us-east-1b"], replicas=2)], "cluster.machine_pools[0].zones",
     "expected one zone (a Single-AZ pool) or all the cluster's zones (us-east-1a, us-east-1b, us-east-1c; a "
     "Multi-AZ pool, as when zones is left out), got us-east-1a, us-east-1b"),
    ("Multi-AZ replicas that are not a multiple of 3 are refused", [pool(replicas=4)],
     "cluster.machine_pools[0].replicas", MULTIPLE.format(4)),
    ("a Multi-AZ autoscaling min that is not a multiple of 3 is refused", [pool(autoscaling={"min": 1, "max": 6})],
     "cluster.machine_pools[0].autoscaling.min", MULTIPLE.format(1)),
    ("a Multi-AZ autoscaling max that is not a multiple of 3 is refused", [pool(autoscaling={"min": 3, "max": 7})],
     "cluster.machine_pools[0].autoscaling.max", MULTIPLE.format(7)),
    ("more replicas than a ROSA Classic pool may have are refused", [pool(replicas=252)],
     "cluster.machine_pools[0].replicas",
     "expected at most 249 (rosa: the limit of a ROSA Classic machine pool), got 252"),
    ("two pools of one name are refused", [pool(replicas=3), pool(replicas=6)], "cluster.machine_pools[1].name",
     "expected machine pool names unique in the cluster, got a second 'extra'"),
    ("replicas and autoscaling together are refused", [pool(replicas=3, autoscaling={"min": 3, "max": 6})],
     "cluster.machine_pools[0]",
     "expected exactly one of replicas or autoscaling (rosa: replicas can't be set when autoscaling is enabled)"),
    ("a pool name rosa would refuse is refused", [{"name": "Infra_1", "replicas": 3}], "cluster.machine_pools[0].name",
     "expected a machine pool name of lower-case letters, digits and '-', starting with a letter and not ending "
     "with '-' (rosa: ^[a-z]([-a-z0-9]*[a-z0-9])?$), got 'Infra_1'"),
    ("a taint with an unknown effect is refused", [pool(replicas=3, taints=[{"key": "a", "effect": "Sometimes"}])],
     "cluster.machine_pools[0].taints[0].effect", "expected NoSchedule, PreferNoSchedule or NoExecute, got 'Sometimes'"),
    ("a provisioning p99 below its median is refused", [pool(replicas=3, provision={"median": "5m", "p99": "1m"})],
     "cluster.machine_pools[0].provision", "p99: expected at least the median (300 s), got 60 s"),
]


def run(capsys, tmp_path, body: dict):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"name": "x", "duration": "5m", **body}))
    code, out, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    return scenario, code, out, err


def assert_refused(tmp_path, scenario, code, out, err, path, message) -> None:
    assert code == 2 and out == ""
    assert err == f"twin: error: {scenario}: {path}: {message}\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name, pools, path, message", CASES, ids=[c[0] for c in CASES])
def test_a_bad_machine_pool_is_one_line_naming_the_field(capsys, tmp_path, monkeypatch, name, pools, path, message):
    monkeypatch.chdir(tmp_path)
    body = {"cluster": {"generate": GENERATE, "machine_pools": pools}}
    assert_refused(tmp_path, *run(capsys, tmp_path, body), path, message)


FAULT_CASES = [
    ("a pool the cluster does not have", {"pool": "ghost", "replicas": 3}, "faults[0].scale_pool.pool",
     "expected a machine pool of the cluster (worker, extra), got 'ghost'"),
    ("replicas that break the Multi-AZ rule", {"pool": "worker", "replicas": 5}, "faults[0].scale_pool.replicas",
     MULTIPLE.format(5)),
    ("a pool that autoscales", {"pool": "extra", "replicas": 6}, "faults[0].scale_pool.pool",
     "expected a pool that does not autoscale (rosa: autoscaling enabled on machine pool 'extra'. can't set replicas)"),
]


@pytest.mark.parametrize("name, target, path, message", FAULT_CASES, ids=[c[0] for c in FAULT_CASES])
def test_a_bad_scale_pool_fault_is_one_line_naming_the_field(capsys, tmp_path, monkeypatch, name, target, path,
                                                             message):
    monkeypatch.chdir(tmp_path)
    body = {"cluster": {"generate": GENERATE, "machine_pools": [pool(autoscaling={"min": 3, "max": 6})]},
            "faults": [{"at": "1m", "scale_pool": target}]}
    assert_refused(tmp_path, *run(capsys, tmp_path, body), path, message)


def test_a_worker_pool_and_generated_workers_together_are_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = {"cluster": {"generate": GENERATE, "machine_pools": [{"name": "worker", "replicas": 3}]}}
    assert_refused(tmp_path, *run(capsys, tmp_path, body), "cluster.generate.workers_per_zone",
                   "expected no workers_per_zone when cluster.machine_pools has a pool named worker (it replaces the "
                   "generated workers)")


def test_a_scale_pool_fault_on_a_cluster_without_pools_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text("apiVersion: v1\nkind: NodeList\nitems:\n- metadata: {name: n0, labels: "
                     "{topology.kubernetes.io/zone: a}}\n  status: {allocatable: {cpu: '4', memory: 16Gi, pods: '110'}}\n")
    body = {"cluster": {"nodes": "nodes.yaml"}, "faults": [{"at": "1m", "scale_pool": {"pool": "worker", "replicas": 2}}]}
    assert_refused(tmp_path, *run(capsys, tmp_path, body), "faults[0].scale_pool.pool",
                   "expected a machine pool of the cluster (none: the cluster has no machine pools), got 'worker'")


def test_a_pool_machine_named_as_a_node_of_the_node_file_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nodes.yaml").write_text(
        "apiVersion: v1\nkind: NodeList\nitems:\n- metadata: {name: p-a-0, labels: {topology.kubernetes.io/zone: a}}\n"
        "  status: {allocatable: {cpu: '4', memory: 16Gi, pods: '110'}}\n")
    body = {"cluster": {"nodes": "nodes.yaml", "machine_pools": [{"name": "p", "replicas": 1}]}}
    assert_refused(tmp_path, *run(capsys, tmp_path, body), "cluster.machine_pools",
                   "expected machine names free in the cluster, got the node 'p-a-0' twice (a machine is named "
                   "<pool>-<zone>-<index>)")
