"""What running out of a resource does to the cluster (issue: capacity physics): an OOM
kill breaks the open requests and the kubelet restarts the container with the crash-loop
back-off (`spec/capacity.md` §2); every request is still accounted for."""

from __future__ import annotations

import pytest

from tests.sim.build import first, simulate
from twin.invariants import check
from twin.scenarios.spec import InvariantSpec

LIMITED = {"config": {"spec": {"replicas": 1, "managementState": "Managed", "storage": {"s3": {}},
                               "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                             "limits": {"memory": "160Mi"}}}}}
"""One replica whose limit leaves 32 MiB above the 128 MiB working set: two uploads in
flight (about 20 MiB of S3 buffer each) cross it."""
PUSHES = {"warm_up": "1m", "catalogue": {"layer_size": {"median": "60Mi", "sigma": 0.3}},
          "background": {"pushes": {"constant": 2}, "new_layer_fraction": 1.0}}


@pytest.fixture(scope="module")
def pushed(tmp_path_factory):
    return simulate(tmp_path_factory.mktemp("oom"), duration="15m", registry=LIMITED, traffic=PUSHES)


def restarts(result) -> list:
    return [r for r in result.records if r.kind == "ContainerRestart" and r.details["reason"] == "OOMKilled"]


def test_uploads_past_the_memory_limit_oom_kill_the_container(pushed):
    kills = restarts(pushed)
    assert len(kills) >= 3
    verdict = check("no_oom_kill", pushed.records, InvariantSpec(name="no_oom_kill"))
    assert not verdict.holds and "OOM-killed" in verdict.detail


def test_the_kubelet_restarts_it_at_once_then_after_10_20_40_seconds(pushed):
    """kubelet `kuberuntime_manager.go` `doBackOff` with client-go `flowcontrol.Backoff`:
    no back-off entry the first time, then 10 s doubling (kubernetes/kubernetes#133472
    calls the immediate first restart a bug; it is still upstream's behaviour)."""
    backoffs = [k.details["backoff"] for k in restarts(pushed)]
    assert backoffs[:4] == [0.0, 10.0, 20.0, 40.0][:len(backoffs[:4])]
    pod = restarts(pushed)[0].subject
    killed_at = restarts(pushed)[1].details["exited"]
    started = first(pushed.records, "PodReady", pod, after=killed_at)
    assert started is None or started.time >= killed_at + 10.0


def test_the_open_requests_break_and_every_request_is_still_accounted_for(pushed):
    totals = pushed.traffic.engine.stats.totals()["outcomes"]
    assert sum(n for key, n in totals.items() if key.endswith("/0")) > 0  # broken connections
    for name in ("request_conservation", "resource_bounds"):
        verdict = check(name, pushed.records, InvariantSpec(name=name))
        assert verdict.holds, verdict.detail


def test_during_a_rolling_update_with_no_ready_pod_connections_go_to_the_terminating_one(tmp_path):
    """KEP-1669 via OVN-Kubernetes: with one replica and a Recreate-like gap (the old pod
    terminating, the new one not Ready yet) the Service still sends new connections to the
    terminating pod while it is Ready, instead of refusing them."""
    result = simulate(tmp_path, duration="10m",
                      registry={"config": {"spec": {"replicas": 1, "managementState": "Managed", "storage": {"s3": {}},
                                                    "rolloutStrategy": "Recreate"}}},
                      traffic={"warm_up": "1m", "background": {"pulls": {"constant": 5}}},
                      faults=[{"at": "5m", "config_edit": {"patch": {"spec": {"logLevel": "Debug"}}}}])
    outcomes = result.traffic.engine.stats.totals()["outcomes"]
    served = sum(n for key, n in outcomes.items() if key.startswith("pull/") and not key.endswith(("/1", "/3")))
    assert served > 0
