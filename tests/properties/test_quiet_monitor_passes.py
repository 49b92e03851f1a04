"""The node lifecycle controller skips monitor passes that provably change nothing, and
feeds the heartbeats those passes would have fed at the next pass that runs, each stamped
with the pass that would have seen it (`sim/node_lifecycle.py` `stamp`): an
optimisation, so a run must leave exactly the records it leaves when every pass runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import twin
import twin.run
from twin import strategies as ts
from twin.run import run_scenario
from twin.scenarios.load import load_scenario
from twin.sim.node_lifecycle import NodeLifecycleController, stamp

LIBRARY = Path(twin.__file__).parent / "scenarios" / "library"
FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class EveryPass(NodeLifecycleController):
    def __init__(self, world) -> None:
        super().__init__(world, skip_quiet_passes=False)


class Checked(NodeLifecycleController):
    """Each `quiet` (kept incrementally) and `nodes` (kept per store revision) checked
    against the plain reading of the store and the state."""

    checks = 0

    def quiet(self) -> bool:
        fresh = {n.name: n for n in self.world.store.list("Node")}
        assert list(self.nodes().items()) == list(fresh.items())
        assert self.nothing_to_register() == all(name in self.state.health for name in self.world.runtime)
        fast = super().quiet()
        assert fast == self.quiet_plain(fresh)
        Checked.checks += 1
        return fast


def rows(records):
    return [(r.time, r.kind, r.subject, repr(r.details)) for r in records]


def same_records_with(controller, scenario):
    """The scenario's records with the run's node lifecycle controller and with `controller`."""
    usual = rows(run_scenario(scenario).records)
    original = twin.run.NodeLifecycleController
    twin.run.NodeLifecycleController = controller
    try:
        other = rows(run_scenario(scenario).records)
    finally:
        twin.run.NodeLifecycleController = original
    assert usual == other


def same_records_with_every_pass(scenario):
    same_records_with(EveryPass, scenario)


@FAST
@given(ts.scenarios())
def test_skipping_quiet_passes_leaves_the_records_every_pass_leaves(scenario):
    same_records_with_every_pass(scenario)


@pytest.mark.slow
@SLOW
@given(ts.scenarios())
def test_skipping_quiet_passes_leaves_the_records_every_pass_leaves_on_many_more_scenarios(scenario):
    same_records_with_every_pass(scenario)


def same_records_with_checked_quiet(scenario):
    same_records_with(Checked, scenario)


@FAST
@given(ts.scenarios())
def test_the_incremental_quiet_check_says_what_the_plain_one_says(scenario):
    same_records_with_checked_quiet(scenario)


def test_the_incremental_quiet_check_is_exercised_through_an_outage_and_a_recovery():
    Checked.checks = 0
    same_records_with_checked_quiet(load_scenario(LIBRARY / "zone-failure.yaml"))
    assert Checked.checks > 100


@pytest.mark.parametrize("heard, fed_at, now, expected", [
    (103.0, None, 125.0, 125.0),  # fed at every pass: this pass
    (100.0, 100.0, 125.0, 125.0),  # seen by the last pass that fed: stamped again only if newer (the caller checks)
    (103.0, 100.0, 125.0, 105.0),  # the first pass after it
    (105.0, 100.0, 125.0, 105.0),  # a pass sees a heartbeat sent at its own instant
    (124.0, 100.0, 125.0, 125.0),
])
def test_a_deferred_heartbeat_is_stamped_with_the_first_pass_at_or_after_it(heard, fed_at, now, expected):
    assert stamp(heard, fed_at, now) == expected
