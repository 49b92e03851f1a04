"""PodDisruptionBudgets, the Eviction API and drain, case by case from `spec/lifecycle.md` §c
and `spec/registry-operator.md` §2.4."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from twin.model.controllers.actions import Put
from twin.model.controllers.disruption import (
    ALWAYS_ALLOW,
    DRAIN_RETRY_SECONDS,
    DRAIN_TIMEOUT_SECONDS,
    disruption_recheck_after,
    drain_plan,
    drain_retry_at,
    evict,
    expected_and_desired,
    matching_pdbs,
    pdb_status,
    scaled_value,
)
from twin.model.controllers.replicaset import reconcile_replicaset
from twin.model.labels import LabelSelector
from twin.model.objects import OwnerReference, Pod
from twin.model.workloads import PodDisruptionBudget, PodDisruptionBudgetStatus, PodRecord, PodStatus, ReplicaSet

NS = "openshift-image-registry"
LABELS = {"docker-registry": "default"}
SELECTOR = LabelSelector.of(LABELS)
RS_OWNER = (OwnerReference("ReplicaSet", "image-registry-abc"),)
DEPLOYMENT = {"openshift-image-registry/image-registry": 2}


def budget(min_available=None, max_unavailable=None, **changes) -> PodDisruptionBudget:
    pdb = PodDisruptionBudget("image-registry", NS, SELECTOR, min_available=min_available, max_unavailable=max_unavailable)
    return replace(pdb, **changes)


REGISTRY_PDB = budget(min_available=1)  # CIRO pkg/resource/poddisruptionbudget.go with replicas > 1


def record(name: str, node: str | None = "n1", phase: str = "Running", ready: bool = True, owners=RS_OWNER, **status):
    pod = Pod(name, NS, labels=LABELS, node_name=node, owner_references=owners, phase=phase)
    return PodRecord(pod, PodStatus(phase=phase, ready=ready, ready_since=0.0 if ready else None, **status))


def key(name: str) -> str:
    return f"{NS}/{name}"


def status_for(pdb, pods, scales=DEPLOYMENT, disrupted=None, now=0.0) -> PodDisruptionBudgetStatus:
    return pdb_status(pdb, pods, scales, disrupted or {}, now)


# --- the budget (§c.1) --------------------------------------------------------------------

BUDGET_TABLE = {
    "maxUnavailable 1 of a scale of 3 leaves 2 desired": (budget(max_unavailable=1), 3, 3, (3, 2)),
    "maxUnavailable 25 % of 2 rounds up to 1 and leaves 1 desired": (budget(max_unavailable="25%"), 2, 2, (2, 1)),
    "maxUnavailable 50 % of 3 rounds up to 2 and leaves 1 desired": (budget(max_unavailable="50%"), 3, 3, (3, 1)),
    "maxUnavailable larger than the scale floors desired at 0": (budget(max_unavailable=5), 3, 3, (3, 0)),
    "maxUnavailable takes the controller scale, not the pod count": (budget(max_unavailable=1), 2, 3, (2, 1)),
    "minAvailable int takes the number of matching pods": (budget(min_available=1), 2, 3, (3, 1)),
    "minAvailable 50 % of 3 rounds up to 2": (budget(min_available="50%"), 3, 3, (3, 2)),
    "minAvailable 25 % of 2 rounds up to 1": (budget(min_available="25%"), 2, 5, (2, 1)),
    "minAvailable 100 % of 2 is 2": (budget(min_available="100%"), 2, 2, (2, 2)),
    "a budget with neither field expects nothing": (budget(), 2, 2, (0, 0)),
}


@pytest.mark.parametrize("pdb, scale, pod_count, expected", BUDGET_TABLE.values(), ids=BUDGET_TABLE.keys())
def test_expected_pods_and_desired_healthy_follow_the_c1_table(pdb, scale, pod_count, expected):
    pods = [record(f"p{i}") for i in range(pod_count)]
    assert expected_and_desired(pdb, pods, {"ns/owner": scale}) == expected


def test_25_percent_of_2_is_1_for_a_pdb_and_0_for_a_deployment():
    assert scaled_value("25%", 2, round_up=True) == 1  # PDB: rounds up
    assert scaled_value("25%", 2, round_up=False) == 0  # Deployment maxUnavailable: rounds down (§a.1)
    pods = [record("a"), record("b", "n2")]
    assert status_for(budget(max_unavailable="25%"), pods).disruptions_allowed == 1


def test_a_deployment_counts_once_mid_rollout_even_with_a_surge_pod():
    pods = [record("old-1"), record("old-2", "n2"), record("new-1", "n3")]
    assert expected_and_desired(budget(max_unavailable=1), pods, DEPLOYMENT) == (2, 1)


def test_several_controllers_add_up():
    assert expected_and_desired(budget(min_available="50%"), [], {"ns/a": 3, "ns/b": 2}) == (5, 3)


def test_a_percentage_without_the_percent_sign_is_an_error():
    with pytest.raises(ValueError):
        scaled_value("25", 4, round_up=True)


def test_disruptions_allowed_is_current_healthy_minus_desired_healthy():
    pods = [record("a"), record("b", "n2"), record("c", "n3")]
    status = status_for(budget(min_available=1, generation=3), pods, {"ns/d": 3})
    assert status == PodDisruptionBudgetStatus(
        expected_pods=3, desired_healthy=1, current_healthy=3, disruptions_allowed=2, observed_generation=3
    )


def test_current_healthy_skips_not_ready_terminating_and_disrupted_pods():
    pods = [record("ready"), record("not-ready", ready=False), record("leaving", deleted=5.0), record("evicted")]
    status = status_for(budget(min_available=1), pods, disrupted={key("evicted"): 10.0}, now=20.0)
    assert status.current_healthy == 1
    assert status.expected_pods == 4  # minAvailable int counts every matching pod, terminating ones too
    assert status.disruptions_allowed == 0


def test_no_disruption_is_allowed_while_no_pods_are_expected():
    unmanaged = [record("a", owners=()), record("b", "n2", owners=())]
    status = status_for(budget(max_unavailable=1), unmanaged, scales={})
    assert (status.expected_pods, status.current_healthy, status.disruptions_allowed) == (0, 2, 0)


def test_too_few_healthy_pods_allow_no_disruption_rather_than_a_negative_one():
    pods = [record("a"), record("b", ready=False)]
    assert status_for(budget(min_available=2), pods).disruptions_allowed == 0


# --- disruptedPods expiry -----------------------------------------------------------------


def test_a_pending_eviction_stops_counting_as_healthy_until_two_minutes_pass():
    pods = [record("a"), record("b", "n2")]
    disrupted = {key("a"): 100.0}
    before = status_for(REGISTRY_PDB, pods, disrupted=disrupted, now=219.0)
    assert before.disrupted_pods == ((key("a"), 100.0),)
    assert before.current_healthy == 1 and before.disruptions_allowed == 0
    assert disruption_recheck_after(before, 219.0) == 1.0
    after = status_for(REGISTRY_PDB, pods, disrupted=disrupted, now=220.0)
    assert after.disrupted_pods == ()
    assert after.current_healthy == 2 and after.disruptions_allowed == 1
    assert disruption_recheck_after(after, 220.0) is None


def test_a_disrupted_entry_is_dropped_once_the_pod_is_terminating_or_gone():
    pods = [record("a", deleted=101.0), record("b", "n2")]
    status = status_for(REGISTRY_PDB, pods, disrupted={key("a"): 100.0, key("gone"): 100.0}, now=102.0)
    assert status.disrupted_pods == ()


# --- the Eviction API (§c.2) --------------------------------------------------------------

NO_BUDGET = PodDisruptionBudgetStatus(
    expected_pods=2, desired_healthy=2, current_healthy=2, disruptions_allowed=0, observed_generation=1
)


@pytest.mark.parametrize(
    "pod",
    [
        record("pending", None, phase="Pending", ready=False),
        record("succeeded", phase="Succeeded", ready=False),
        record("failed", phase="Failed", ready=False),
        record("terminating", deleted=1.0),
    ],
    ids=["pending", "succeeded", "failed", "already terminating"],
)
def test_pending_terminal_and_terminating_pods_are_evicted_without_a_pdb_check(pod):
    decision = evict(pod, [(REGISTRY_PDB, NO_BUDGET), (budget(max_unavailable=0), NO_BUDGET)], 5.0)
    assert decision.code == 200 and decision.allowed and decision.status is None


def test_a_pod_matched_by_two_pdbs_gets_500():
    decision = evict(record("a"), [(REGISTRY_PDB, NO_BUDGET), (budget(max_unavailable=1), NO_BUDGET)], 5.0)
    assert decision.code == 500 and "more than one PodDisruptionBudget" in decision.reason


def test_a_pod_without_a_pdb_is_evicted():
    assert evict(record("a"), [], 5.0).code == 200


def test_a_stale_pdb_status_answers_429_even_with_budget_left():
    stale = replace(NO_BUDGET, disruptions_allowed=1, observed_generation=1)
    decision = evict(record("a"), [(budget(min_available=1, generation=2), stale)], 5.0)
    assert decision.code == 429 and "still being processed" in decision.reason
    assert decision.status is None


def test_no_disruption_allowed_answers_429_with_the_numbers():
    decision = evict(record("a"), [(REGISTRY_PDB, NO_BUDGET)], 5.0)
    assert decision.code == 429
    assert decision.reason.endswith("The disruption budget image-registry needs 2 healthy pods and has 2 currently")


def test_an_allowed_eviction_uses_one_disruption_and_records_the_pod():
    status = replace(NO_BUDGET, desired_healthy=1, disruptions_allowed=1, disrupted_pods=((key("z"), 1.0),))
    decision = evict(record("a"), [(REGISTRY_PDB, status)], 5.0)
    assert decision.code == 200
    assert decision.status.disruptions_allowed == 0
    assert decision.status.disrupted_pods == ((key("a"), 5.0), (key("z"), 1.0))


UNHEALTHY_CASES = {
    "AlwaysAllow evicts a not-Ready pod with no budget left": (ALWAYS_ALLOW, NO_BUDGET, 200),
    "AlwaysAllow evicts a not-Ready pod even when the status is stale": (
        ALWAYS_ALLOW,
        replace(NO_BUDGET, observed_generation=0),
        200,
    ),
    "IfHealthyBudget evicts a not-Ready pod while current healthy reaches desired healthy": (
        "IfHealthyBudget",
        replace(NO_BUDGET, current_healthy=2, desired_healthy=2),
        200,
    ),
    "IfHealthyBudget refuses a not-Ready pod while the application is disrupted": (
        "IfHealthyBudget",
        replace(NO_BUDGET, current_healthy=1, desired_healthy=2),
        429,
    ),
    "IfHealthyBudget does not apply when desired healthy is 0, and an empty budget answers 429": (
        "IfHealthyBudget",
        replace(NO_BUDGET, current_healthy=0, desired_healthy=0),
        429,
    ),
}


@pytest.mark.parametrize("policy, status, code", UNHEALTHY_CASES.values(), ids=UNHEALTHY_CASES.keys())
def test_unhealthy_pod_eviction_policy_for_a_running_not_ready_pod(policy, status, code):
    pdb = replace(REGISTRY_PDB, unhealthy_pod_eviction_policy=policy)
    decision = evict(record("a", ready=False), [(pdb, status)], 5.0)
    assert decision.code == code
    assert decision.status is None  # an unhealthy pod never consumes budget


def test_a_ready_pod_gets_no_special_treatment_from_always_allow():
    pdb = replace(REGISTRY_PDB, unhealthy_pod_eviction_policy=ALWAYS_ALLOW)
    assert evict(record("a"), [(pdb, NO_BUDGET)], 5.0).code == 429


def test_matching_pdbs_use_namespace_and_selector_and_an_empty_selector_matches_nothing():
    other_ns = replace(REGISTRY_PDB, namespace="default")
    other_labels = replace(REGISTRY_PDB, selector=LabelSelector.of({"app": "x"}))
    empty = replace(REGISTRY_PDB, selector=LabelSelector())
    assert matching_pdbs(record("a"), [REGISTRY_PDB, other_ns, other_labels, empty]) == [REGISTRY_PDB]


# --- drain with the registry PDB (§c.3) ---------------------------------------------------


def registry_rs(replicas: int = 2) -> ReplicaSet:
    template = Pod("", labels=LABELS)
    return ReplicaSet("image-registry-abc", NS, replicas, SELECTOR, template, "abc", min_ready_seconds=30)


def test_the_registry_pdb_allows_one_eviction_and_blocks_a_second_drain_until_the_replacement_is_ready():
    names = itertools.count(1)
    pods = {"a": record("a", "n1"), "b": record("b", "n2")}
    status = status_for(REGISTRY_PDB, list(pods.values()), now=100.0)
    assert (status.expected_pods, status.desired_healthy, status.current_healthy, status.disruptions_allowed) == (2, 1, 2, 1)

    first = evict(pods["a"], [(REGISTRY_PDB, status)], 100.0)  # drain of n1
    assert first.code == 200
    assert evict(pods["b"], [(REGISTRY_PDB, first.status)], 100.0).code == 429  # drain of n2, before any resync

    pods["a"] = replace(pods["a"], status=replace(pods["a"].status, deleted=100.0))
    replacement = reconcile_replicaset(registry_rs(), list(pods.values()), 100.0, lambda: f"r{next(names)}")
    (new,) = [a.obj for a in replacement.actions if isinstance(a, Put) and isinstance(a.obj, PodRecord)]
    pods[new.pod.name] = new
    status = status_for(REGISTRY_PDB, list(pods.values()), disrupted=dict(first.status.disrupted_pods), now=101.0)
    assert status.disrupted_pods == ()  # the eviction was observed as a deletion
    assert (status.current_healthy, status.disruptions_allowed) == (1, 0)
    assert evict(pods["b"], [(REGISTRY_PDB, status)], 105.0).code == 429  # retried every 5 s

    ready = PodStatus(phase="Running", ready=True, ready_since=140.0, created=100.0)
    pods[new.pod.name] = PodRecord(new.pod.bound_to("n3"), ready)
    status = status_for(REGISTRY_PDB, list(pods.values()), now=141.0)  # Ready 1 s: minReadySeconds 30 plays no part
    assert status.disruptions_allowed == 1
    assert evict(pods["b"], [(REGISTRY_PDB, status)], 141.0).code == 200


def test_drain_skips_daemonset_and_mirror_pods_and_evicts_the_rest():
    pods = [
        record("registry", "n1"),
        record("node-exporter", "n1", owners=(OwnerReference("DaemonSet", "node-exporter"),)),
        record("finished-ds", "n1", phase="Succeeded", ready=False, owners=(OwnerReference("DaemonSet", "ds"),)),
        record("static-etcd", "n1", owners=(OwnerReference("Node", "n1", api_version="v1"),)),
        record("bare", "n1", owners=()),
    ]
    to_evict, skipped = drain_plan(pods)
    assert [p.pod.name for p in to_evict] == ["bare", "finished-ds", "registry"]
    assert [p.pod.name for p in skipped] == ["node-exporter", "static-etcd"]


def test_drain_retries_a_429_every_5_seconds_forever_by_default():
    assert (DRAIN_RETRY_SECONDS, DRAIN_TIMEOUT_SECONDS) == (5.0, 0.0)
    assert drain_retry_at(429, started=0.0, now=3600.0) == 3605.0


def test_drain_stops_retrying_at_its_timeout_and_never_retries_other_answers():
    assert drain_retry_at(429, started=0.0, now=50.0, timeout=60.0) == 55.0
    assert drain_retry_at(429, started=0.0, now=55.0, timeout=60.0) is None
    assert drain_retry_at(500, started=0.0, now=1.0) is None
    assert drain_retry_at(200, started=0.0, now=1.0) is None
