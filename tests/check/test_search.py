"""`twin.check.search`: Hypothesis finds the 4.22 zone-loss stall around
zone-failure-3-replicas, shrinks it to the simplest variation that still stalls, and the
written document fails the same way in an ordinary run; budgets end a search cleanly."""

from __future__ import annotations

import pytest
import yaml

from twin.analysis.outcome import evaluate
from twin.check import search
from twin.scenarios.load import scenario_from_body
from twin.scenarios.variation import ScenarioDocument

# replicas 1 and 2 survive a zone loss on 4.22; from 3 (one in every zone) the replacement stalls
VARIES = ["registry.replicas=1..5", "cluster.workers_per_zone=1..3", "faults.zone_outage=any", "duration=30m"]


def document(openshift: str) -> ScenarioDocument:
    return ScenarioDocument.read("zone-failure-3-replicas").with_values({"openshift": openshift})


@pytest.fixture(scope="module")
def stall():
    return search(document("4.22"), VARIES, invariant="zone_failure_recovery", max_examples=20)


def test_the_stall_is_shrunk_to_three_replicas_one_worker_and_the_registry_zone_lost_at_the_first_minute(stall):
    assert stall.found and stall.stopped == "found"
    assert stall.values == {"registry.replicas": 3, "cluster.workers_per_zone": 1, "duration": "30m",
                            "faults.zone_outage": [{"at": 60, "zone_outage": {"zone": "registry"}}]}
    assert stall.shrink_simulations > 0  # the first find was not the simplest
    assert [v.detail for v in stall.failed] == ["the registry did not regain its replicas before the zone returned"]
    assert "didn't match pod topology spread constraints" in stall.failed[0].evidence["pending_reason"]


def test_the_counterexample_fixes_seed_and_version_and_runs_from_its_text_alone(stall):
    body = yaml.safe_load(stall.text)
    assert (body["seed"], body["openshift"]) == (1, "4.22")
    assert body["registry"]["config"]["spec"]["replicas"] == 3
    assert body["faults"] == [{"at": 60, "zone_outage": {"zone": "registry"}}]
    verdicts = evaluate(scenario_from_body(body, ".", "counterexample.yaml")).verdicts
    assert [v.as_dict() for v in verdicts] == [v.as_dict() for v in stall.verdicts]


def test_the_header_says_how_it_was_found(stall):
    header = [line for line in stall.text.splitlines() if line.startswith("#")]
    assert header[0].startswith("# Counterexample found by `twin check`")
    assert header[1] == ("#   twin check zone-failure-3-replicas --vary registry.replicas=1..5 --vary "
                         "cluster.workers_per_zone=1..3 --vary faults.zone_outage=any --vary duration=30m "
                         "--invariant zone_failure_recovery --max-examples 20 --seed 0")
    assert "#   faults.zone_outage = zone_outage of zone registry at 60 s, no recovery" in header
    assert header[-1] == "# Reproduce: twin run counterexample.yaml   (exit code 1)"


def test_on_4_23_the_same_space_holds_within_a_small_budget():
    result = search(document("4.23"), VARIES, invariant="zone_failure_recovery", max_examples=6)
    assert not result.found and result.text is None
    assert (result.examples, result.stopped) == (6, "examples")


def test_a_spent_time_budget_ends_the_search_without_a_counterexample():
    result = search(document("4.22"), VARIES, invariant="zone_failure_recovery", time_budget=1e-9)
    assert (result.found, result.stopped, result.simulations) == (False, "time", 0)


def test_a_shrink_cut_short_keeps_the_simplest_failure_seen_and_still_reproduces_it():
    result = search(document("4.22"), VARIES, invariant="zone_failure_recovery", max_examples=20, max_shrinks=0)
    assert result.found and result.stopped == "shrink limit" and result.shrink_simulations == 0
    assert result.values["registry.replicas"] >= 3
    assert [v.name for v in result.failed] == ["zone_failure_recovery"]
