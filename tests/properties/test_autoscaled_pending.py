"""A property of the autoscaler and the machine pools together (issue: capacity that
moves): a pod that fits a pool's template, in a pool with room to grow and no zone outage,
never stays Pending longer than one scan interval plus the machine's provisioning and
node-ready delays (plus the reaction times named in `SLACK`)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.run import run_scenario
from twin.scenarios.load import scenario_from_body

SCAN = 10.0  # the autoscaler's scan interval
SLACK = 10.0 + 5.0 + 10.0 + 1.0
"""After the node's kubelet reports Ready: its next status sync (10 s), the node-lifecycle
monitor's pass (5 s) that lifts the not-ready taint, the scheduler's back-off of a pod
that failed before (at most 10 s), and a second of margin."""


@st.composite
def clusters(draw):
    zones = draw(st.integers(1, 3))
    provision = draw(st.integers(60, 300))
    ready = draw(st.integers(20, 60))
    replicas = draw(st.integers(1, 8))
    cpu = draw(st.sampled_from([500, 1000, 1500, 2000, 3000]))
    return {
        "name": "pending-bound", "duration": "40m", "seed": draw(st.integers(0, 2**16)),
        "cluster": {"generate": {"zones": zones, "control_plane": 1},
                    "machine_pools": [{"name": "worker", "autoscaling": {"min": zones, "max": 10 * zones},
                                       "provision": {"median": provision, "p99": provision},
                                       "node_ready": {"median": ready, "p99": ready}}],
                    "autoscaler": {"scaleDown": {"enabled": False}}},
        "workloads": [{"name": "app", "replicas": replicas, "requests": {"cpu": f"{cpu}m", "memory": "1Gi"}}],
    }, provision + ready


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_a_pod_that_fits_a_template_is_bound_within_a_scan_and_a_machines_delays(case):
    body, delays = case
    records = run_scenario(scenario_from_body(body, Path("."), "generated")).records
    failed = {}
    for r in records:
        if r.kind == "SchedulingFailed" and r.subject.startswith("apps/app-"):
            failed.setdefault(r.subject, r.time)
    bound = {r.subject: r.time for r in records if r.kind == "PodBound" and r.subject.startswith("apps/app-")}
    for pod, since in failed.items():
        assert pod in bound, f"{pod} Pending since {since:g} s was never bound"
        assert bound[pod] - since <= SCAN + delays + SLACK, (pod, since, bound[pod])
