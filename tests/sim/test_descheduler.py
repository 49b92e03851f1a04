"""The descheduler in simulated time, on the zone-recovery-rebalance story: after the
zone returns the app is spread again within one interval with it and never without it;
Predictive mode evicts nothing; PodDisruptionBudgets are honoured; registry pods are
never descheduled."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.analysis.spread import spread_recovery
from twin.model.labels import LabelSelector
from twin.model.workloads import PodDisruptionBudget
from twin.run import build_world
from twin.scenarios.load import load_scenario

NAME = "zone-recovery-rebalance"
INTERVAL = 300.0


def scenario(**descheduler):
    """The built-in, its descheduler changed (None: removed)."""
    base = load_scenario(NAME)
    spec = base.spec.descheduler
    if descheduler:
        spec = None if descheduler.get("absent") else spec.model_copy(update=descheduler)
    return replace(base, spec=base.spec.model_copy(update={"descheduler": spec}))


def run(s, pdb: PodDisruptionBudget | None = None):
    world, faults, traffic = build_world(s, s.spec.seed, s.spec.openshift)
    if pdb is not None:
        world.store.put("PodDisruptionBudget", pdb.key, pdb)
    world.env.process(faults.run(list(s.spec.faults)))
    world.run(until=s.spec.duration)
    traffic.engine.finish()
    return world


def web(world) -> dict:
    return next(s for s in spread_recovery(world.recorder.records, world.store) if s["workload"] == "apps/web")


def kinds(world, kind: str) -> list:
    return [r for r in world.recorder.records if r.kind == kind]


@pytest.fixture(scope="module")
def automatic():
    return run(scenario())


def test_after_the_zone_returns_the_app_is_spread_again_within_one_interval(automatic):
    recovery = web(automatic)
    assert recovery["seconds"] is not None and recovery["seconds"] <= INTERVAL
    # the two surplus pods of the surviving zones, then (RemoveDuplicates, 6 pods over 6
    # nodes: at most one per node) the outage's replacement that shares a node with an original
    assert [r.details["strategy"] for r in kinds(automatic, "Descheduled")] == \
        ["RemovePodsViolatingTopologySpreadConstraint"] * 2 + ["RemoveDuplicates"]


def test_without_a_descheduler_the_app_is_never_spread_again():
    world = run(scenario(absent=True))
    assert web(world)["seconds"] is None
    assert kinds(world, "DeschedulerRun") == []


def test_the_descheduler_runs_at_once_and_then_every_interval(automatic):
    assert [r.time for r in kinds(automatic, "DeschedulerRun")] == [i * INTERVAL for i in range(8)]


def test_registry_pods_are_never_descheduled(automatic):
    chosen = kinds(automatic, "Descheduled")
    assert chosen and not any(r.subject.startswith("openshift-image-registry/") for r in chosen)


def test_predictive_mode_records_what_it_would_evict_and_evicts_nothing():
    world = run(scenario(mode="Predictive"))
    assert len(kinds(world, "WouldDeschedule")) >= 2
    assert kinds(world, "Descheduled") == []
    assert not any(r.kind == "PodTerminating" and r.details.get("reason") == "Evicted" for r in world.recorder.records)
    assert web(world)["seconds"] is None


def test_a_pod_disruption_budget_is_honoured():
    """maxUnavailable 0 on the app: every eviction the descheduler asks for is refused
    (429), none counts as evicted, and the app stays where it is."""
    pdb = PodDisruptionBudget("web", "apps", LabelSelector.of({"app": "web"}), max_unavailable=0)
    world = run(scenario(), pdb)
    refused = [r for r in kinds(world, "Eviction") if r.subject.startswith("apps/web-")]
    assert refused and all(r.details["code"] == 429 for r in refused)
    assert kinds(world, "Descheduled") == []
    assert sum(r.details["refused"] for r in kinds(world, "DeschedulerRun")) == len(refused)
    assert web(world)["seconds"] is None
