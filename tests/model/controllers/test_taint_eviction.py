"""DefaultTolerationSeconds admission and the taint-eviction controller, from
`spec/lifecycle.md` §0 and §b.1 (upstream admission.go, taint_eviction.go)."""

from __future__ import annotations

import pytest

from twin.model.controllers.actions import DeletePod, Reconciled
from twin.model.controllers.taint_eviction import (
    ScheduledEviction,
    eviction_delay,
    eviction_schedule,
    evictions_due,
    reconcile_node,
    reschedule,
    with_default_tolerations,
)
from twin.model.objects import Pod, Taint, Toleration

NOT_READY, UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
NOT_READY_NE, UNREACHABLE_NE = Taint(NOT_READY, effect="NoExecute"), Taint(UNREACHABLE, effect="NoExecute")
DEFAULT_NOT_READY = Toleration(NOT_READY, "Exists", "", "NoExecute", 300)
DEFAULT_UNREACHABLE = Toleration(UNREACHABLE, "Exists", "", "NoExecute", 300)
NODE_CA = (Toleration(operator="Exists"),)  # the node-ca DaemonSet: every taint, forever
DAEMONSET = (Toleration(NOT_READY, "Exists", "", "NoExecute"), Toleration(UNREACHABLE, "Exists", "", "NoExecute"))


def tolerating(*tolerations: Toleration, name: str = "p") -> Pod:
    return Pod(name, tolerations=tuple(tolerations))


def seconds(key: str, secs: int | None, effect: str = "NoExecute") -> Toleration:
    return Toleration(key, "Exists", "", effect, secs)


@pytest.mark.parametrize(
    "tolerations, added",
    [
        pytest.param((), (DEFAULT_NOT_READY, DEFAULT_UNREACHABLE), id="a pod without tolerations gets both, not-ready first"),
        pytest.param((seconds(NOT_READY, 60),), (DEFAULT_UNREACHABLE,),
                     id="a pod tolerating not-ready NoExecute gets only unreachable"),
        pytest.param((seconds(UNREACHABLE, None, ""),), (DEFAULT_NOT_READY,), id="an empty effect counts as NoExecute"),
        pytest.param((seconds(NOT_READY, None, "NoSchedule"),), (DEFAULT_NOT_READY, DEFAULT_UNREACHABLE),
                     id="a NoSchedule toleration for the key does not count"),
        pytest.param(NODE_CA, (), id="the node-ca wildcard toleration suppresses both"),
        pytest.param((Toleration("", "Exists", "", "NoExecute"),), (), id="an empty key with NoExecute suppresses both"),
        pytest.param((Toleration(NOT_READY, "Equal", "x", "NoExecute"),), (DEFAULT_UNREACHABLE,),
                     id="operator and value are not looked at"),
        pytest.param(DAEMONSET, (), id="DaemonSet pods keep their forever tolerations"),
    ],
)
def test_default_toleration_seconds_admission(tolerations, added):
    pod = tolerating(*tolerations)
    assert with_default_tolerations(pod).tolerations == tolerations + added


def test_the_default_seconds_are_parameters_and_other_fields_are_kept():
    pod = Pod("registry", "openshift-image-registry", node_name="n1")
    admitted = with_default_tolerations(pod, not_ready_seconds=30, unreachable_seconds=60)
    assert [t.toleration_seconds for t in admitted.tolerations] == [30, 60]
    assert (admitted.key, admitted.node_name) == ("openshift-image-registry/registry", "n1")


@pytest.mark.parametrize(
    "pod, taints, expected",
    [
        pytest.param(Pod("p"), (), None, id="no taint means no eviction"),
        pytest.param(Pod("p"), (Taint(NOT_READY, effect="NoSchedule"),), None, id="NoSchedule taints never evict"),
        pytest.param(Pod("p"), (UNREACHABLE_NE,), 0.0, id="an untolerated NoExecute taint evicts at once"),
        pytest.param(with_default_tolerations(Pod("p")), (UNREACHABLE_NE,), 300.0, id="the default tolerations give 300 s"),
        pytest.param(tolerating(*NODE_CA), (UNREACHABLE_NE, Taint("x", effect="NoExecute")), None,
                     id="the node-ca DaemonSet pod tolerates forever"),
        pytest.param(tolerating(*DAEMONSET), (NOT_READY_NE,), None, id="DaemonSet forever tolerations never evict"),
        pytest.param(tolerating(seconds(NOT_READY, 300), seconds(UNREACHABLE, 60)), (NOT_READY_NE, UNREACHABLE_NE), 60.0,
                     id="the minimum over the tolerations used"),
        pytest.param(tolerating(seconds(NOT_READY, None), seconds(UNREACHABLE, 300)), (NOT_READY_NE, UNREACHABLE_NE), 300.0,
                     id="a forever toleration does not lift a timed one"),
        pytest.param(tolerating(seconds(UNREACHABLE, -5)), (UNREACHABLE_NE,), 0.0, id="a negative tolerationSeconds counts as 0"),
        pytest.param(tolerating(seconds(UNREACHABLE, None), seconds(UNREACHABLE, 60)), (UNREACHABLE_NE,), None,
                     id="the first matching toleration is the one used"),
        pytest.param(tolerating(seconds(UNREACHABLE, 60), seconds(UNREACHABLE, None)), (UNREACHABLE_NE,), 60.0,
                     id="order matters the other way round too"),
        pytest.param(tolerating(seconds(UNREACHABLE, None)), (UNREACHABLE_NE, Taint("x", effect="NoExecute")), 0.0,
                     id="one untolerated taint among tolerated ones evicts at once"),
    ],
)
def test_eviction_delay(pod, taints, expected):
    assert eviction_delay(pod, taints) == expected


REGISTRY = with_default_tolerations(Pod("image-registry-1", "openshift-image-registry"))
NODE_CA_POD = Pod("node-ca-x", "openshift-image-registry", tolerations=NODE_CA)
BARE = Pod("bare")


def test_the_schedule_lists_due_times_in_order_and_skips_forever_tolerant_and_terminating_pods():
    terminating = Pod("gone", deletion_timestamp="2026-01-01T00:00:00Z")
    schedule = eviction_schedule([REGISTRY, NODE_CA_POD, BARE, terminating], (UNREACHABLE_NE,), 150.0)
    assert schedule == [("default/bare", 150.0), ("openshift-image-registry/image-registry-1", 450.0)]


def test_evictions_are_due_only_once_their_time_has_come():
    pods = [REGISTRY, NODE_CA_POD, BARE]
    assert evictions_due(pods, (UNREACHABLE_NE,), 150.0, 449.9) == [("default/bare", 150.0)]
    assert [key for key, _ in evictions_due(pods, (UNREACHABLE_NE,), 150.0, 450.0)] == [
        "default/bare", "openshift-image-registry/image-registry-1"]


def test_reconcile_deletes_due_pods_and_comes_back_for_the_next():
    result = reconcile_node([REGISTRY, BARE], (UNREACHABLE_NE,), 150.0, 200.0)
    assert result == Reconciled((DeletePod("default/bare", "DeletionByTaintManager"),), 250.0)
    assert reconcile_node([NODE_CA_POD], (UNREACHABLE_NE,), 150.0, 200.0) == Reconciled((), None)


def test_swapping_not_ready_for_unreachable_does_not_restart_the_countdown():
    first = reschedule(None, REGISTRY, (NOT_READY_NE,), 10.0)
    assert first == ScheduledEviction(10.0, 310.0)
    assert reschedule(first, REGISTRY, (UNREACHABLE_NE,), 20.0) == first


def test_a_taint_the_pod_does_not_tolerate_replaces_the_countdown_with_deletion_now():
    first = reschedule(None, REGISTRY, (NOT_READY_NE,), 10.0)
    assert reschedule(first, REGISTRY, (NOT_READY_NE, Taint("x", effect="NoExecute")), 20.0) == ScheduledEviction(20.0, 20.0)


def test_removing_the_taints_or_tolerating_forever_cancels_the_eviction():
    first = reschedule(None, REGISTRY, (NOT_READY_NE,), 10.0)
    assert reschedule(first, REGISTRY, (Taint(NOT_READY, effect="NoSchedule"),), 20.0) is None
    assert reschedule(first, tolerating(*DAEMONSET), (NOT_READY_NE,), 20.0) is None


def test_a_recomputation_at_the_same_instant_takes_the_new_minimum():
    first = reschedule(None, REGISTRY, (NOT_READY_NE,), 10.0)
    shorter = tolerating(seconds(NOT_READY, 60))
    assert reschedule(first, shorter, (NOT_READY_NE,), 10.0) == ScheduledEviction(10.0, 70.0)
