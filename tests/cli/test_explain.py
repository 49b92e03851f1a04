"""`twin explain`: the JSON contract and the table."""

from __future__ import annotations

from helpers import data, twin, twin_json

from twin.model.scheduling.profile import FILTER_NAMES

ARGS = ("explain", "--nodes", data("nodes.json"), "--pods", data("pods.yaml"), "--pod", data("pod.yaml"))


def test_the_json_document_has_the_documented_top_level_keys(capsys):
    doc = twin_json(capsys, *ARGS)
    assert set(doc) == {"pod", "selected", "nodes", "warnings"}
    assert doc["pod"] == "openshift-image-registry/image-registry-new-1"


def test_every_filter_plugin_is_reported_on_every_node(capsys):
    doc = twin_json(capsys, *ARGS)
    assert len(doc["nodes"]) == 9
    for entry in doc["nodes"].values():
        assert list(entry["filters"]) == list(FILTER_NAMES)
        assert entry["status"] in ("Success", "Unschedulable", "UnschedulableAndUnresolvable")


def test_old_revision_pods_push_the_new_pod_to_the_empty_zone(capsys):
    doc = twin_json(capsys, *ARGS)
    assert doc["selected"] in ("worker-us-east-1c-0", "worker-us-east-1c-1")
    blocked = doc["nodes"]["worker-us-east-1a-1"]
    assert blocked["status"] == "Unschedulable" and blocked["failed_plugin"] == "PodTopologySpread"


def test_a_master_names_the_first_failing_plugin_but_lists_all_failures(capsys):
    master = twin_json(capsys, *ARGS)["nodes"]["master-0"]
    assert master["failed_plugin"] == "TaintToleration"
    assert master["filters"]["PodTopologySpread"] == {
        "status": "UnschedulableAndUnresolvable",
        "reasons": ["node(s) didn't match pod topology spread constraints (missing required label)"],
    }


def test_scores_and_total_appear_only_on_nodes_that_pass_every_filter(capsys):
    for entry in twin_json(capsys, *ARGS)["nodes"].values():
        if entry["status"] == "Success":
            weights = {"TaintToleration": 3, "NodeResourcesFit": 1, "NodeResourcesBalancedAllocation": 1,
                       "ImageLocality": 1}
            assert entry["total"] == sum(weights[p] * s for p, s in entry["scores"].items())
        else:
            assert "scores" not in entry and "total" not in entry


def test_without_existing_pods_every_worker_passes(capsys):
    doc = twin_json(capsys, "explain", "--nodes", data("nodes.json"), "--pod", data("pod.yaml"))
    assert sum(e["status"] == "Success" for e in doc["nodes"].values()) == 6


def test_the_table_names_the_selected_node_and_the_reasons(capsys):
    code, out, _ = twin(capsys, *ARGS)
    assert code == 0
    assert "selected worker-us-east-1c" in out
    assert "PodTopologySpread: node(s) didn't match pod topology spread constraints" in out
