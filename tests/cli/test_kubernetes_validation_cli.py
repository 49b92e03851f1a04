"""The API server's validation and the scenario sanity checks at the command line: one line
`twin: error: FILE: FIELD.PATH: expected ...` on stderr, exit code 2, no traceback; a run
whose invariant had nothing to check exits 1."""

from __future__ import annotations

import json

import pytest
from helpers import data, twin, twin_process

NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n0", "labels": {"kubernetes.io/hostname": "n0"}},
        "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}}}


def nodes_with(**changes) -> dict:
    items = []
    for i in range(4):
        item = json.loads(json.dumps(NODE))
        item["metadata"]["name"] = item["metadata"]["labels"]["kubernetes.io/hostname"] = f"n{i}"
        items.append(item)
    for path, value in changes.items():
        index, *keys = path.split("__")
        target = items[int(index.lstrip("n"))]
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value
    return {"apiVersion": "v1", "kind": "NodeList", "items": items}


NODE_CASES = [
    ("a Node with apiVersion apps/v1", nodes_with(n1__apiVersion="apps/v1"),
     "items[1].apiVersion: expected v1 for a Node, got 'apps/v1'"),
    ("a taint with an empty key", nodes_with(n3__spec__taints=[{"key": "", "effect": "NoSchedule"}]),
     "items[3].spec.taints[0].key: expected a qualified name such as app or example.com/app (name part must be "
     "non-empty), got ''"),
    ("a negative allocatable CPU", nodes_with(n0__status__allocatable={"cpu": "-4", "memory": "1Gi"}),
     "items[0].status.allocatable.cpu: expected a quantity that is not negative, got '-4' (Kubernetes refuses "
     "negative quantities)"),
    ("a label key that is not a qualified name", nodes_with(n2__metadata__labels={"bad key!": "x"}),
     "items[2].metadata.labels['bad key!']: expected a label key such as app or example.com/app (name part must "
     "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character), "
     "got 'bad key!'"),
    ("an empty NodeList", {"apiVersion": "v1", "kind": "NodeList", "items": []}, "expected at least one Node, found none"),
]


@pytest.mark.parametrize("name, document, expected", NODE_CASES, ids=[c[0] for c in NODE_CASES])
def test_a_node_the_api_server_refuses_is_one_line_and_exit_code_2(capsys, tmp_path, name, document, expected):
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps(document))
    code, out, err = twin(capsys, "explain", "--nodes", str(nodes), "--pod", data("pod.yaml"))
    assert (code, out) == (2, "")
    assert err == f"twin: error: {nodes}: {expected}\n"


@pytest.mark.parametrize("text", ["", "null\n"], ids=["an empty file", "a null document"])
def test_a_nodes_file_without_nodes_is_refused(capsys, tmp_path, text):
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text(text)
    code, out, err = twin(capsys, "place", "--nodes", str(nodes))
    assert (code, out) == (2, "")
    assert err == f"twin: error: {nodes}: expected at least one Node, found none\n"


POD_CASES = [
    ("maxSkew 0", "{maxSkew: 0, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule}",
     "spec.topologySpreadConstraints[0].maxSkew: expected a maxSkew > 0, got 0"),
    ("a label selector In without values",
     "{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, "
     "labelSelector: {matchExpressions: [{key: app, operator: In}]}}",
     "spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].values: expected at least one value when "
     "operator is In, got none"),
]


@pytest.mark.parametrize("name, constraint, expected", POD_CASES, ids=[c[0] for c in POD_CASES])
def test_a_pod_the_api_server_refuses_is_one_line_and_exit_code_2(capsys, tmp_path, name, constraint, expected):
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\n"
                   f"spec:\n  containers: [{{name: c}}]\n  topologySpreadConstraints: [{constraint}]\n")
    code, out, err = twin(capsys, "explain", "--nodes", data("nodes.json"), "--pod", str(pod))
    assert (code, out) == (2, "")
    assert err == f"twin: error: {pod}: {expected}\n"


def test_node_affinity_gt_with_a_word_is_refused_in_a_separate_process(tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text("kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  affinity:\n"
                   "    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
                   "        nodeSelectorTerms: [{matchExpressions: [{key: cpus, operator: Gt, values: [four]}]}]\n")
    done = twin_process("explain", "--nodes", data("nodes.json"), "--pod", str(pod))
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr == (f"twin: error: {pod}: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                           ".nodeSelectorTerms[0].matchExpressions[0].values[0]: expected a whole number (a 64-bit "
                           "integer) when operator is Gt, got 'four'\n")


def test_a_fault_after_the_end_of_the_run_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "late.yaml"
    scenario.write_text("name: late\nduration: 30m\nfaults:\n  - {at: 10m, zone_outage: {zone: registry}}\n"
                        "  - {at: 45m, zone_recovery: {zone: registry}}\n")
    code, out, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert (code, out) == (2, "")
    assert err == (f"twin: error: {scenario}: faults[1].at: expected a time within the run (duration 1800 s), got "
                   "2700 s: the run ends before this zone_recovery fault\n")
    assert not (tmp_path / "out").exists()


def test_a_reversed_allowed_window_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "windows.yaml"
    scenario.write_text("name: windows\ninvariants:\n  - {name: registry_availability, allowed_windows: [[20m, 10m]]}\n")
    code, out, err = twin(capsys, "run", str(scenario))
    assert (code, out) == (2, "")
    assert err == (f"twin: error: {scenario}: invariants[0].allowed_windows[0]: expected a window [start, end] with "
                   "start <= end, got [1200 s, 600 s]\n")


def test_a_run_whose_only_invariant_had_nothing_to_check_exits_1(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text("name: tiny\nduration: 5m\ncluster: {generate: {worker: {cpu: 50m}}}\n"
                        "invariants: [{name: max_skew}]\n")
    code, out, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    (verdict,) = summary["invariants"]
    assert (verdict["holds"], verdict["vacuous"]) == (False, True)
    assert verdict["detail"] == "nothing to check: no registry pod was bound"
    assert summary["warnings"][0].startswith(f"{scenario}: cluster: no registry replica can be placed")
