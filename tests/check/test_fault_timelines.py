"""What `faults.KIND=any` draws (`twin/check/faults.py`) and the space a plan spans
(`twin/check/plan.py`), without simulating: every drawn variation is a valid scenario
whose faults can be judged before the run ends."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from twin.check.faults import EARLIEST, KINDS, Room, describe, judged_window, merge_faults
from twin.check.plan import Space, make_plan
from twin.errors import InputError
from twin.scenarios.variation import ScenarioDocument

QUICK = settings(max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def three_replicas():
    return ScenarioDocument.read("zone-failure-3-replicas")


def test_a_drawn_kind_replaces_the_scenarios_faults_of_that_kind_and_their_recoveries_and_keeps_the_rest():
    existing = [{"at": "5m", "drain": {"node": "registry"}}, {"at": "10m", "zone_outage": {"zone": "registry"}},
                {"at": "40m", "zone_recovery": {"zone": "registry"}}, {"at": "50m", "config_edit": {"patch": {}}}]
    drawn = {"zone_outage": [{"at": 900, "zone_outage": {"zone": "us-east-1b"}}]}
    assert merge_faults(existing, drawn) == [existing[0], drawn["zone_outage"][0], existing[3]]


def test_drawn_faults_are_merged_in_time_order_after_a_kept_fault_at_the_same_second():
    existing = [{"at": 60, "cordon": {"node": "worker-us-east-1a-0"}}]
    drawn = {"node_crash": [{"at": 60, "node_crash": {"node": "registry"}},
                            {"at": 700, "node_recovery": {"node": "registry"}}]}
    assert merge_faults(existing, drawn) == [existing[0], *drawn["node_crash"]]


@pytest.mark.parametrize("kind, faults, text", [
    ("zone_outage", [{"at": 60, "zone_outage": {"zone": "registry"}}], "zone_outage of zone registry at 60 s, no recovery"),
    ("node_crash", [{"at": 90, "node_crash": {"node": "w"}}, {"at": 700, "node_recovery": {"node": "w"}}],
     "node_crash of node w at 90 s, recovered at 700 s"),
    ("storage_outage", [{"at": 60, "storage_outage": {}}], "storage_outage of the object store at 60 s, no recovery"),
])
def test_a_drawn_fault_is_described_in_words(kind, faults, text):
    assert describe(kind, faults) == text


def test_the_judged_window_is_the_longest_recovery_bound_of_the_scenarios_invariants(three_replicas):
    assert judged_window(three_replicas.scenario()) == 600
    longer = three_replicas.with_values({}).body | {"invariants": [{"name": "workloads_running_after_zone_failure"}]}
    assert judged_window(ScenarioDocument(longer, three_replicas.base, "x").scenario()) == 900


def test_a_room_offers_registry_first_then_the_clusters_zones_and_workers(three_replicas):
    room = Room.of(three_replicas.with_values({"cluster.zones": 2, "cluster.workers_per_zone": 1}).scenario())
    assert room.zones == ("registry", "us-east-1a", "us-east-1b")
    assert room.nodes == ("registry", "worker-us-east-1a-0", "worker-us-east-1b-0")
    assert (room.window, room.end, room.latest) == (600, 3600, 3000)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_drawn_timeline_is_a_valid_scenario_judged_before_the_end(three_replicas, kind):
    plan = make_plan(three_replicas, ["cluster.zones=1..4", f"faults.{kind}=any", "duration=20m,1h"])

    @QUICK
    @given(Space(plan).strategy())
    def drawn_faults_fit(variation):
        faults = variation.values[f"faults.{kind}"]
        end, window = variation.scenario.spec.duration, 600
        assert EARLIEST <= faults[0]["at"] <= end - window
        ours = [(f.at, f.kind) for f in variation.scenario.spec.faults if f.kind in (kind, KINDS[kind].recovery)]
        assert ours == [(d["at"], next(k for k in d if k != "at")) for d in faults]
        if len(faults) == 2:
            assert faults[0]["at"] + window <= faults[1]["at"] <= end
            assert faults[1][KINDS[kind].recovery] == faults[0][kind]

    drawn_faults_fit()


def test_an_invariant_the_scenario_lacks_is_added_with_its_defaults_and_is_the_only_one_counted(three_replicas):
    plan = make_plan(three_replicas, [], invariant="rollout_completes")
    assert plan.counted == ("rollout_completes",)
    assert plan.document.body["invariants"][-1] == {"name": "rollout_completes"}
    assert make_plan(three_replicas, []).counted == ("max_skew", "zone_failure_recovery", "registry_availability")


@pytest.mark.parametrize("varies, invariant, message", [
    (["cluster.zones=0..3"], None, "--vary cluster.zones=0: zone-failure-3-replicas: cluster.generate.zones: expected a "
                                   "number >= 1"),
    (["registry.replicas=2,x"], None, "registry.config.spec.replicas: expected an integer"),
    (["registry.foo=1"], None, "expected a field of the registry Config"),
    (["faults.zone_outage=any", "duration=10m"], None, "expected a run long enough to judge a fault"),
    ([], "nope", "--invariant: expected one of max_skew"),
])
def test_values_the_scenario_refuses_are_input_errors_before_anything_runs(three_replicas, varies, invariant, message):
    with pytest.raises(InputError) as caught:
        make_plan(three_replicas, varies, invariant)
    assert message in str(caught.value)


def test_a_scenario_without_invariants_needs_one_named(three_replicas):
    body = {k: v for k, v in three_replicas.body.items() if k != "invariants"}
    with pytest.raises(InputError, match="invariants: expected at least one invariant to check, or --invariant NAME"):
        make_plan(ScenarioDocument(body, three_replicas.base, "bare.yaml"), [])
