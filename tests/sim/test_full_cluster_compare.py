"""`zone-failure-full-cluster` both ways (issue: capacity that moves): the registry's
replacement preempts a batch pod whether or not the cluster autoscales — preemption acts
at the scheduling attempt, long before a machine could boot — but the victim then stays
Pending for the rest of the run on fixed nodes, and runs on a new node when the worker
pool autoscales."""

from __future__ import annotations

import copy

import pytest

from twin.run import run_scenario
from twin.scenarios.variation import ScenarioDocument


def autoscaled(document: ScenarioDocument) -> ScenarioDocument:
    body = copy.deepcopy(document.body)
    body["cluster"]["machine_pools"] = [{"name": "worker", "autoscaling": {"min": 3, "max": 6}}]  # was replicas: 3
    body["cluster"]["autoscaler"] = {"scaleDown": {"enabled": True}}
    return ScenarioDocument(body, document.base, document.source)


@pytest.fixture(scope="module")
def runs():
    fixed = ScenarioDocument.read("zone-failure-full-cluster")
    return {name: run_scenario(document.scenario()).records
            for name, document in (("fixed", fixed), ("autoscaled", autoscaled(fixed)))}


def victims(records) -> list[str]:
    return [v for r in records if r.kind == "Preempted" for v in r.details["victims"]]


def replacements_bound(records, after: float) -> list:
    return [r for r in records if r.kind == "PodBound" and r.subject.startswith("batch/") and r.time > after]


def test_the_registry_preempts_a_batch_pod_in_both_clusters_at_the_same_moment(runs):
    fixed = [r for r in runs["fixed"] if r.kind == "Preempted"]
    scaled = [r for r in runs["autoscaled"] if r.kind == "Preempted"]
    assert len(fixed) == len(scaled) == 1
    assert fixed[0].time == scaled[0].time and fixed[0].subject.startswith("openshift-image-registry/")


def test_on_fixed_nodes_the_victims_replacement_never_runs_before_the_zone_returns(runs):
    records = runs["fixed"]
    preempted = next(r for r in records if r.kind == "Preempted").time
    recovery = next(r for r in records if r.kind == "Fault" and r.subject == "zone_recovery").time
    assert all(r.time >= recovery for r in replacements_bound(records, preempted))


def test_with_an_autoscaled_pool_the_victims_replacement_runs_on_a_new_node(runs):
    records = runs["autoscaled"]
    preempted = next(r for r in records if r.kind == "Preempted").time
    added = {r.subject for r in records if r.kind == "NodeAdded" and r.details.get("pool") == "worker" and r.time > 0}
    bound = [r for r in replacements_bound(records, preempted) if r.details["node"] in added]
    assert any(r.kind == "ScaleUp" and r.time > preempted for r in records)
    assert bound, "the preempted batch pod's replacement was not bound to a node the autoscaler added"
