"""Bad input: one line naming the file and the field path, exit code 2, no traceback,
nothing written to stdout."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import data, twin, twin_process

NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"kubernetes.io/hostname": "n1"}},
        "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}}}


def node_list(*changes) -> dict:
    items = [json.loads(json.dumps(NODE)) for _ in range(4)]
    for i, item in enumerate(items):
        item["metadata"]["name"] = f"n{i}"
    for change in changes:
        change(items)
    return {"apiVersion": "v1", "kind": "NodeList", "items": items}


def set_path(index, path, value):
    def change(items):
        target = items[index]
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return change


NODE_CASES = [
    ("a misspelled taint effect",
     node_list(set_path(3, ("spec", "taints"), [{"key": "k", "effect": "NoSchedul"}])),
     "items[3].spec.taints[0].effect: expected NoSchedule, PreferNoSchedule or NoExecute, got 'NoSchedul'"),
    ("a bad quantity",
     node_list(set_path(1, ("status", "allocatable", "cpu"), "4 cores")),
     "items[1].status.allocatable.cpu: expected a Kubernetes quantity such as 100m, 256Mi, 4 or 16Gi, got '4 cores'"),
    ("a missing node name",
     node_list(set_path(2, ("metadata",), {"labels": {}})),
     "items[2].metadata.name: required field is missing"),
    ("a label value that is not a string",
     node_list(set_path(0, ("metadata", "labels"), {"zone": 1})),
     "items[0].metadata.labels.zone: expected a string, got 1"),
    ("a duplicate node name",
     node_list(set_path(2, ("metadata", "name"), "n1")),
     "items[2].metadata.name: duplicate node 'n1'"),
    ("the wrong kind",
     {"apiVersion": "v1", "kind": "PodList", "items": [{"kind": "Pod", "metadata": {"name": "p"}}]},
     "items[0].kind: expected Node, got 'Pod'"),
]


@pytest.mark.parametrize("name, document, expected", NODE_CASES, ids=[c[0] for c in NODE_CASES])
def test_bad_nodes_are_reported_with_file_and_field_path(capsys, tmp_path, name, document, expected):
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps(document))
    code, out, err = twin(capsys, "explain", "--nodes", str(nodes), "--pod", data("pod.yaml"))
    assert code == 2 and out == ""
    assert err == f"twin: error: {nodes}: {expected}\n"


POD_CASES = [
    ("an unknown whenUnsatisfiable", {"whenUnsatisfiable": "DoNotSchedul"},
     "spec.topologySpreadConstraints[0].whenUnsatisfiable: expected DoNotSchedule or ScheduleAnyway, got 'DoNotSchedul'"),
    ("an unknown selector operator",
     {"labelSelector": {"matchExpressions": [{"key": "a", "operator": "Inn", "values": ["x"]}]}},
     "spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].operator: "
     "expected In, NotIn, Exists or DoesNotExist, got 'Inn'"),
    ("maxSkew given as text", {"maxSkew": "one"},
     "spec.topologySpreadConstraints[0].maxSkew: expected an integer, got 'one'"),
    ("a missing topologyKey", {"topologyKey": None},
     "spec.topologySpreadConstraints[0].topologyKey: required field is missing"),
]


@pytest.mark.parametrize("name, change, expected", POD_CASES, ids=[c[0] for c in POD_CASES])
def test_bad_pods_are_reported_with_file_and_field_path(capsys, tmp_path, name, change, expected):
    constraint = {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", **change}
    constraint = {k: v for k, v in constraint.items() if v is not None}
    pod = tmp_path / "pod.yaml"
    pod.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                   "spec": {"containers": [{"name": "c"}], "topologySpreadConstraints": [constraint]}}))
    code, out, err = twin(capsys, "explain", "--nodes", data("nodes.json"), "--pod", str(pod))
    assert code == 2 and out == ""
    assert err == f"twin: error: {pod}: {expected}\n"


def test_a_pod_bound_to_an_unknown_node_is_an_error(capsys, tmp_path):
    pods = tmp_path / "pods.yaml"
    pods.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\n"
                    "spec: {nodeName: ghost, containers: [{name: c}]}\n")
    code, _, err = twin(capsys, "explain", "--nodes", data("nodes.json"), "--pods", str(pods), "--pod", data("pod.yaml"))
    assert code == 2
    assert err == f"twin: error: {pods}: spec.nodeName: expected the name of a node in the node list, got 'ghost'\n"


def test_malformed_yaml_names_the_line(capsys, tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text("kind: Pod\nmetadata: {name: p\nspec: {}\n")
    code, _, err = twin(capsys, "explain", "--nodes", data("nodes.json"), "--pod", str(pod))
    assert code == 2
    assert err.startswith(f"twin: error: {pod}: line ") and "malformed YAML" in err and err.count("\n") == 1


def test_malformed_json_names_the_line_and_column(capsys, tmp_path):
    nodes = tmp_path / "nodes.json"
    nodes.write_text('{"kind": "NodeList", "items": [}')
    code, _, err = twin(capsys, "explain", "--nodes", str(nodes), "--pod", data("pod.yaml"))
    assert code == 2
    assert err.startswith(f"twin: error: {nodes}: line 1 column ") and "malformed JSON" in err


def test_a_missing_file_is_reported_without_a_traceback(capsys, tmp_path):
    code, _, err = twin(capsys, "explain", "--nodes", str(tmp_path / "absent.json"), "--pod", data("pod.yaml"))
    assert code == 2 and "cannot read file" in err


def test_an_unknown_openshift_version_is_an_error(capsys):
    code, _, err = twin(capsys, "place", "--openshift", "4.9")
    assert code == 2 and err == "twin: error: --openshift: expected 4.21, 4.22 or 4.23, got '4.9'\n"


def test_a_config_with_negative_replicas_is_refused_as_the_operator_does(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: imageregistry.operator.openshift.io/v1\nkind: Config\n"
                      "metadata: {name: cluster}\nspec: {replicas: -1, storage: {s3: {}}}\n")
    code, out, err = twin(capsys, "render", "--config", str(config), "--nodes", data("nodes.json"))
    assert code == 2 and out == ""
    assert err.startswith(f"twin: error: {config}: spec.replicas: must not be negative, got -1")
    assert "VerificationFailed" in err


def test_an_rwo_claim_with_two_replicas_is_refused(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: imageregistry.operator.openshift.io/v1\nkind: Config\nmetadata: {name: cluster}\n"
                      "spec: {replicas: 2, rolloutStrategy: Recreate, storage: {pvc: {claim: reg}}}\n")
    claim = tmp_path / "claim.yaml"
    claim.write_text("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: reg, namespace: openshift-image-registry}\n"
                     "spec: {accessModes: [ReadWriteOnce]}\n")
    code, _, err = twin(capsys, "render", "--config", str(config), "--nodes", data("nodes.json"), "--objects", str(claim))
    assert code == 2 and "PVC Issues Found" in err


def test_the_installed_command_prints_one_line_and_no_traceback(tmp_path):
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps(node_list(set_path(3, ("spec", "taints"), [{"key": "k", "effect": "NoSchedul"}]))))
    done = twin_process("explain", "--nodes", str(nodes), "--pod", data("pod.yaml"))
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "items[3].spec.taints[0].effect" in done.stderr
