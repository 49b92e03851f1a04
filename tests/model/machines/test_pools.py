"""ROSA machine pool rules and the MachineSets a pool makes, as tables.

Replica rules: openshift/rosa @ d80ba251 `pkg/machinepool/helper.go`
`MinReplicaValidator` / `MaxReplicaValidator` (and their e2e expectations in
`tests/e2e/test_rosacli_machine_pool.go`: "multi AZ clusters require that the replicas be
a multiple of 3"); `validateClusterVersionWithMaxNodesLimit` (249 on Classic);
`machinepool.go` `machinePoolKeyRE`. One MachineSet per zone: OpenShift Dedicated docs,
"Machine pools in multiple zone clusters"."""

from __future__ import annotations

import doctest

import pytest

from twin.model.machines import delays, delete_policy, pools
from twin.model.machines.pools import (MachinePool, bounds_problem, machine_name, machine_set_name, machine_sets,
                                       name_problem, replicas_problem, split)
from twin.model.objects import Node

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")

REPLICA_CASES = [
    # (case named after the rosa validator's branch, count, zones, refused?)
    ("MinReplicaValidator: a Multi-AZ count that is a multiple of 3 is accepted", 6, 3, False),
    ("MinReplicaValidator: zero replicas on a Multi-AZ pool are accepted (0 % 3 == 0)", 0, 3, False),
    ("MinReplicaValidator: a Multi-AZ count of 4 is refused", 4, 3, True),
    ("MaxReplicaValidator: a Multi-AZ max of 7 is refused", 7, 3, True),
    ("a Single-AZ pool takes any count (MultiAz false)", 5, 1, False),
    ("replicas must be a non-negative integer", -1, 1, True),
    ("validateClusterVersionWithMaxNodesLimit: 249 is the Classic limit", 249, 1, False),
    ("validateClusterVersionWithMaxNodesLimit: 250 is above it", 250, 1, True),
]


@pytest.mark.parametrize("name, count, zones, refused", REPLICA_CASES, ids=[c[0] for c in REPLICA_CASES])
def test_replica_counts_follow_rosa(name, count, zones, refused):
    assert (replicas_problem(count, zones) is not None) is refused


def test_the_multi_az_rule_is_read_as_a_multiple_of_the_pool_zone_count():
    """ASSUMPTION (module docstring): ROSA's Multi-AZ clusters have 3 zones; a generated
    cluster of 2 zones asks for multiples of 2."""
    assert replicas_problem(4, 2) is None
    assert "multiple of 2" in replicas_problem(3, 2)


BOUND_CASES = [
    ("MaxReplicaValidator: max-replicas must be greater than zero", 0, 0, "max-replicas must be greater than zero"),
    ("MaxReplicaValidator: max-replicas must be greater or equal to min-replicas", 6, 3,
     "max-replicas must be greater or equal to min-replicas"),
    ("min equal to max is accepted", 3, 3, None),
    ("min 0 (scale from zero) is accepted", 0, 3, None),
]


@pytest.mark.parametrize("name, low, high, words", BOUND_CASES, ids=[c[0] for c in BOUND_CASES])
def test_autoscaling_bounds_follow_rosa(name, low, high, words):
    problem = bounds_problem(low, high)
    assert (problem is None) if words is None else (words in problem)


@pytest.mark.parametrize("name, ok", [("worker", True), ("infra-2", True), ("a", True), ("2nd", False),
                                      ("infra-", False), ("Infra", False), ("in_fra", False), ("", False)])
def test_pool_names_follow_machinePoolKeyRE(name, ok):
    assert (name_problem(name) is None) is ok


def pool(replicas=6, low=None, high=None, zones=ZONES) -> MachinePool:
    templates = tuple(Node(machine_set_name("p", z)) for z in zones)
    return MachinePool("p", "m5.xlarge", zones, replicas, templates, low, high)


def test_a_multi_az_pool_is_one_machine_set_per_zone_named_pool_dash_zone():
    sets = machine_sets(pool(replicas=6))
    assert [(s.id, s.zone, s.replicas, s.min_size, s.max_size) for s in sets] == [
        ("p-us-east-1a", "us-east-1a", 2, 2, 2), ("p-us-east-1b", "us-east-1b", 2, 2, 2),
        ("p-us-east-1c", "us-east-1c", 2, 2, 2)]
    assert not any(s.autoscaled for s in sets)


def test_an_autoscaled_pool_splits_min_and_max_evenly_over_its_machine_sets():
    sets = machine_sets(pool(replicas=3, low=3, high=12))
    assert [(s.replicas, s.min_size, s.max_size, s.autoscaled) for s in sets] == [(1, 1, 4, True)] * 3


def test_a_single_az_pool_is_one_machine_set_holding_every_replica():
    (only,) = machine_sets(pool(replicas=5, zones=("us-east-1b",)))
    assert (only.id, only.replicas) == ("p-us-east-1b", 5)


def test_machines_are_named_after_their_machine_set_so_generated_workers_are_the_worker_pool():
    assert machine_name(machine_set_name("worker", "us-east-1a"), 0) == "worker-us-east-1a-0"
    assert split(6, 3) == 2


def test_the_delete_policy_removes_failed_then_nodeless_machines_first():
    """machine-api-operator `randomDeletePolicy`: Failed (betterDelete 50) before no
    NodeRef (preferDelete 40) before any other (couldDelete 20)."""
    views = [delete_policy.MachineView("ok", False, True), delete_policy.MachineView("booting", False, False),
             delete_policy.MachineView("failed", True, False)]
    assert delete_policy.machines_to_delete(views, 2, [0, 1, 2]) == ["failed", "booting"]
    assert delete_policy.machines_to_delete(views, 0, [0, 1, 2]) == []


def test_equal_priorities_follow_the_drawn_order():
    views = [delete_policy.MachineView(n, False, True) for n in "abc"]
    assert delete_policy.machines_to_delete(views, 2, [2, 0, 1]) == ["c", "a"]


def test_a_provisioning_delay_has_the_median_and_p99_it_was_given():
    import numpy as np
    rng = np.random.default_rng(1)
    draws = np.array([delays.draw(rng, 240.0, 480.0) for _ in range(20000)])
    assert abs(np.median(draws) / 240.0 - 1) < 0.03
    assert abs(np.quantile(draws, 0.99) / 480.0 - 1) < 0.08
    assert delays.draw(rng, 60.0, 60.0) == 60.0


@pytest.mark.parametrize("module", [pools, delays, delete_policy], ids=lambda m: m.__name__)
def test_the_worked_examples_in_the_docstrings_hold(module):
    assert doctest.testmod(module).failed == 0
