"""Saturation emerges (issue: capacity physics): raising the load on the default Config
(no request limits) bends the latency where the first resource runs out, and the run
says which one and when. The built-in `saturation-ramp` tells this story over an hour
(slow tier); here the same ramp is compressed into 10 minutes on registry pods limited
to half a core, so that it saturates at a load the fast tier can afford."""

from __future__ import annotations

import pytest

from tests.sim.build import write
from twin.analysis.outcome import evaluate
from twin.scenarios.load import load_scenario

HALF_CORE = {"config": {"spec": {"replicas": 2, "managementState": "Managed", "storage": {"s3": {}},
                                 "resources": {"requests": {"cpu": "100m", "memory": "256Mi"},
                                               "limits": {"cpu": "500m", "memory": "2Gi"}}}}}
RAMP = {"warm_up": "1m", "background": {"pulls": {"ramp": {"from": 5, "to": 150, "begin": "1m", "end": "10m"}}}}


@pytest.fixture(scope="module")
def ramp(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("ramp"), duration="10m", registry=HALF_CORE, traffic=RAMP,
                 invariants=[{"name": "request_conservation"}, {"name": "resource_bounds"}, {"name": "no_oom_kill"}])
    return evaluate(load_scenario(path))


def test_the_cpu_saturates_first_and_every_invariant_holds(ramp):
    resources = ramp.document["resources"]
    assert ramp.holds
    assert resources["first_saturated"]["first"] == "cpu"
    assert max(p["cpu_saturation"] for p in resources["pods"].values()) > 0.95
    assert all(p["cpu_cores"] == pytest.approx(0.5) for p in resources["pods"].values())  # the limit, not the node


def test_latency_bends_after_the_load_passes_the_ceiling(ramp):
    requests = ramp.document["requests"]
    knee = requests["latency_knee"]
    assert knee is not None and knee["p99_seconds"] > 2 * knee["baseline_p99_seconds"]
    saturated = ramp.document["resources"]["first_saturated"]["cpu"]
    assert saturated - 60 <= knee["at_seconds"] <= saturated + 120  # the bend follows the saturation


def test_clients_are_slowed_not_refused_without_a_limiter(ramp):
    sessions = ramp.document["requests"]["sessions"]["pull"]
    assert ramp.document["requests"]["outcomes"]["too_many"] == 0
    assert sessions["p99_seconds"] > 2 * sessions["p50_seconds"]
