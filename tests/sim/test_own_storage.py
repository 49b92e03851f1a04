"""A registry whose storage is each pod's own (emptyDir: CIRO `pkg/storage/emptydir`, no
replica check; `spec/openshift-cluster.md` §6): content is lost when a pod is replaced
and is not shared between replicas."""

from __future__ import annotations

import copy

import pytest

from twin.analysis.outcome import evaluate
from twin.scenarios.variation import ScenarioDocument, cut_faults
from twin.sim.traffic.pod import PodContent

SCENARIO = "emptydir-rollout-data-loss"


def verdict(body_changes: dict | None = None, storage: dict | None = None, replicas: int | None = None) -> dict:
    doc = ScenarioDocument.read(SCENARIO)
    body = copy.deepcopy(doc.body)
    body.update(body_changes or {})
    cut_faults(body)  # a shorter run leaves out the rollout at 10 min (a fault after the end is refused)
    spec = body["registry"]["config"]["spec"]
    if storage is not None:
        spec["storage"] = storage
    if replicas is not None:
        spec["replicas"] = replicas
    outcome = evaluate(ScenarioDocument(body, doc.base, doc.source).scenario())
    return next(v for v in outcome.document["invariants"] if v["name"] == "no_content_lost")


def test_after_a_rollout_the_new_pods_are_empty_and_refuse_pulls():
    v = verdict()
    assert not v["holds"] and v["evidence"]["by_kind"]["manifest_get"] > 1000


def test_before_the_rollout_pulls_are_served_but_pushes_split_over_two_pods_fail():
    """A push's layers go over several connections, balanced over both pods; its manifest
    put finds on its pod only the layers that went there (400 MANIFEST_BLOB_UNKNOWN)."""
    v = verdict({"duration": "9m"})
    assert "manifest_get" not in v["evidence"]["by_kind"] and "blob_get" not in v["evidence"]["by_kind"]
    assert v["evidence"]["by_kind"]["manifest_put"] > 0


def test_one_replica_on_emptydir_takes_its_pushes_until_it_is_replaced():
    v = verdict({"duration": "9m"}, replicas=1)
    assert v["holds"] and v["evidence"]["refused"] == 0


def test_the_same_load_on_shared_storage_loses_nothing():
    v = verdict(storage={"s3": {}})
    assert v["holds"] and v["evidence"]["refused"] == 0 and v["evidence"]["requests"] > 10000


@pytest.mark.parametrize("seeded, pushed, blob, served, put_refused", [
    # a pod serving before the traffic: pulls get the catalogue's version; a blob a client
    # pushes as new (fresh) must be pushed to this pod before a manifest naming it is put here
    (True, set(), 7, True, True),
    (True, {7}, 7, True, False),
    # a pod created later: nothing until pushed to it
    (False, set(), 7, False, True),
    (False, {7}, 7, True, False),
])
def test_what_a_pods_own_storage_holds(seeded, pushed, blob, served, put_refused):
    content = PodContent(seeded, fresh={7})
    content.blobs |= pushed
    assert content.has_blob(blob) == served
    assert content.lacks_any([blob]) == put_refused
