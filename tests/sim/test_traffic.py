"""The request path in simulated time: termination draining, endpoints, kubelet pulls
and their back-off, the storage gate (`spec/registry-operator.md` §2.3, §4)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim.build import first, simulate, write
from tests.sim.planes import Ended
from twin.model.registry.batch import Client
from twin.model.registry.requests import Kind, Outcome
from twin.run import build_world
from twin.scenarios.load import load_scenario
from twin.sim.observers import is_registry_pod
from twin.sim.traffic.exchange import Connection, Req
from twin.sim.traffic.routing import Unreachable

STREAMING = {"config": {"spec": {"replicas": 2, "managementState": "Managed", "storage": {"s3": {}},
                                 "disableRedirect": True}}}
MB_PER_SECOND = 90e6  # one storage stream (the service model's default)


def world_at(tmp_path, until: float, **changes):
    scenario = load_scenario(write(tmp_path, **changes))
    world, _, traffic = build_world(scenario, 1, "4.23")
    world.run(until=until)
    return world, traffic.engine


def registry_pods(world) -> list[str]:
    return sorted(r.key for r in world.store.list("Pod") if is_registry_pod(r) and r.status.ready)


def send(world, engine, kind, nbytes, pod=None, owner=None, client=Client.PULL) -> Req:
    """One request sent now, through the Service or straight to `pod`, by `client` (whose
    roles the registry's auth checks); its fate is in the returned request once it has
    ended (`code`, `end`)."""
    engine.advance(world.now)
    r = Req(kind, nbytes, client, owner or Ended())
    engine.plane.send(r, Connection(direct=pod))
    return r


def test_a_terminating_registry_pod_finishes_its_open_requests_before_it_exits(tmp_path):
    world, engine = world_at(tmp_path, 120, registry=STREAMING)
    pod = registry_pods(world)[0]
    fate = send(world, engine, Kind.BLOB_GET, int(10 * MB_PER_SECOND), pod=pod)
    world.delete_pod(pod, "test")
    assert pod not in engine.endpoints  # leaves the endpoints at the deletion
    world.run(until=300)
    engine.finish()
    assert fate.code == Outcome.OK and 120 + 10 < fate.end < 120 + 25  # 900 MB at one stream's 90 MB/s, and its CPU
    assert first(world.recorder.records, "PodDeleted", pod).time == pytest.approx(120 + 25, abs=0.5)


def test_requests_still_open_at_the_hard_kill_break(tmp_path):
    world, engine = world_at(tmp_path, 120, registry=STREAMING)
    pod = registry_pods(world)[0]
    send(world, engine, Kind.BLOB_GET, int(200 * MB_PER_SECOND), pod=pod)
    world.delete_pod(pod, "test")
    world.run(until=400)
    engine.finish()
    outcomes = engine.stats.totals()["outcomes"]
    assert outcomes.get("pull/blob_get/0") == 1
    assert first(world.recorder.records, "PodDeleted", pod).time == pytest.approx(120 + 25 + 29, abs=0.5)


def test_the_service_balances_new_connections_over_ready_endpoints_only(tmp_path):
    world, engine = world_at(tmp_path, 120)
    gone = registry_pods(world)[0]
    world.delete_pod(gone, "test")
    sent = [send(world, engine, Kind.MANIFEST_GET, 1000) for _ in range(200)]
    world.run(until=130)
    assert {r.server.key for r in sent} == set(registry_pods(world)) - {gone}
    assert all(r.code == Outcome.OK for r in sent)


def test_a_request_to_a_pod_on_a_dead_node_times_out_until_the_endpoints_drop_it(tmp_path):
    world, engine = world_at(tmp_path, 120)
    pod = registry_pods(world)[0]
    node = world.pod(pod).pod.node_name
    world.runtime[node].alive = False
    engine.node_changed(node)
    fate = send(world, engine, Kind.MANIFEST_GET, 1000, pod=pod)
    world.run(until=200)
    assert fate.code == Unreachable.TIMED_OUT
    assert fate.end == pytest.approx(120 + 30)


APP = {"name": "app", "replicas": 1, "image": "image-registry.openshift-image-registry.svc:5000/apps/app:1",
       "requests": {"cpu": "100m"}}


def test_a_pod_whose_node_lacks_its_image_pulls_it_from_the_registry(tmp_path):
    result = simulate(tmp_path, workloads=[APP], traffic={"warm_up": 0},
                      faults=[{"at": "5m", "config_edit": {"patch": {"spec": {"logLevel": "Debug"}}}}])
    pulled = [r for r in result.records if r.kind == "ImagePulled"]
    assert len(pulled) == 1
    assert pulled[0].details["bytes"] > 0 and pulled[0].details["attempts"] > 1  # the registry was not up at t=0
    outcomes = result.traffic.engine.stats.totals()["outcomes"]
    assert outcomes.get("kubelet/manifest_get/200", 0) >= 1
    assert outcomes.get("kubelet/blob_get/307", 0) >= 2  # the config blob and at least one layer


def test_failed_pulls_back_off_10_s_doubling(tmp_path):
    result = simulate(tmp_path, workloads=[APP], traffic={"warm_up": 0})
    backoffs = [r.details["backoff"] for r in result.records if r.kind == "ImagePullFailed"]
    assert backoffs[:2] == [10.0, 20.0]


def test_before_the_warm_up_ends_images_arrive_without_requests(tmp_path):
    result = simulate(tmp_path, workloads=[APP])
    assert not [r for r in result.records if r.kind in ("ImagePulled", "ImagePullFailed")]
    assert "kubelet/manifest_get" not in result.traffic.engine.stats.totals()["issued"]


def test_during_a_storage_outage_every_request_gets_503_and_the_pods_leave_the_endpoints(tmp_path):
    result = simulate(tmp_path, traffic={"background": {"pulls": {"constant": 5}}},
                      faults=[{"at": "5m", "storage_outage": {}}, {"at": "8m", "storage_recovery": {}}])
    records = result.records
    outcomes = result.traffic.engine.stats.totals()["outcomes"]
    assert sum(n for key, n in outcomes.items() if key.endswith("/503")) > 0
    zero = first(records, "RegistryReady", after=300, ready=0)
    assert zero is not None and zero.time <= 300 + 10 + 30
    assert first(records, "ContainerRestart", after=300) is not None
    back = first(records, "RegistryReady", after=480, ready=2)
    assert back is not None and back.time <= 480 + 120


def test_writes_to_a_read_only_registry_get_405_and_reads_do_not(tmp_path):
    read_only = {"config": {"spec": {"replicas": 2, "managementState": "Managed", "storage": {"s3": {}}, "readOnly": True}}}
    world, engine = world_at(tmp_path, 120, registry=read_only)
    pod = registry_pods(world)[0]
    put = send(world, engine, Kind.MANIFEST_PUT, 1000, pod=pod, client=Client.PUSH)
    get = send(world, engine, Kind.MANIFEST_GET, 1000, pod=pod)
    denied = send(world, engine, Kind.MANIFEST_PUT, 1000, pod=pod)  # a puller's token: auth answers first
    world.run(until=130)
    assert (put.code, get.code, denied.code) == (Outcome.NOT_ALLOWED, Outcome.OK, 401)


def test_the_same_scenario_and_seed_give_the_same_request_totals(tmp_path):
    changes = {"traffic": {"background": {"pulls": {"constant": 20}, "pushes": {"constant": 1}}},
               "faults": [{"at": "5m", "zone_outage": {"zone": "registry"}}]}
    a = simulate(tmp_path, **changes).traffic.engine.stats
    b = simulate(tmp_path, **changes).traffic.engine.stats
    assert a.totals() == b.totals()
    assert np.array_equal(a.latency, b.latency)
