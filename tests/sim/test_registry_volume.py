"""The registry on a ReadWriteOnce PVC (`twin/sim/volumes.py`): the volume is made in the
first pod's zone and pins every later pod there; a Terminating pod on a dead node keeps
it attached (the new pod waits, Multi-Attach) until the node returns, the
out-of-service taint lets the pod garbage collector delete it, or — for a deleted node —
the 6-minute force detach."""

from __future__ import annotations

from build import first, simulate

PVC = {"config": {"spec": {"replicas": 1, "managementState": "Managed", "rolloutStrategy": "Recreate",
                           "storage": {"pvc": {"claim": ""}}}}}
CLAIM = "openshift-image-registry/image-registry-storage"


def run(tmp_path, faults, duration="45m"):
    return simulate(tmp_path, registry=PVC, faults=faults, duration=duration).records


def registry_ready_at(records, after):
    return first(records, "RegistryReady", after=after, ready=1)


def test_the_volume_is_made_in_the_first_pods_zone_and_attached_before_it_starts(tmp_path):
    records = run(tmp_path, [], duration="5m")
    made = first(records, "VolumeProvisioned", CLAIM)
    bound = next(r for r in records if r.kind == "PodBound" and r.subject.startswith("openshift-image-registry/image-registry-"))
    assert made.time == bound.time and made.details["node"] == bound.details["node"]
    attached = first(records, "VolumeAttached")
    assert attached.time == made.time + 10.0
    assert registry_ready_at(records, 0).time > attached.time


def test_in_a_zone_outage_the_replacement_stays_pending_until_the_zone_returns(tmp_path):
    records = run(tmp_path, [{"at": "10m", "zone_outage": {"zone": "registry"}},
                             {"at": "40m", "zone_recovery": {"zone": "registry"}}])
    failed = first(records, "SchedulingFailed", after=600)
    assert "volume node affinity conflict" in failed.details["message"]
    assert registry_ready_at(records, 700).time > 2400
    zone = first(records, "VolumeProvisioned").details["zone"]
    rebound = next(r for r in records if r.kind == "PodBound" and r.time >= 2400
                   and r.subject.startswith("openshift-image-registry/image-registry-"))
    assert zone in rebound.details["node"]


def test_after_a_node_crash_the_new_pod_waits_for_the_volume_until_the_node_returns(tmp_path):
    records = run(tmp_path, [{"at": "10m", "node_crash": {"node": "registry"}},
                             {"at": "35m", "node_recovery": {"node": "registry"}}])
    waiting = first(records, "VolumeMultiAttach")
    assert waiting is not None and waiting.time < 2100
    detached = first(records, "VolumeDetached")
    assert detached.time >= 2100 and detached.details["forced"] is False
    assert registry_ready_at(records, 700).time > detached.time


def test_the_out_of_service_taint_frees_the_volume_within_a_pod_gc_period(tmp_path):
    records = run(tmp_path, [{"at": "10m", "node_crash": {"node": "registry"}},
                             {"at": "20m", "out_of_service": {"node": "registry"}},
                             {"at": "40m", "node_recovery": {"node": "registry"}}])
    collected = first(records, "PodGarbageCollected")
    assert 1200 <= collected.time <= 1220
    detached = first(records, "VolumeDetached")
    assert detached.details["forced"] is True and detached.time == collected.time + 5.0
    assert first(records, "VolumeAttached", after=detached.time).time == detached.time + 10.0
    assert registry_ready_at(records, 700).time < 1300


def test_a_deleted_node_frees_the_volume_after_the_6_minute_wait(tmp_path):
    records = run(tmp_path, [{"at": "10m", "node_crash": {"node": "registry"}},
                             {"at": "12m", "remove_node": {"node": "registry"}}])
    removed = first(records, "NodeRemoved")
    detached = first(records, "VolumeDetached")
    assert detached.details["forced"] is True
    assert abs(detached.time - (removed.time + 360.1 + 5.0)) < 1e-6
