"""The operator's conditions (spec/registry-operator.md §2.5, §3, §7)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.registry.cluster_operator import cluster_operator_conditions, node_ca_conditions, union_condition
from twin.model.registry.conditions import (
    OperatorObservation,
    merge_conditions,
    next_condition_change,
    registry_conditions,
    rollout_complete,
)
from twin.model.registry.config import default_rosa_config
from twin.model.registry.operands import deployment_from_manifest
from twin.model.registry.render import render_registry
from twin.model.registry.validate import ConfigProblem
from twin.model.registry.versions import openshift_version
from twin.model.workloads import Condition, Deployment, DeploymentStatus

V421, V422, V423 = (openshift_version(v) for v in ("4.21", "4.22", "4.23"))
ALL_VERSIONS = pytest.mark.parametrize("version", [V421, V422, V423], ids=["4.21", "4.22", "4.23"])
FROM_4_22 = pytest.mark.parametrize("version", [V422, V423], ids=["4.22", "4.23"])

NEGATIVE = ConfigProblem("VerificationFailed", "spec.replicas", "spec.replicas: must not be negative, got -1", True)
NO_STORAGE = ConfigProblem("StorageNotConfigured", "spec.storage", "spec.storage: storage backend not configured", True)
APPLY = ConfigProblem("Error", "spec.requests.read.maxWaitInQueue", "spec.requests.read.maxWaitInQueue: bad duration", False)

NEW_RS_AVAILABLE = ("True", "NewReplicaSetAvailable")
UPDATING = ("True", "ReplicaSetUpdated")
TIMED_OUT = ("False", "ProgressDeadlineExceeded")


def registry(
    replicas: int = 3, *, current: int | None = None, updated: int | None = None, available: int | None = None,
    generation: int = 1, observed: int = 1, progressing: tuple[str, str] = NEW_RS_AVAILABLE, message: str = "",
    version=V423,
) -> Deployment:
    """The rendered registry Deployment with the given status counts (default: all
    `replicas` current, updated and available) and Deployment Progressing condition."""
    rendered = render_registry(replace(default_rosa_config(), replicas=replicas), [], version)
    deployment = deployment_from_manifest(rendered.deployment, generation=generation)
    condition = Condition("Progressing", progressing[0], progressing[1], message)
    status = DeploymentStatus(
        observed_generation=observed,
        replicas=replicas if current is None else current,
        updated_replicas=replicas if updated is None else updated,
        available_replicas=replicas if available is None else available,
        conditions=(condition,),
    )
    return replace(deployment, status=status)


def observe(deployment: Deployment | None, state: str = "Managed", **changes) -> OperatorObservation:
    return OperatorObservation(state, deployment, **changes)


def conditions(obs, version=V423, previous=(), now=0.0) -> dict[str, tuple[str, str]]:
    """{type: (status, reason)} after one sync."""
    return {c.type: (c.status, c.reason) for c in registry_conditions(obs, previous, now, version)}


def condition(obs, kind: str, version=V423, previous=(), now=0.0) -> Condition:
    return next(c for c in registry_conditions(obs, previous, now, version) if c.type == kind)


def since(kind: str, status: str, at: float, reason: str = "", message: str = "") -> Condition:
    return Condition(kind, status, reason, message, at, at)


# ---- Available (§3, §7) -------------------------------------------------------------


@ALL_VERSIONS
def test_a_managed_registry_without_a_deployment_is_unavailable_deployment_not_found(version):
    available = condition(observe(None), "Available", version)
    assert (available.status, available.reason) == ("False", "DeploymentNotFound")
    assert available.message == "The deployment does not exist"


def test_without_a_deployment_a_permanent_error_gives_available_its_reason():
    available = condition(observe(None, permanent_error=NO_STORAGE), "Available")
    assert (available.status, available.reason) == ("False", "StorageNotConfigured")
    assert available.message == "Error: spec.storage: storage backend not configured"


def test_a_deployment_being_deleted_is_unavailable_deployment_deleted():
    assert conditions(observe(registry(), deployment_deleting=True))["Available"] == ("False", "DeploymentDeleted")


@ALL_VERSIONS
def test_no_available_replicas_is_unavailable_no_replicas_available(version):
    obs = observe(registry(available=0, progressing=UPDATING))
    assert conditions(obs, version)["Available"] == ("False", "NoReplicasAvailable")


@ALL_VERSIONS
def test_fewer_available_than_current_replicas_is_minimum_availability(version):
    obs = observe(registry(3, available=2, progressing=UPDATING))
    assert conditions(obs, version)["Available"] == ("True", "MinimumAvailability")


@ALL_VERSIONS
def test_a_complete_registry_is_available_ready(version):
    available = condition(observe(registry()), "Available", version)
    assert (available.status, available.reason, available.message) == ("True", "Ready", "The registry is ready")


@pytest.mark.parametrize(("version", "reason"), [(V421, "MinimumAvailability"), (V422, "Ready"), (V423, "Ready")])
def test_scaling_up_with_every_current_pod_available_is_minimum_availability_only_on_4_21(version, reason):
    obs = observe(registry(3, current=2, updated=2, available=2, progressing=UPDATING))
    assert conditions(obs, version)["Available"] == ("True", reason)


@pytest.mark.parametrize(("version", "reason"), [(V421, "MinimumAvailability"), (V422, "Ready"), (V423, "Ready")])
def test_an_unobserved_generation_is_minimum_availability_only_on_4_21(version, reason):
    obs = observe(registry(generation=2, observed=1))
    assert conditions(obs, version)["Available"] == ("True", reason)


# ---- Progressing (§3, §7) -------------------------------------------------------------


def test_a_retriable_apply_error_is_progressing_true_error():
    progressing = condition(observe(registry(), apply_error=APPLY), "Progressing")
    assert (progressing.status, progressing.reason) == ("True", "Error")
    assert progressing.message == "Unable to apply resources: spec.requests.read.maxWaitInQueue: bad duration"


def test_a_permanent_error_is_progressing_false_error():
    assert conditions(observe(None, permanent_error=NEGATIVE))["Progressing"] == ("False", "Error")


def test_a_permanent_error_wins_over_a_retriable_one():
    obs = observe(None, permanent_error=NEGATIVE, apply_error=APPLY)
    assert condition(obs, "Progressing").message == f"Unable to apply resources: {NEGATIVE.message}"


def test_no_deployment_without_errors_is_waiting_for_deployment():
    assert conditions(observe(None))["Progressing"] == ("True", "WaitingForDeployment")


def test_a_deployment_being_deleted_is_finalizing_deployment():
    assert conditions(observe(registry(), deployment_deleting=True))["Progressing"] == ("True", "FinalizingDeployment")


@ALL_VERSIONS
def test_an_incomplete_rollout_is_deployment_not_completed(version):
    obs = observe(registry(3, updated=1, available=2, progressing=UPDATING))
    assert conditions(obs, version)["Progressing"] == ("True", "DeploymentNotCompleted")


@ALL_VERSIONS
def test_a_complete_rollout_is_progressing_false_ready(version):
    assert conditions(observe(registry()), version)["Progressing"] == ("False", "Ready")


@pytest.mark.parametrize(
    ("version", "expected"),
    [(V421, ("False", "Ready")), (V422, ("True", "DeploymentNotCompleted")), (V423, ("True", "DeploymentNotCompleted"))],
)
def test_complete_counts_before_new_replica_set_available_end_the_rollout_only_on_4_21(version, expected):
    obs = observe(registry(progressing=UPDATING))
    assert conditions(obs, version)["Progressing"] == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [(V421, ("True", "DeploymentNotCompleted")), (V422, ("False", "Ready")), (V423, ("False", "Ready"))],
)
def test_a_pod_lost_after_the_rollout_completed_reopens_progressing_only_on_4_21(version, expected):
    obs = observe(registry(3, available=2, progressing=NEW_RS_AVAILABLE))
    assert conditions(obs, version)["Progressing"] == expected


@pytest.mark.parametrize(
    ("deployment", "version", "complete"),
    [
        (registry(), V421, True),
        (registry(progressing=UPDATING), V421, True),
        (registry(generation=2, observed=1), V421, False),
        (registry(3, current=4, updated=3), V421, False),
        (registry(), V422, True),
        (registry(progressing=UPDATING), V423, False),
        (registry(3, available=1), V423, True),
    ],
)
def test_rollout_complete_is_counts_on_4_21_and_the_deployment_condition_from_4_22(deployment, version, complete):
    assert rollout_complete(deployment, version) is complete


# ---- Degraded (§3, §7) ----------------------------------------------------------------


@pytest.mark.parametrize("problem", [NEGATIVE, NO_STORAGE])
def test_a_permanent_error_makes_degraded_true_with_its_reason(problem):
    degraded = condition(observe(registry(), permanent_error=problem), "Degraded")
    assert (degraded.status, degraded.reason, degraded.message) == ("True", problem.reason, f"Error: {problem.message}")


@pytest.mark.parametrize(("version", "inertia"), [(V421, 60), (V422, 120), (V423, 300)], ids=["4.21", "4.22", "4.23"])
def test_on_4_23_degraded_unavailable_needs_5_minutes_of_unavailability_on_4_22_2_minutes_on_4_21_1_minute(version, inertia):
    previous = (since("Available", "False", 100.0, "NoReplicasAvailable"),)
    obs = observe(registry(available=0, progressing=UPDATING))
    assert conditions(obs, version, previous, now=100.0 + inertia)["Degraded"] == ("False", "")
    degraded = condition(obs, "Degraded", version, previous, now=100.0 + inertia + 0.001)
    assert (degraded.status, degraded.reason) == ("True", "Unavailable")
    assert degraded.message == "The deployment does not have available replicas"


def test_unavailability_is_measured_from_the_available_transition_even_when_its_reason_changed():
    previous = (since("Available", "False", 0.0, "DeploymentNotFound"),)
    obs = observe(registry(available=0, progressing=UPDATING))
    assert conditions(obs, V421, previous, now=61.0)["Degraded"] == ("True", "Unavailable")


def test_available_turning_false_now_starts_the_inertia_now():
    previous = (since("Available", "True", 0.0, "Ready"),)
    obs = observe(registry(available=0, progressing=UPDATING))
    assert conditions(obs, V421, previous, now=1000.0)["Degraded"] == ("False", "")


def test_a_retriable_apply_error_without_a_deployment_degrades_only_after_the_inertia():
    obs = observe(None, apply_error=APPLY)
    previous = (since("Available", "False", 0.0, "DeploymentNotFound"),)
    assert conditions(obs, V423, previous, now=10.0)["Degraded"] == ("False", "")
    assert conditions(obs, V423, previous, now=301.0)["Degraded"] == ("True", "Unavailable")


@ALL_VERSIONS
def test_a_timed_out_rollout_with_minimum_availability_is_degraded_progress_deadline_exceeded(version):
    deployment = registry(3, updated=1, available=2, progressing=TIMED_OUT, message='ReplicaSet "x" has timed out progressing.')
    degraded = condition(observe(deployment), "Degraded", version)
    assert (degraded.status, degraded.reason) == ("True", "ProgressDeadlineExceeded")
    assert degraded.message == 'Registry deployment has timed out progressing: ReplicaSet "x" has timed out progressing.'


def test_on_4_21_a_surge_pod_stuck_past_the_60_s_deadline_makes_degraded_progress_deadline_exceeded():
    """The Deployment controller sets Progressing=False/ProgressDeadlineExceeded once
    lastUpdateTime + 60 s is strictly before now (spec/lifecycle.md §a.6); the operator
    turns that into Degraded while the old pods keep the registry available."""
    deployment = registry(2, current=3, updated=1, available=2, progressing=TIMED_OUT, version=V421)
    assert deployment.spec.progress_deadline_seconds == 60
    assert conditions(observe(deployment), V421)["Degraded"] == ("True", "ProgressDeadlineExceeded")


def test_a_timed_out_rollout_without_available_pods_waits_for_the_unavailable_inertia_instead():
    obs = observe(registry(3, updated=1, available=0, progressing=TIMED_OUT))
    assert conditions(obs, V423)["Degraded"] == ("False", "")


def test_on_4_21_a_stale_deadline_reason_does_not_degrade_a_rollout_complete_by_counts():
    assert conditions(observe(registry(progressing=TIMED_OUT)), V421)["Degraded"] == ("False", "")


NOT_ADMITTED = "route r (host h, router default) not admitted: route default-route already exposes h and is older"


def test_a_route_not_admitted_makes_degraded_route_degraded_with_the_operators_text():
    """CIRO `pkg/operator/status.go` `syncStatus`: `else if rterr != nil` -> RouteDegraded, rterr.Error()."""
    degraded = condition(observe(registry(), route_error=NOT_ADMITTED), "Degraded")
    assert (degraded.status, degraded.reason, degraded.message) == ("True", "RouteDegraded", NOT_ADMITTED)


@pytest.mark.parametrize("deployment, previous, now", [
    pytest.param(dict(available=0, progressing=UPDATING), (since("Available", "False", 0.0),), 10.0,
                 id="availability lost within the inertia: the Available branch ends the chain"),
    pytest.param(dict(replicas=3, updated=1, available=2, progressing=UPDATING), (), 0.0,
                 id="a rollout in progress: the rollout branch ends the chain"),
])
def test_a_route_not_admitted_is_not_reported_where_upstreams_if_else_chain_stopped_earlier(deployment, previous, now):
    """`syncStatus` is an if/else chain: `else if operatorAvailable.Status != True {...}` and
    `else if !isDeploymentStatusComplete(deploy) {...}` end it even when they set nothing."""
    obs = observe(registry(**deployment), route_error=NOT_ADMITTED)
    assert conditions(obs, V423, previous, now=now)["Degraded"] == ("False", "")


def test_a_timed_out_rollout_is_reported_before_a_route_not_admitted():
    obs = observe(registry(3, updated=1, available=2, progressing=TIMED_OUT), route_error=NOT_ADMITTED)
    assert conditions(obs)["Degraded"] == ("True", "ProgressDeadlineExceeded")


def test_a_healthy_registry_is_not_degraded_and_has_no_reason():
    degraded = condition(observe(registry()), "Degraded")
    assert (degraded.status, degraded.reason, degraded.message) == ("False", "", "")


# ---- Unmanaged, Removed, Force (§3) -------------------------------------------------------


@pytest.mark.parametrize("deployment", [None, registry(available=0)])
def test_unmanaged_reports_all_three_conditions_with_reason_unmanaged(deployment):
    obs = observe(deployment, "Unmanaged", permanent_error=NEGATIVE)
    assert conditions(obs) == {
        "Available": ("True", "Unmanaged"), "Progressing": ("False", "Unmanaged"),
        "Degraded": ("False", "Unmanaged"), "Removed": ("False", ""),
    }
    assert {c.message for c in registry_conditions(obs, (), 0.0, V423)[:3]} == {
        "The registry configuration is set to unmanaged mode"
    }


def test_removed_progressing_is_deleting_deployment_while_the_deployment_exists():
    """CIRO `pkg/operator/status.go` `syncStatus` (Removed, deploy != nil) and its
    `status_test.go`: reason DeletingDeployment; spec §3's "Removing" is the finalizer's
    `setStatusRemoving`, used when the Config itself is deleted."""
    assert conditions(observe(registry(), "Removed")) == {
        "Available": ("True", "Ready"), "Progressing": ("True", "DeletingDeployment"),
        "Degraded": ("False", "Removed"), "Removed": ("True", "Removed"),
    }


def test_removed_a_deployment_being_deleted_is_unavailable_but_not_degraded():
    obs = observe(registry(), "Removed", deployment_deleting=True)
    previous = (since("Available", "False", 0.0, "DeploymentDeleted"),)
    assert conditions(obs, V421, previous, now=3600.0) == {
        "Available": ("False", "DeploymentDeleted"), "Progressing": ("True", "DeletingDeployment"),
        "Degraded": ("False", "Removed"), "Removed": ("True", "Removed"),
    }


def test_removed_once_the_deployment_is_gone_everything_reads_removed():
    assert conditions(observe(None, "Removed")) == {
        "Available": ("True", "Removed"), "Progressing": ("False", "Removed"),
        "Degraded": ("False", "Removed"), "Removed": ("True", "Removed"),
    }


def test_removed_reports_removal_even_with_an_apply_error():
    obs = observe(registry(), "Removed", apply_error=APPLY)
    assert conditions(obs)["Progressing"] == ("True", "DeletingDeployment")


def test_the_conditions_come_in_the_order_available_progressing_degraded_removed():
    assert [c.type for c in registry_conditions(observe(registry()), (), 0.0, V423)] == [
        "Available", "Progressing", "Degraded", "Removed",
    ]


def test_removed_is_false_when_managed():
    assert conditions(observe(registry()))["Removed"] == ("False", "")


def test_force_is_treated_as_managed():
    assert conditions(observe(registry(), "Force")) == conditions(observe(registry(), "Managed"))


def test_an_unknown_management_state_is_refused():
    with pytest.raises(ValueError, match="Managed"):
        observe(None, "Deleted")


# ---- transition times ---------------------------------------------------------------------


def test_a_new_condition_transitions_now():
    available = condition(observe(registry()), "Available", now=42.0)
    assert (available.last_transition_time, available.last_update_time) == (42.0, 42.0)


def test_the_transition_time_is_kept_while_the_status_stays_and_the_update_time_moves_with_the_reason():
    previous = (since("Available", "True", 10.0, "MinimumAvailability", "The registry has minimum availability"),)
    available = condition(observe(registry()), "Available", previous=previous, now=50.0)
    assert (available.reason, available.last_transition_time, available.last_update_time) == ("Ready", 10.0, 50.0)


def test_an_unchanged_condition_keeps_both_times():
    previous = (since("Available", "True", 10.0, "Ready", "The registry is ready"),)
    available = condition(observe(registry()), "Available", previous=previous, now=50.0)
    assert (available.last_transition_time, available.last_update_time) == (10.0, 10.0)


def test_a_status_change_transitions_now():
    previous = (since("Available", "True", 10.0, "Ready", "The registry is ready"),)
    available = condition(observe(registry(available=0)), "Available", previous=previous, now=50.0)
    assert (available.status, available.last_transition_time) == ("False", 50.0)


def test_merge_conditions_replaces_same_types_keeps_others_and_appends_new_ones():
    previous = (since("StorageExists", "True", 1.0, "S3BucketExists"), since("NodeCADaemonAvailable", "False", 2.0))
    merged = merge_conditions(previous, node_ca_conditions(3, 3, 3, 0), now=9.0)
    assert [(c.type, c.status, c.last_transition_time) for c in merged] == [
        ("StorageExists", "True", 1.0), ("NodeCADaemonAvailable", "True", 9.0), ("NodeCADaemonProgressing", "False", 9.0),
    ]


# ---- next_condition_change ------------------------------------------------------------------


@pytest.mark.parametrize(("version", "inertia"), [(V421, 60), (V422, 120), (V423, 300)], ids=["4.21", "4.22", "4.23"])
def test_the_operator_is_requeued_just_after_the_unavailable_inertia_runs_out(version, inertia):
    obs = observe(registry(available=0, progressing=UPDATING))
    previous = (since("Available", "False", 100.0, "NoReplicasAvailable"),)
    stored = registry_conditions(obs, previous, 130.0, version)
    wake = next_condition_change(obs, previous, 130.0, version)
    assert 100.0 + inertia < wake < 100.0 + inertia + 1e-9
    assert conditions(obs, version, stored, now=wake)["Degraded"] == ("True", "Unavailable")


def test_an_availability_lost_now_is_requeued_one_inertia_from_now():
    obs = observe(None)
    assert next_condition_change(obs, (), 10.0, V422) == pytest.approx(130.0)


@pytest.mark.parametrize(
    ("obs", "previous"),
    [
        (observe(registry()), ()),
        (observe(registry(available=0)), (since("Available", "False", 0.0),)),
        (observe(None, "Unmanaged"), ()),
        (observe(registry(available=0), "Removed", deployment_deleting=True), ()),
        (observe(None, permanent_error=NO_STORAGE), ()),
    ],
    ids=["available", "already degraded", "unmanaged", "removed", "permanent error"],
)
def test_nothing_is_pending_when_no_inertia_runs(obs, previous):
    assert next_condition_change(obs, previous, 1000.0, V423) is None


# ---- node-ca (§2.5) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "available", "updated", "misscheduled", "expected"),
    [
        (3, 3, 3, 0, (("True", "AsExpected"), ("False", "AsExpected"))),
        (3, 0, 3, 0, (("False", "NoAvailableReplicas"), ("False", "AsExpected"))),
        (3, 1, 2, 0, (("True", "AsExpected"), ("True", "Progressing"))),
        (3, 3, 3, 1, (("True", "AsExpected"), ("True", "Progressing"))),
    ],
    ids=["deployed", "no pod available", "updating", "misscheduled"],
)
def test_node_ca_is_available_with_any_pod_and_progressing_while_updating_or_misscheduled(
    desired, available, updated, misscheduled, expected
):
    result = node_ca_conditions(desired, available, updated, misscheduled)
    assert [c.type for c in result] == ["NodeCADaemonAvailable", "NodeCADaemonProgressing"]
    assert tuple((c.status, c.reason) for c in result) == expected


# ---- ClusterOperator union (§3) ------------------------------------------------------------


def co(conditions) -> dict[str, tuple[str, str]]:
    return {c.type: (c.status, c.reason) for c in cluster_operator_conditions(tuple(conditions))}


def healthy_config() -> tuple[Condition, ...]:
    return registry_conditions(observe(registry()), (), 0.0, V423) + node_ca_conditions(3, 3, 3, 0)


def test_a_healthy_registry_and_node_ca_make_a_healthy_cluster_operator():
    assert co(healthy_config()) == {
        "Available": ("True", "Ready"), "Progressing": ("False", "Ready"), "Degraded": ("False", "AsExpected"),
    }


def test_node_ca_with_0_available_pods_alone_makes_the_cluster_operator_available_false():
    config = registry_conditions(observe(registry()), (), 0.0, V423) + node_ca_conditions(3, 0, 3, 0)
    assert co(config)["Available"] == ("False", "NodeCADaemonNoAvailableReplicas::Ready")


def test_progressing_members_are_unioned_with_sorted_prefixed_reasons():
    config = registry_conditions(observe(registry(progressing=UPDATING)), (), 0.0, V423) + node_ca_conditions(3, 3, 2, 0)
    assert co(config)["Progressing"] == ("True", "DeploymentNotCompleted::NodeCADaemonProgressing")


def test_image_pruner_and_node_ca_controller_degraded_count_as_degraded_members():
    config = healthy_config() + (
        Condition("ImagePrunerDegraded", "True", "JobFailed", "Job has reached the specified backoff limit"),
        Condition("NodeCADaemonControllerDegraded", "False", "AsExpected"),
    )
    [_, _, degraded] = cluster_operator_conditions(config)
    assert (degraded.status, degraded.reason) == ("True", "ImagePrunerJobFailed")
    assert degraded.message == "ImagePrunerDegraded: Job has reached the specified backoff limit"


def test_members_messages_are_prefixed_with_their_type_line_by_line():
    config = (
        Condition("Available", "True", "Ready", "The registry is ready"), Condition("NodeCADaemonAvailable", "True", "", "a\nb"),
    )
    [available, _, _] = cluster_operator_conditions(config)
    assert available.message == "Available: The registry is ready\nNodeCADaemonAvailable: a\nNodeCADaemonAvailable: b"


def test_conditions_of_other_types_are_not_members():
    config = (
        Condition("Removed", "True", "Removed"), Condition("StorageExists", "False", "Missing"),
        Condition("ImagePrunerScheduled", "False", "Suspended"),
    )
    assert co(config) == {
        "Available": ("True", "AsExpected"), "Progressing": ("False", "AsExpected"), "Degraded": ("False", "AsExpected"),
    }


def test_an_unknown_member_makes_the_union_unknown_unless_another_is_definitely_abnormal():
    unknown = Condition("NodeCADaemonAvailable", "Unknown", "Unknown")
    assert co((Condition("Available", "True", "Ready"), unknown))["Available"] == ("Unknown", "NodeCADaemonUnknown::Ready")
    assert co((Condition("Available", "False", "NoReplicasAvailable"), unknown))["Available"] == (
        "False", "NoReplicasAvailable::NodeCADaemonUnknown",
    )


def test_a_union_without_members_is_normal_as_expected():
    assert union_condition("Degraded", "False", ()) == Condition("Degraded", "False", "AsExpected", "", 0.0, 0.0)


def test_the_union_transition_time_is_the_latest_members():
    config = (since("Degraded", "False", 5.0), since("NodeCADaemonControllerDegraded", "False", 9.0, "AsExpected"))
    [_, _, degraded] = cluster_operator_conditions(config)
    assert degraded.last_transition_time == 9.0
