"""Properties of whole simulations over generated clusters, Configs and fault timelines,
stated as true statements about Kubernetes and the Image Registry Operator, with the
conditions under which they hold; and the known failure modes, which must reproduce."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings

from twin import strategies as ts
from twin.invariants import check
from twin.invariants.checks import recovery_seconds
from twin.model.objects import WORKER_ROLE_KEY, ZONE_KEY
from twin.run import run_scenario
from twin.scenarios.spec import InvariantSpec

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALWAYS = ("max_skew", "no_binding_to_unready_nodes", "pdb_respected")


def verdicts(records, names=ALWAYS):
    return {name: check(name, records, InvariantSpec(name=name)) for name in names}


def assert_always(scenario):
    records = run_scenario(scenario).records
    failed = {name: v.detail for name, v in verdicts(records).items() if not v.holds and not v.vacuous}  # violations
    assert not failed


@FAST
@given(ts.scenarios())
def test_every_binding_respects_max_skew_nodes_and_pdbs_whatever_the_faults(scenario):
    assert_always(scenario)


@pytest.mark.slow
@SLOW
@given(ts.scenarios())
def test_every_binding_respects_max_skew_nodes_and_pdbs_on_many_more_scenarios(scenario):
    assert_always(scenario)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ts.scenarios())
def test_the_same_scenario_and_seed_record_the_same_events(scenario):
    first = [(r.time, r.kind, r.subject, r.details) for r in run_scenario(scenario).records]
    again = [(r.time, r.kind, r.subject, r.details) for r in run_scenario(scenario).records]
    assert first == again


def usable_workers(scenario) -> dict[str, int]:
    """Untainted, zone-labelled workers per zone."""
    counts: dict[str, int] = {}
    for node in scenario.nodes:
        if WORKER_ROLE_KEY in node.labels and ZONE_KEY in node.labels and not node.taints:
            counts[node.labels[ZONE_KEY]] = counts.get(node.labels[ZONE_KEY], 0) + 1
    return counts


def outage(scenario):
    """(records, the zone-outage fault record, the lost zone)."""
    records = run_scenario(scenario).records
    fault = next(r for r in records if r.kind == "Fault" and r.subject == "zone_outage")
    return records, fault, fault.details["zone"]


def zone_outage_scenarios(openshift):
    return ts.scenarios(openshift=openshift, others=False, custom=False, min_zones=2, max_zones=4,
                        unlabelled=False, tainted=False, uniform=True)


def check_recovers(scenario):
    workers = usable_workers(scenario)
    per_zone = min(workers.values())
    assume(scenario.config.replicas <= (len(workers) - 1) * per_zone)
    records, fault, _ = outage(scenario)
    assert recovery_seconds(records, fault) is not None, "the registry did not regain its replicas"


@FAST
@given(zone_outage_scenarios("4.23"))
def test_with_4_23_defaults_and_room_in_the_surviving_zones_the_registry_recovers_from_a_zone_outage(scenario):
    """4.23 (nodeTaintsPolicy Honor): the lost zone's tainted nodes leave the spread
    domains, so replacements schedule once the dead pods are evicted (~6 min), provided
    the surviving zones can hold every replica one per node."""
    check_recovers(scenario)


@pytest.mark.slow
@SLOW
@given(zone_outage_scenarios("4.23"))
def test_with_4_23_defaults_the_registry_recovers_on_many_more_clusters(scenario):
    check_recovers(scenario)


def check_stays_pending(scenario):
    workers = usable_workers(scenario)
    assume(scenario.config.replicas >= len(workers))  # every zone holds a replica before the outage
    records, fault, zone = outage(scenario)
    held = [r for r in records if r.kind == "PodBound" and "/image-registry-" in r.subject and r.time < fault.time]
    assume(any(r.details["node"].startswith(f"worker-{zone}-") for r in held))
    assert recovery_seconds(records, fault) is None, "the replacement should stay Pending until the zone returns"
    failures = [r for r in records if r.kind == "SchedulingFailed" and r.time > fault.time and "/image-registry-" in r.subject]
    assert failures and "didn't match pod topology spread constraints" in failures[-1].details["message"]


@FAST
@given(zone_outage_scenarios("4.22"))
def test_up_to_4_22_a_replica_lost_with_its_zone_stays_pending_while_every_zone_holds_one(scenario):
    """≤ 4.22 (nodeTaintsPolicy Ignore): the dead zone still counts as a domain with 0
    pods, so with a replica in every zone no surviving zone may take another (skew 2)."""
    check_stays_pending(scenario)


@pytest.mark.slow
@SLOW
@given(zone_outage_scenarios("4.21"))
def test_on_4_21_too_the_replacement_stays_pending(scenario):
    check_stays_pending(scenario)
