"""Properties of the request path over generated traffic, limits and fault timelines:
no request vanishes, the limiters never exceed their bounds, no write succeeds on a
read-only pod (`spec/registry-operator.md` §4, §8), and no pod uses more CPU, memory or
network than it has (issue: capacity physics)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from twin import strategies as ts
from twin.invariants import check
from twin.run import run_scenario
from twin.scenarios.spec import InvariantSpec

FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REQUEST_INVARIANTS = ("request_conservation", "limiter_bounds", "no_write_while_readonly", "resource_bounds")


def failed_invariants(scenario) -> dict[str, str]:
    records = run_scenario(scenario).records
    verdicts = {name: check(name, records, InvariantSpec(name=name)) for name in REQUEST_INVARIANTS}
    return {name: v.detail for name, v in verdicts.items() if not v.holds and not v.vacuous}  # violations only


@FAST
@given(ts.traffic_scenarios())
def test_no_request_vanishes_and_no_limiter_or_read_only_rule_breaks_whatever_the_faults(scenario):
    assert failed_invariants(scenario) == {}


@pytest.mark.slow
@SLOW
@given(ts.traffic_scenarios())
def test_the_request_invariants_hold_on_many_more_generated_scenarios(scenario):
    assert failed_invariants(scenario) == {}
