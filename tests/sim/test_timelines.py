"""Timelines the twin must reproduce (`spec/lifecycle.md` §b, the issue's fidelity check)."""

from __future__ import annotations

import math

import pytest
from build import first, simulate

CRASH_AT = 600.0


def crash(tmp_path, openshift="4.23"):
    faults = [{"at": CRASH_AT, "node_crash": {"node": "registry"}}]
    return simulate(tmp_path, openshift=openshift, faults=faults).records


def crashed_node(records) -> str:
    return first(records, "Fault", "node_crash").details["node"]


def test_a_crashed_node_turns_unknown_about_50_seconds_after_its_last_heartbeat(tmp_path):
    records = crash(tmp_path)
    unknown = first(records, "NodeCondition", crashed_node(records), ready="Unknown")
    # the last lease renewal is up to 10 s before the crash; passes run every 5 s
    assert CRASH_AT + 40 < unknown.time <= CRASH_AT + 55


def silence(tmp_path, **changes) -> float:
    """Seconds from the crashed node's last Lease renewal to Ready=Unknown: the monitor
    stamps a renewal at the pass that sees it (up to 5 s later) and declares the node
    Unknown at the first pass more than the grace period after that stamp."""
    result = simulate(tmp_path, faults=[{"at": CRASH_AT, "node_crash": {"node": "registry"}}], **changes)
    node = crashed_node(result.records)
    unknown = first(result.records, "NodeCondition", node, ready="Unknown")
    return unknown.time - result.world.runtime[node].last_heartbeat(CRASH_AT)


def test_from_kubernetes_1_32_a_node_is_unknown_50_to_60_seconds_after_its_last_heartbeat(tmp_path):
    assert 50 < silence(tmp_path, openshift="4.21") <= 60  # OpenShift 4.21 runs Kubernetes 1.34


def test_up_to_kubernetes_1_31_the_grace_period_is_40_seconds(tmp_path):
    assert 40 < silence(tmp_path, kubernetes="1.31") <= 50


def test_the_unreachable_no_execute_taint_follows_at_the_next_pass(tmp_path):
    records = crash(tmp_path)
    node = crashed_node(records)
    unknown = first(records, "NodeCondition", node, ready="Unknown")
    tainted = next(r for r in records if r.kind == "NodeTaints" and r.subject == node
                   and "node.kubernetes.io/unreachable:NoExecute" in r.details["taints"])
    assert unknown.time < tainted.time <= unknown.time + 5.0 + 0.1


def test_pods_are_deleted_300_seconds_after_the_no_execute_taint(tmp_path):
    records = crash(tmp_path)
    node = crashed_node(records)
    tainted = next(r for r in records if r.kind == "NodeTaints" and r.subject == node
                   and "node.kubernetes.io/unreachable:NoExecute" in r.details["taints"])
    evicted = first(records, "PodTerminating", reason="DeletionByTaintManager", node=node)
    assert evicted.time == pytest.approx(tainted.time + 300.0)


def test_the_replacement_is_created_about_5_9_minutes_after_the_crash(tmp_path):
    records = crash(tmp_path)
    evicted = first(records, "PodTerminating", reason="DeletionByTaintManager", node=crashed_node(records))
    replacement = first(records, "PodCreated", after=evicted.time)
    assert replacement.time == evicted.time
    assert 5.5 * 60 < replacement.time - CRASH_AT < 6.2 * 60


def test_pods_of_an_unreachable_node_stay_terminating_until_it_returns(tmp_path):
    faults = [{"at": CRASH_AT, "network_partition": {"node": "registry"}},
              {"at": 1000.0, "partition_heal": {"node": "registry"}}]
    records = simulate(tmp_path, faults=faults, duration="25m").records
    node = first(records, "Fault", "network_partition").details["node"]
    evicted = first(records, "PodTerminating", node=node, reason="DeletionByTaintManager")
    deleted = first(records, "PodDeleted", evicted.subject)
    assert evicted.time < 1000.0
    assert deleted.time == pytest.approx(1000.0)


def test_a_single_zone_cluster_never_evicts_when_all_its_nodes_fail(tmp_path):
    cluster = {"generate": {"zones": 1, "workers_per_zone": 3, "control_plane": 0}}
    faults = [{"at": CRASH_AT, "zone_outage": {"zone": "us-east-1a"}}]
    records = simulate(tmp_path, cluster=cluster, faults=faults).records
    assert first(records, "ZoneState", "us-east-1a", state="FullDisruption") is not None
    assert first(records, "PodTerminating", reason="DeletionByTaintManager") is None


def test_registry_pods_become_ready_after_pull_start_and_the_15_second_readiness_delay(tmp_path):
    records = simulate(tmp_path, images={"default_pull_seconds": 20}).records
    bound = next(r for r in records if r.kind == "PodBound" and "/image-registry-" in r.subject)
    ready = first(records, "PodReady", bound.subject)
    assert ready.time - bound.time == pytest.approx(20 + 1 + 15)


def test_pods_restart_on_a_recovered_node_without_pulling_their_image_again(tmp_path):
    faults = [{"at": CRASH_AT, "node_crash": {"node": "registry"}},
              {"at": CRASH_AT + 100, "node_recovery": {"node": "registry"}}]
    records = simulate(tmp_path, faults=faults, images={"default_pull_seconds": 30}).records
    node = first(records, "Fault", "node_crash").details["node"]
    pod = first(records, "PodBound", node=node, daemonset=False).subject
    assert first(records, "PodReady", pod).time == pytest.approx(30 + 1 + 15)  # pulled once
    assert first(records, "PodReady", pod, after=CRASH_AT).time == pytest.approx(CRASH_AT + 100 + 1 + 15)


def test_a_scheduling_failure_records_each_nodes_failing_plugin(tmp_path):
    records = simulate(tmp_path, openshift="4.22", faults=[{"at": 300, "zone_outage": {"zone": "registry"}}],
                       registry={"config": {"spec": {"replicas": 3, "storage": {"s3": {}}}}}).records
    failure = first(records, "SchedulingFailed")
    assert failure is not None
    assert failure.details["nodes"]["master-0"].startswith("TaintToleration: ")
    assert any(v.startswith("PodTopologySpread: ") for v in failure.details["nodes"].values())


@pytest.mark.parametrize("profile, grace", [(None, 50.0), ("Default", 40.0), ("MediumUpdateAverageReaction", 120.0),
                                            ("LowUpdateSlowReaction", 300.0)])
def test_each_worker_latency_profile_sets_how_long_a_silent_node_stays_ready(tmp_path, profile, grace):
    cluster = {"generate": {"zones": 3, "workers_per_zone": 2, "control_plane": 3}, "worker_latency_profile": profile}
    assert grace < silence(tmp_path, cluster=cluster) <= grace + 10


@pytest.mark.parametrize("profile, toleration", [(None, 300.0), ("MediumUpdateAverageReaction", 60.0),
                                                 ("LowUpdateSlowReaction", 60.0)])
def test_each_worker_latency_profile_sets_how_long_pods_tolerate_an_unreachable_node(tmp_path, profile, toleration):
    """Pods created during the run get the profile's default tolerations (the registry's
    replicas are created by its ReplicaSet, so they pass admission in the twin too)."""
    cluster = {"generate": {"zones": 3, "workers_per_zone": 2, "control_plane": 3}, "worker_latency_profile": profile}
    records = simulate(tmp_path, faults=[{"at": CRASH_AT, "node_crash": {"node": "registry"}}], cluster=cluster,
                       duration="30m").records
    node = crashed_node(records)
    tainted = next(r for r in records if r.kind == "NodeTaints" and r.subject == node
                   and "node.kubernetes.io/unreachable:NoExecute" in r.details["taints"])
    evicted = first(records, "PodTerminating", reason="DeletionByTaintManager", node=node)
    assert evicted.time == pytest.approx(tainted.time + toleration)


@pytest.mark.parametrize("profile, period", [("Default", 10.0), ("LowUpdateSlowReaction", 60.0)])
def test_a_node_that_comes_back_is_ready_at_its_kubelets_next_status_sync(tmp_path, profile, period):
    """The kubelet syncs its status every node-status-update-frequency (on its lease's
    phase); its Lease renewals resume at once but do not make the node Ready. Ready comes
    at the first monitor pass (every 5 s) at or after the first status tick after the
    partition heals."""
    cluster = {"generate": {"zones": 3, "workers_per_zone": 2, "control_plane": 3}, "worker_latency_profile": profile}
    faults = [{"at": CRASH_AT, "network_partition": {"node": "registry"}},
              {"at": 1000.0, "partition_heal": {"node": "registry"}}]
    result = simulate(tmp_path, faults=faults, cluster=cluster, duration="25m")
    node = first(result.records, "Fault", "network_partition").details["node"]
    phase = result.world.runtime[node].heartbeat_phase
    tick = phase + math.ceil((1000.0 - phase) / period) * period
    ready = first(result.records, "NodeCondition", node, after=1000.0, ready="True")
    assert ready.time == pytest.approx(math.ceil(tick / 5.0 - 1e-9) * 5.0)
