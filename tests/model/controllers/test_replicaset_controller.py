"""The ReplicaSet controller, case by case from `spec/lifecycle.md` §a.2, §a.3 and §a.7."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from twin.model.controllers.actions import DeletePod, Put
from twin.model.controllers.replicaset import (
    SCALE_DOWN_REASON,
    log_rank,
    pods_per_node,
    reconcile_replicaset,
    replicaset_status,
    victim_order,
)
from twin.model.labels import LabelSelector
from twin.model.objects import OwnerReference, Pod
from twin.model.workloads import PodRecord, PodStatus, ReplicaSet, ReplicaSetStatus

NS = "openshift-image-registry"
LABELS = {"docker-registry": "default", "pod-template-hash": "abc"}
OWNER = (OwnerReference("ReplicaSet", "registry-abc"),)
NOW = 10_000.0


def replica_set(replicas: int, min_ready: int = 0, **changes) -> ReplicaSet:
    template = Pod("", labels=LABELS, termination_grace_period_seconds=30)
    rs = ReplicaSet("registry-abc", NS, replicas, LabelSelector.of(LABELS), template, "abc", min_ready_seconds=min_ready)
    return replace(rs, **changes)


def record(name: str, node: str | None = "n1", phase: str = "Running", ready: bool = True, **status) -> PodRecord:
    """A pod of the ReplicaSet; Running pods are Ready since t=0 unless told otherwise."""
    status.setdefault("ready_since", 0.0 if ready else None)
    pod = Pod(name, NS, labels=LABELS, node_name=node, owner_references=OWNER, phase=phase)
    return PodRecord(pod, PodStatus(phase=phase, ready=ready, **status))


def names():
    counter = itertools.count(1)
    return lambda: f"registry-abc-{next(counter)}"


def created(result) -> list[PodRecord]:
    return [a.obj for a in result.actions if isinstance(a, Put) and isinstance(a.obj, PodRecord)]


def deleted(result) -> list[str]:
    return [a.key.split("/")[1] for a in result.actions if isinstance(a, DeletePod)]


def status_put(result) -> ReplicaSetStatus | None:
    puts = [a.obj for a in result.actions if isinstance(a, Put) and isinstance(a.obj, ReplicaSet)]
    return puts[0].status if puts else None


# --- scale up -------------------------------------------------------------------------------


def test_scale_up_creates_the_missing_pods_with_the_template_labels_and_the_owner():
    result = reconcile_replicaset(replica_set(3), [record("a")], NOW, names())
    pods = created(result)
    assert [p.pod.name for p in pods] == ["registry-abc-1", "registry-abc-2"]
    for p in pods:
        assert p.pod.namespace == NS
        assert dict(p.pod.labels) == LABELS
        assert p.pod.owner_references == (OwnerReference("ReplicaSet", "registry-abc"),)
        assert p.pod.node_name is None
        assert p.pod.termination_grace_period_seconds == 30
        assert p.status == PodStatus(phase="Pending", created=NOW)


def test_a_replica_set_with_enough_pods_creates_and_deletes_nothing():
    result = reconcile_replicaset(replica_set(2), [record("a"), record("b", "n2")], NOW, names())
    assert created(result) == [] and deleted(result) == []


def test_terminating_pods_do_not_count_and_get_replaced_at_once():
    pods = [record("a"), record("b", deleted=NOW - 1.0)]
    result = reconcile_replicaset(replica_set(2), pods, NOW, names())
    assert len(created(result)) == 1
    assert deleted(result) == []


def test_terminal_pods_do_not_count_either():
    pods = [record("a"), record("b", phase="Failed", ready=False)]
    assert len(created(reconcile_replicaset(replica_set(2), pods, NOW, names()))) == 1


def test_terminating_pods_are_never_chosen_as_scale_down_victims():
    pods = [record("a", deleted=NOW - 1.0), record("b"), record("c", "n2")]
    result = reconcile_replicaset(replica_set(1), pods, NOW, names())
    assert len(deleted(result)) == 1 and "a" not in deleted(result)


def test_a_replica_set_being_deleted_manages_no_pods_but_still_publishes_status():
    result = reconcile_replicaset(replica_set(3, deleting=True), [record("a")], NOW, names())
    assert created(result) == []
    assert status_put(result).replicas == 1


# --- scale-down victim order, one case per rule (§a.7) --------------------------------------

VICTIM_CASES = {
    "1 an unassigned pod goes before an assigned one": (
        [record("assigned", "n1", phase="Pending", ready=False), record("unassigned", None, phase="Pending", ready=False)],
        "unassigned",
    ),
    "2 a Pending pod goes before an Unknown one": (
        [record("unknown", "n1", phase="Unknown", ready=False), record("pending", "n2", phase="Pending", ready=False)],
        "pending",
    ),
    "2 an Unknown pod goes before a Running one": (
        [record("running", "n1", ready=False), record("unknown", "n2", phase="Unknown", ready=False)],
        "unknown",
    ),
    "3 a not-Ready pod goes before a Ready one": (
        [record("ready", "n1"), record("not-ready", "n2", ready=False)],
        "not-ready",
    ),
    "5 a pod sharing its node with more replicas goes first": (
        [record("alone", "n1"), record("crowded-1", "n2"), record("crowded-2", "n2")],
        "crowded-1",
    ),
    "6 a pod Ready for a shorter time goes first": (
        [record("old-ready", "n1", ready_since=NOW - 1000), record("new-ready", "n2", ready_since=NOW - 10)],
        "new-ready",
    ),
    "7 a pod with more restarts goes first": (
        [record("steady", "n1"), record("flappy", "n2", restarts=4)],
        "flappy",
    ),
    "8 a newer pod goes first": (
        [record("older", "n1", created=NOW - 1000), record("newer", "n2", created=NOW - 10)],
        "newer",
    ),
}


@pytest.mark.parametrize("pods, victim", VICTIM_CASES.values(), ids=VICTIM_CASES.keys())
def test_scale_down_deletes_the_victim_chosen_by_the_upstream_order(pods, victim):
    result = reconcile_replicaset(replica_set(len(pods) - 1), pods, NOW, names())
    assert deleted(result) == [victim]
    assert all(a.reason == SCALE_DOWN_REASON for a in result.actions if isinstance(a, DeletePod))


def test_earlier_rules_win_over_later_ones():
    pods = [
        record("ready-crowded-restarting", "n1", restarts=7, created=NOW - 1),
        record("running-not-ready-alone", "n2", ready=False),
        record("pending-alone", "n3", phase="Pending", ready=False),
        record("ready-crowded", "n1"),
    ]
    order = victim_order(pods, pods_per_node(pods), NOW)
    expected = ["pending-alone", "running-not-ready-alone", "ready-crowded-restarting", "ready-crowded"]
    assert [p.pod.name for p in order] == expected


def test_colocation_counts_pods_of_sibling_replica_sets_when_given():
    mine = [record("a", "n1"), record("b", "n2")]
    sibling = record("old-1", "n2")
    result = reconcile_replicaset(replica_set(1), mine, NOW, names(), related=mine + [sibling])
    assert deleted(result) == ["b"]


def test_ready_times_in_the_same_log2_bucket_tie_and_fall_to_the_pod_key_not_to_restarts():
    assert log_rank(100.0) == log_rank(120.0) == 36
    pods = [
        record("b", "n1", ready_since=NOW - 100),
        record("a", "n2", ready_since=NOW - 120, restarts=0),
        record("c", "n3", ready_since=NOW - 110, restarts=9),
    ]
    order = victim_order(pods, pods_per_node(pods), NOW)
    assert [p.pod.name for p in order] == ["a", "b", "c"]


def test_without_now_times_are_compared_exactly():
    pods = [record("a", "n1", ready_since=NOW - 120), record("b", "n2", ready_since=NOW - 100)]
    assert [p.pod.name for p in victim_order(pods, pods_per_node(pods))] == ["b", "a"]


def test_an_unknown_ready_time_counts_as_the_most_recent():
    pods = [record("known", "n1", ready_since=NOW - 5), record("unknown", "n2", ready_since=None)]
    assert victim_order(pods, pods_per_node(pods), NOW)[0].pod.name == "unknown"


def test_scale_down_by_two_takes_the_first_two_victims():
    pods = [
        record("r1", "n1"),
        record("r2", "n2"),
        record("pending", "n3", phase="Pending", ready=False),
        record("unassigned", None, phase="Pending", ready=False),
    ]
    result = reconcile_replicaset(replica_set(2), pods, NOW, names())
    assert deleted(result) == ["unassigned", "pending"]


# --- status (§a.2) -------------------------------------------------------------------------


def test_status_counts_active_ready_and_available_pods_and_terminating_ones_apart():
    rs = replica_set(3, min_ready=10, generation=4)
    pods = [
        record("long-ready", "n1", ready_since=0.0),
        record("just-ready", "n2", ready_since=NOW - 5),
        record("starting", "n3", ready=False),
        record("leaving", "n1", deleted=NOW - 1),
        record("done", "n2", phase="Succeeded", ready=False, deleted=NOW - 2),
    ]
    assert replicaset_status(rs, pods, NOW) == ReplicaSetStatus(
        replicas=3, ready_replicas=2, available_replicas=1, observed_generation=4, terminating_replicas=1
    )


def test_availability_is_strict_at_exactly_min_ready_seconds():
    rs = replica_set(1, min_ready=10)
    assert replicaset_status(rs, [record("a", ready_since=NOW - 10)], NOW).available_replicas == 0
    assert replicaset_status(rs, [record("a", ready_since=NOW - 10)], NOW + 0.5).available_replicas == 1


def test_with_min_ready_seconds_zero_a_ready_pod_is_available_at_once():
    assert replicaset_status(replica_set(1), [record("a", ready_since=NOW)], NOW).available_replicas == 1


def test_a_changed_status_is_put_and_an_unchanged_one_is_not():
    rs = replica_set(1)
    first = reconcile_replicaset(rs, [record("a")], NOW, names())
    new_status = status_put(first)
    assert new_status == ReplicaSetStatus(1, 1, 1, 1, 0)
    again = reconcile_replicaset(replace(rs, status=new_status), [record("a")], NOW, names())
    assert again.actions == ()


def test_status_is_computed_before_this_syncs_creations():
    result = reconcile_replicaset(replica_set(3), [record("a")], NOW, names())
    assert status_put(result).replicas == 1


def test_requeue_when_the_earliest_ready_pod_becomes_available_plus_upstreams_second():
    rs = replica_set(3, min_ready=30)
    pods = [record("a", "n1", ready_since=NOW - 20), record("b", "n2", ready_since=NOW - 5), record("c", "n3", ready=False)]
    assert reconcile_replicaset(rs, pods, NOW, names()).requeue_after == 11.0  # 30 − 20 + 1


def test_no_requeue_when_every_ready_pod_is_already_available_or_min_ready_seconds_is_zero():
    assert reconcile_replicaset(replica_set(1, min_ready=30), [record("a", ready_since=0.0)], NOW, names()).requeue_after is None
    assert reconcile_replicaset(replica_set(1), [record("a", ready_since=NOW)], NOW, names()).requeue_after is None


def test_at_the_requeue_time_the_pod_is_counted_available():
    rs = replica_set(1, min_ready=30)
    pods = [record("a", ready_since=NOW - 20)]
    wait = reconcile_replicaset(rs, pods, NOW, names()).requeue_after
    assert replicaset_status(rs, pods, NOW + wait).available_replicas == 1
