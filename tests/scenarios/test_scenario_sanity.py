"""Scenario sanity (`twin/scenarios/checks.py`): faults after the end and reversed allowed
windows are refused, a fault at the very end and a registry no node can take are warned
about (and recorded in the summary), and an invariant that had nothing to check is
vacuous: it does not hold (`twin/invariants/verdict.py`)."""

from __future__ import annotations

import pytest

from twin.analysis.outcome import evaluate
from twin.errors import InputError
from twin.invariants import Verdict
from twin.analysis.sanity import scenario_warnings
from twin.scenarios.load import load_scenario, scenario_from_body


def scenario(**fields):
    return scenario_from_body({"name": "sanity", **fields}, ".", "sanity.yaml")


def refusal(**fields) -> InputError:
    with pytest.raises(InputError) as caught:
        scenario(**fields)
    return caught.value


REFUSED = [
    ("a fault after the end of the run is refused at its time",
     {"duration": "30m", "faults": [{"at": "10m", "zone_outage": {"zone": "registry"}},
                                    {"at": "40m", "zone_recovery": {"zone": "registry"}}]},
     "faults[1].at", "expected a time within the run (duration 1800 s), got 2400 s: the run ends before this "
                     "zone_recovery fault"),
    ("an allowed window that ends before it starts is refused",
     {"invariants": [{"name": "registry_availability", "allowed_windows": [[0, 60], [1200, 600]]}]},
     "invariants[0].allowed_windows[1]", "expected a window [start, end] with start <= end, got [1200 s, 600 s]"),
    ("a generated cluster without any node is refused",
     {"cluster": {"generate": {"workers_per_zone": 0, "control_plane": 0}}},
     "cluster.generate", "expected at least one node, got workers_per_zone 0 and control_plane 0 (nothing could run)"),
    ("a generated worker taint with an empty key is refused",
     {"cluster": {"generate": {"worker": {"taints": [{"key": "", "effect": "NoSchedule"}]}}}},
     "cluster.generate.worker.taints[0].key",
     "expected a qualified name such as app or example.com/app (name part must be non-empty), got ''"),
    ("a generated worker taint given twice is refused",
     {"cluster": {"generate": {"worker": {"taints": [{"key": "a", "effect": "NoSchedule"},
                                                     {"key": "a", "value": "b", "effect": "NoSchedule"}]}}}},
     "cluster.generate.worker.taints[1]", "expected taints unique by key and effect, got a second a:NoSchedule"),
    ("a generated worker label with a bad key is refused",
     {"cluster": {"generate": {"worker": {"labels": {"bad key!": "x"}}}}},
     "cluster.generate.worker.labels['bad key!']", None),
    ("a region that makes bad zone labels is refused",
     {"cluster": {"generate": {"region": "us east"}}}, "cluster.generate.region", None),
    ("a workload name with upper case is refused",
     {"workloads": [{"name": "Web", "replicas": 1}]}, "workloads[0].name", None),
    ("a workload namespace with a dot is refused",
     {"workloads": [{"name": "web", "namespace": "my.apps", "replicas": 1}]}, "workloads[0].namespace", None),
    ("a workload label value with a space is refused",
     {"workloads": [{"name": "web", "replicas": 1, "labels": {"tier": "front end"}}]}, "workloads[0].labels.tier", None),
    ("a workload spread constraint with maxSkew 0 is refused",
     {"workloads": [{"name": "web", "replicas": 1, "topology_spread_constraints": [
         {"maxSkew": 0, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}]}]},
     "workloads[0].topology_spread_constraints[0].maxSkew", "expected a maxSkew > 0, got 0"),
    ("two workload spread constraints on one key are refused",
     {"workloads": [{"name": "web", "replicas": 1, "topology_spread_constraints": [
         {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"},
         {"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}]}]},
     "workloads[0].topology_spread_constraints[1]", None),
    ("a node an add_node fault adds with a bad name is refused",
     {"faults": [{"at": "5m", "add_node": {"name": "Extra_Node", "zone": "us-east-1a"}}]},
     "faults[0].add_node.name", None),
    ("a registry spread constraint with minDomains and ScheduleAnyway is refused",
     {"registry": {"config": {"spec": {"replicas": 2, "storage": {"s3": {}}, "topologySpreadConstraints": [
         {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
          "minDomains": 3}]}}}},
     "registry.config.spec.topologySpreadConstraints[0].minDomains", None),
]


@pytest.mark.parametrize("name, fields, path, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_scenario_that_cannot_mean_what_it_says_is_refused(name, fields, path, message):
    error = refusal(**fields)
    assert (error.source, error.path) == ("sanity.yaml", path), str(error)
    if message is not None:
        assert error.message == message


def test_a_fault_exactly_at_the_end_is_legitimate_but_warned_about():
    loaded = scenario(duration="20m", faults=[{"at": "20m", "cordon": {"node": "registry"}}])
    warnings = [str(w) for w in scenario_warnings(loaded)]
    assert warnings == ["sanity.yaml: faults[0].at: the cordon fault is at the end of the run (1200 s), so it is "
                        "never applied (the run stops there); move it earlier or lengthen duration"]


@pytest.mark.parametrize("worker, reason", [
    ({"cpu": "0"}, "6 Insufficient cpu"),
    ({"memory": "64Mi"}, "6 Insufficient memory"),
    ({"taints": [{"key": "dedicated", "effect": "NoSchedule"}]}, "9 node(s) had untolerated taint(s)"),
], ids=["workers without CPU", "workers with too little memory", "every node tainted"])
def test_a_registry_no_node_can_take_is_warned_about_not_refused(worker, reason):
    loaded = scenario(duration="10m", cluster={"generate": {"worker": worker}})
    (warning,) = scenario_warnings(loaded)
    assert (warning.source, warning.path) == ("sanity.yaml", "cluster")
    assert warning.message.startswith("no registry replica can be placed when the run starts (0/9 nodes are available")
    assert reason in warning.message


def test_a_removed_registry_is_not_warned_about():
    loaded = scenario(registry={"config": {"spec": {"replicas": 2, "managementState": "Removed",
                                                    "storage": {"emptyDir": {}}}}},
                      cluster={"generate": {"worker": {"cpu": "0"}}})
    assert scenario_warnings(loaded) == []


@pytest.mark.parametrize("name", ["zone-failure", "node-drain", "tainted-edge-zone", "rolling-update"])
def test_built_in_scenarios_have_no_warnings(name):
    assert scenario_warnings(load_scenario(name)) == []


@pytest.fixture(scope="module")
def unplaceable():
    """Workers too small for the registry: a what-if that runs, and whose registry
    invariants have nothing to check."""
    loaded = scenario(duration="5m", cluster={"generate": {"worker": {"cpu": "50m"}}},
                      invariants=[{"name": "max_skew"}, {"name": "registry_availability"},
                                  {"name": "zone_failure_recovery"}, {"name": "no_oom_kill"}])
    return evaluate(loaded)


def test_max_skew_with_no_registry_pod_bound_is_vacuous_and_does_not_hold(unplaceable):
    verdict = unplaceable.verdicts[0]
    assert verdict == Verdict("max_skew", False, "nothing to check: no registry pod was bound",
                              {"bindings": 0, "registry_bindings": 0}, vacuous=True)
    assert verdict.as_dict()["vacuous"] is True


def test_a_vacuous_verdict_fails_the_run_like_a_violated_one(unplaceable):
    assert not unplaceable.holds
    assert [v.name for v in unplaceable.vacuous] == ["max_skew", "zone_failure_recovery", "no_oom_kill"]
    assert [v.name for v in unplaceable.failed] == ["max_skew", "registry_availability", "zone_failure_recovery",
                                                    "no_oom_kill"]
    assert not unplaceable.verdicts[1].vacuous  # never Ready is a violation, not an absence


def test_the_summary_records_the_warnings_and_the_vacuous_flags(unplaceable):
    document = unplaceable.document
    assert [v.get("vacuous", False) for v in document["invariants"]] == [True, False, True, True]
    (warning,) = document["warnings"]
    assert warning.startswith("sanity.yaml: cluster: no registry replica can be placed when the run starts")


def test_a_checked_invariant_is_not_vacuous():
    outcome = evaluate(scenario(duration="5m", invariants=[{"name": "max_skew"}]))
    (verdict,) = outcome.verdicts
    assert verdict.holds and not verdict.vacuous
    assert "warnings" not in outcome.document
