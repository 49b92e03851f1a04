"""The built-in scenarios tell the stories the README promises, on 4.22 and 4.23."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builtin_digests import digest

from twin.invariants import check
from twin.run import run_scenario
from twin.scenarios.load import library_names, load_scenario

FAILS_ON_4_22 = {"zone-failure-3-replicas": "zone_failure_recovery", "tainted-edge-zone": "rollout_completes"}
FAILS_BY_DESIGN = {"emptydir-rollout-data-loss": {"no_content_lost"}, "role-revoked": {"no_auth_refusals"},
                   "pvc-recreate-rollout": {"registry_availability"},
                   "pvc-zone-outage": {"zone_failure_recovery", "registry_availability"},
                   "pullthrough-remote-429": {"no_remote_refusals", "triggered_rollouts_complete"}}
"""Built-ins whose story is a failure: the invariants they show failing, on every version."""
SLOW = {"saturation-ramp"}
"""Built-ins too long for the fast tier (6.6 million requests): `make test-slow` runs them;
`tests/sim/test_saturation.py` tells their story on a shorter ramp in the fast tier."""


def built_ins():
    return [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in library_names()]


RECORDED = json.loads((Path(__file__).parent / "builtin_digests.json").read_text())
"""Each built-in's events on 4.23 as recorded before the last optimisation
(`builtin_digests.py` says how to record them again after a deliberate change)."""


def verdicts(name: str, openshift: str, digests: dict | None = None) -> dict[str, bool]:
    scenario = load_scenario(name)
    records = run_scenario(scenario, openshift=openshift).records
    if digests is not None:
        digests[name] = digest(records)
    return {spec.name: check(spec.name, records, spec).holds for spec in scenario.spec.invariants}


@pytest.mark.parametrize("name", built_ins())
def test_every_built_in_scenario_holds_all_its_invariants_on_4_23(name):
    digests: dict[str, str] = {}
    failed = {invariant for invariant, holds in verdicts(name, "4.23", digests).items() if not holds}
    assert failed == FAILS_BY_DESIGN.get(name, set())
    if name in RECORDED:  # and its events are byte for byte those recorded before the optimisation
        assert digests[name] == RECORDED[name], f"{name}: events differ from the recorded ones (builtin_digests.py)"


def test_every_fast_built_in_has_recorded_events():
    assert set(RECORDED) == set(library_names()) - SLOW


@pytest.mark.parametrize("name", built_ins())
def test_on_4_22_only_the_known_failure_modes_fail(name):
    failed = {invariant for invariant, holds in verdicts(name, "4.22").items() if not holds}
    expected = {FAILS_ON_4_22[name]} if name in FAILS_ON_4_22 else set()
    expected |= FAILS_BY_DESIGN.get(name, set())
    assert failed == expected
