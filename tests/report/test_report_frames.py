"""The frames behind the run report, rebuilt from records: Ready replicas per zone, fault
windows, Pending pods with the scheduler's reasons, the placement at an instant, the
request rates, and the per-window latency quantiles the traffic statistics keep."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from twin.analysis.cluster import cluster_document, snapshot_before
from twin.analysis.outcome import evaluate
from twin.analysis.timelines import NOT_TRIED, fault_marks, pending_pods, pending_table, ready_by_zone
from twin.analysis.traffic import outcome_rates
from twin.invariants.series import registry_ready, value_at
from twin.model.registry.requests import Kind
from twin.model.registry.summaries import BINS, bin_index, quantile_values
from twin.scenarios.load import load_scenario
from twin.sim.recorder import Record
from twin.sim.traffic.stats import RequestStats, SparseCounts

REGISTRY = "openshift-image-registry/image-registry-abc-"
CLUSTER = {"nodes": [{"name": "a", "zone": "z1", "roles": ["worker"]}, {"name": "b", "zone": "z2", "roles": ["worker"]}],
           "pods": []}


def records(*rows) -> list[Record]:
    """(time, kind, subject, details) rows -> records in order."""
    return [Record(float(t), seq, kind, subject, details) for seq, (t, kind, subject, details) in enumerate(rows)]


def steps(frame: pd.DataFrame, zone: str) -> list[tuple[float, int]]:
    part = frame[frame["zone"] == zone]
    return list(zip(part["time"].tolist(), part["ready"].tolist()))


# Ready replicas per zone


def test_a_replica_counts_in_the_zone_of_its_node_from_ready_until_not_ready():
    frame = ready_by_zone(records(
        (0, "PodBound", REGISTRY + "1", {"node": "a"}),
        (0, "PodBound", REGISTRY + "2", {"node": "b"}),
        (26, "PodReady", REGISTRY + "1", {}),
        (30, "PodReady", REGISTRY + "2", {}),
        (655, "PodNotReady", REGISTRY + "1", {}),
    ), CLUSTER)
    assert steps(frame, "z1") == [(0.0, 0), (26.0, 1), (655.0, 0)]
    assert steps(frame, "z2") == [(0.0, 0), (30.0, 1)]


def test_a_terminating_replica_no_longer_counts_even_while_ready():
    frame = ready_by_zone(records(
        (0, "PodBound", REGISTRY + "1", {"node": "a"}),
        (10, "PodReady", REGISTRY + "1", {}),
        (20, "PodTerminating", REGISTRY + "1", {"reason": "DeletionByTaintManager"}),
        (75, "PodDeleted", REGISTRY + "1", {}),
    ), CLUSTER)
    assert steps(frame, "z1") == [(0.0, 0), (10.0, 1), (20.0, 0)]


def test_a_container_restart_makes_a_replica_not_ready_until_it_is_ready_again():
    frame = ready_by_zone(records(
        (0, "PodBound", REGISTRY + "1", {"node": "b"}),
        (10, "PodReady", REGISTRY + "1", {}),
        (626, "ContainerRestart", REGISTRY + "1", {"backoff": 10.0}),
        (794, "PodReady", REGISTRY + "1", {}),
    ), CLUSTER)
    assert steps(frame, "z2") == [(0.0, 0), (10.0, 1), (626.0, 0), (794.0, 1)]


def test_node_ca_and_workload_pods_are_not_registry_replicas():
    frame = ready_by_zone(records(
        (0, "PodBound", "openshift-image-registry/node-ca-a", {"node": "a", "daemonset": True}),
        (0, "PodBound", "apps/web-1", {"node": "a"}),
        (5, "PodReady", "openshift-image-registry/node-ca-a", {}),
        (5, "PodReady", "apps/web-1", {}),
    ), CLUSTER)
    assert frame["ready"].tolist() == [0, 0]


def test_without_cluster_json_every_replica_counts_in_no_zone():
    frame = ready_by_zone(records((0, "PodBound", REGISTRY + "1", {"node": "a"}), (9, "PodReady", REGISTRY + "1", {})),
                          None)
    assert steps(frame, "(no zone)") == [(0.0, 0), (9.0, 1)]


# fault windows


def test_an_outage_and_its_recovery_make_a_window_and_other_faults_are_instants():
    marks = fault_marks(records(
        (600, "Fault", "zone_outage", {"zone": "z1"}),
        (700, "Fault", "drain", {"node": "a"}),
        (900, "Fault", "node_crash", {"node": "b"}),
        (2400, "Fault", "zone_recovery", {"zone": "z1"}),
        (2500, "Fault", "partition_heal", {"node": "a"}),
        (2600, "Fault", "config_edit", {"patch": {"spec": {"replicas": 3}}}),
    ), end=3600.0)
    rows = [(s, None if math.isnan(e) else e, label) for s, e, label in zip(marks["start"], marks["end"], marks["label"])]
    assert rows == [
        (600.0, 2400.0, "zone_outage z1"),
        (700.0, None, "drain a"),
        (900.0, 3600.0, "node_crash b"),  # never recovered: shaded to the end
        (2500.0, None, "partition_heal a"),  # a recovery without its fault is an instant
        (2600.0, None, 'config_edit {"spec":{"replicas":3}}'),
    ]


# Pending pods


FIT_A = "0/6 nodes are available: 6 node(s) didn't match pod topology spread constraints."
FIT_B = "0/6 nodes are available: 2 node(s) had untolerated taint(s), 4 node(s) didn't match pod topology spread constraints."


def test_a_pending_pod_is_counted_under_its_latest_scheduling_failure_until_bound():
    frame = pending_pods(records(
        (0, "PodCreated", "apps/p", {}),
        (0, "SchedulingFailed", "apps/p", {"message": FIT_A}),
        (300, "SchedulingFailed", "apps/p", {"message": FIT_B}),
        (600, "PodBound", "apps/p", {"node": "a"}),
    ))
    assert list(frame.itertuples(index=False, name=None)) == [
        (0.0, NOT_TRIED, 0), (0.0, FIT_A, 1), (300.0, FIT_A, 0), (300.0, FIT_B, 1), (600.0, FIT_B, 0)]


def test_a_pod_bound_the_instant_it_was_created_was_never_pending():
    frame = pending_pods(records((5, "PodCreated", "apps/p", {}), (5, "PodBound", "apps/p", {"node": "a"})))
    assert pending_table(frame, end=60.0).empty
    assert frame["reason"].tolist() == [NOT_TRIED]


def test_the_reason_table_sums_pod_seconds_and_keeps_the_peak_per_reason():
    frame = pending_pods(records(
        (0, "PodCreated", "apps/p", {}), (0, "PodCreated", "apps/q", {}),
        (0, "SchedulingFailed", "apps/p", {"message": FIT_A}), (0, "SchedulingFailed", "apps/q", {"message": FIT_A}),
        (100, "PodDeleted", "apps/q", {}),
    ))
    table = pending_table(frame, end=400.0)
    assert list(table.itertuples(index=False, name=None)) == [(FIT_A, 2, 500.0, 0.0, 400.0)]


# the placement at an instant


def test_the_snapshot_before_a_fault_holds_the_pods_and_node_states_of_just_before():
    cluster = {**CLUSTER, "pods": [{"pod": "apps/static", "node": "b"}]}
    log = records(
        (0, "NodeAdded", "a", {}), (0, "NodeAdded", "b", {}),
        (0, "PodCreated", REGISTRY + "1", {}), (0, "PodBound", REGISTRY + "1", {"node": "a"}),
        (0, "PodCreated", "apps/web", {}),
        (26, "PodReady", REGISTRY + "1", {}),
        (600, "Fault", "zone_outage", {"zone": "z1"}),
        (655, "NodeCondition", "a", {"ready": "Unknown"}),
        (975, "PodTerminating", REGISTRY + "1", {}),
    )
    before, end = snapshot_before(log, cluster, 600.0), snapshot_before(log, cluster)
    assert list(before.pods[["node", "pod", "group", "state"]].itertuples(index=False, name=None)) == [
        ("a", REGISTRY + "1", "registry", "Ready"), ("b", "apps/static", "workload", "Ready")]
    assert before.unbound == {"workload": 1}
    assert end.nodes.set_index("node")["ready"].to_dict() == {"a": "Unknown", "b": "True"}
    assert end.pods.set_index("pod")["state"][REGISTRY + "1"] == "Terminating"


def test_the_cluster_document_lists_every_node_with_its_zone_also_those_a_fault_adds():
    document = cluster_document(load_scenario("zone-failure"))
    assert document["description"].startswith("3 zones with 2 workers each")
    zones = {n["name"]: (n["zone"], n["roles"]) for n in document["nodes"]}
    assert zones["worker-us-east-1a-0"] == ("us-east-1a", ["worker"])
    assert zones["master-1"] == ("us-east-1b", ["control-plane", "master"])
    assert document["pods"] == []


@pytest.fixture(scope="module")
def zone_failure():
    """A real run with zones, a zone outage, NotReady nodes and a replica evicted from them."""
    scenario = load_scenario("zone-failure")
    return scenario, evaluate(scenario)


def test_the_replicas_per_zone_add_up_to_the_recorded_ready_count_at_every_change(zone_failure):
    scenario, outcome = zone_failure
    records_ = outcome.result.records
    frame = ready_by_zone(records_, cluster_document(scenario))
    wide = frame.pivot_table(index="time", columns="zone", values="ready", aggfunc="last").sort_index().ffill()
    recorded = registry_ready(records_)
    assert [value_at(recorded, t) for t in wide.index] == wide.sum(axis=1).astype(int).tolist()


def test_the_snapshot_at_the_end_matches_the_pods_the_simulation_holds(zone_failure):
    scenario, outcome = zone_failure
    snapshot = snapshot_before(outcome.result.records, cluster_document(scenario))
    world = outcome.result.world

    def state(r):
        return "Terminating" if r.status.deleted is not None else "Ready" if r.status.ready else "NotReady"
    held = sorted((r.key, r.pod.node_name, state(r)) for r in world.store.list("Pod") if r.pod.node_name)
    assert sorted(zip(snapshot.pods["pod"], snapshot.pods["node"], snapshot.pods["state"])) == held


# request series


def test_outcome_rates_are_per_second_and_zero_where_no_request_finished():
    requests = pd.DataFrame({"time": [10.0, 30.0], "failed": [0, 5], "ok": [100, 100], "redirect": [0, 0],
                             "not_allowed": [20, 0], "too_many": [0, 40], "unavailable": [0, 0]})
    rates = outcome_rates(requests, end=40.0)
    assert rates["time"].tolist() == [0.0, 10.0, 20.0, 30.0]
    assert rates["too_many"].tolist() == [0.0, 0.0, 0.0, 4.0]
    assert rates["not_allowed"].tolist() == [0.0, 2.0, 0.0, 0.0]
    assert rates["failed"].tolist() == [0.0, 0.0, 0.0, 0.5]


def test_per_window_latency_quantiles_equal_those_of_a_dense_store_of_the_same_requests():
    rng = np.random.default_rng(3)
    end, seconds, kind = np.sort(rng.uniform(0, 400, 6000)), rng.exponential(0.2, 6000), rng.integers(0, 3, 6000)
    stats = RequestStats(latency_every=60.0)
    for part in np.array_split(np.arange(6000), 9):  # batches smaller than their dense grid: sorted keys
        stats._by_window(end[part], seconds[part], kind[part])
    rows = stats.latency_series()
    assert len(rows) == 7 * 3
    for time, name, n, p50, p99 in rows:
        values = seconds[(end // 60 * 60 == time) & (kind == Kind[name.upper()])]
        assert n == len(values)
        assert (p50, p99) == quantile_values(np.bincount(bin_index(values), minlength=BINS), (0.5, 0.99))


def test_a_batch_larger_than_its_dense_grid_is_binned_with_one_bincount_to_the_same_counts():
    rng = np.random.default_rng(4)
    end, seconds, kind = rng.uniform(0, 59, 60000), rng.exponential(0.1, 60000), np.zeros(60000, np.int64)
    dense, sparse = RequestStats(), RequestStats()
    dense._by_window(end, seconds, kind)
    for part in np.array_split(np.arange(60000), 20):
        sparse._by_window(end[part], seconds[part], kind[part])
    assert dense.latency_series() == sparse.latency_series()


def test_sparse_counts_merge_equal_keys_and_keep_them_sorted():
    counts = SparseCounts()
    counts.add(np.array([9, 3]), np.array([1, 2]))
    counts.add(np.array([3, 5]), np.array([4, 1]))
    keys, values = counts.merged()
    assert keys.tolist() == [3, 5, 9] and values.tolist() == [6, 1, 1]
    assert [a.tolist() for a in SparseCounts().merged()] == [[], []]
