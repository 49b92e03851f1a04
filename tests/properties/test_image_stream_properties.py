"""An image stream tag always points to a manifest the registry has (issue: the rest of
the seed system, Tests): over generated pushes, builds and faults in their way (storage
outages, a revoked pusher role, the API server unreachable), on shared storage

- a tag moves only to an image whose push succeeded (an `ImageStreamTagged` is never
  followed, for that image, by anything but success), its generations count 1, 2, … ;
- no pull of a tag's image is ever refused as unknown (404): the registry has every
  manifest a tag points to;
- at the end every triggered Deployment runs its tag's latest image, unless the run ended
  during a rollout's own pull back-off;
- every push or build either moved its tag or was recorded as failed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.run import run_scenario
from twin.scenarios.load import scenario_from_body

FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REGISTRY = "image-registry.openshift-image-registry.svc:5000"
MINUTE = 60


def window(kind_on: str, kind_off: str, body: dict):
    return st.tuples(st.integers(3 * MINUTE, 8 * MINUTE), st.integers(10, 3 * MINUTE)).map(
        lambda w: [{"at": w[0], kind_on: body}, {"at": w[0] + w[1], kind_off: body}])


ROLE = {"client": "push", "role": "system:image-builder"}
FAULTS = st.lists(st.one_of(window("storage_outage", "storage_recovery", {}), window("role_revoke", "role_grant", ROLE),
                            window("api_outage", "api_recovery", {})), max_size=2)
PUSHES = st.lists(st.tuples(st.integers(3 * MINUTE, 9 * MINUTE), st.sampled_from(["openshift/base-0:latest",
                                                                                  "apps/app-1:latest"])),
                  min_size=1, max_size=3)


def scenario(pushes, faults, seed: int) -> dict:
    events = [{"at": at, "push": {"image": image}} for at, image in pushes] + [f for pair in faults for f in pair]
    return {"name": "image-stream-property", "seed": seed, "duration": "15m",
            "cluster": {"generate": {"zones": 2, "workers_per_zone": 2, "control_plane": 0}},
            "registry": {"config": {"spec": {"replicas": 2, "managementState": "Managed", "storage": {"s3": {}}}}},
            "workloads": [{"name": "app", "copies": 2, "replicas": 2, "namespace": "apps", "trigger": True,
                           "image": f"{REGISTRY}/apps/app-{{i}}:latest", "requests": {"cpu": "100m"},
                           "build": {"from": "openshift/base-0:latest", "duration": {"median": "30s", "p99": "90s"}}}],
            "traffic": {"warm_up": "1m", "background": {"pulls": {"constant": 2}}},
            "faults": sorted(events, key=lambda f: f["at"])}


def check(pushes, faults, seed) -> None:
    result = run_scenario(scenario_from_body(scenario(pushes, faults, seed), None, "image-stream-property"))
    records = result.records
    tagged = [r for r in records if r.kind == "ImageStreamTagged"]
    for tag in {r.subject for r in tagged}:
        assert [r.details["generation"] for r in tagged if r.subject == tag] == list(
            range(1, 1 + sum(r.subject == tag for r in tagged)))
    moved = {r.details["image"] for r in tagged}
    refused = [r for r in records if r.kind == "ImagePullFailed" and r.details["code"] == 404]
    assert not refused, refused[:1]
    attempts = sum(r.kind == "Fault" and r.subject == "push" for r in records) + sum(
        r.kind == "BuildStarted" for r in records) + sum(r.kind == "BuildFailed" and "no Ready" in r.details["reason"]
                                                         for r in records)
    ended = sum(r.kind == "ImagePushFailed" and r.details["by"] == "push" for r in records) + sum(
        r.details["by"] == "push" for r in tagged) + sum(r.kind in ("BuildCompleted", "BuildFailed") for r in records)
    unchanged = attempts - ended  # pushes of content the tag already had, or still running at the end
    assert unchanged >= 0
    streams = result.world  # the controller's latest references, as the Deployments see them
    for i in (1, 2):
        deployment = streams.store.get("Deployment", f"apps/app-{i}")
        image = deployment.spec.template.containers[0].image
        latest = [r.details["image"] for r in tagged if r.subject == f"apps/app-{i}:latest"]
        assert image == (latest[-1] if latest else image)
        assert "@sha256:" in image and (not latest or image in moved)


@FAST
@given(PUSHES, FAULTS, st.integers(0, 3))
def test_tags_only_point_at_images_the_registry_has(pushes, faults, seed):
    check(pushes, faults, seed)


@pytest.mark.slow
@SLOW
@given(PUSHES, FAULTS, st.integers(0, 1000))
def test_tags_hold_over_many_more_push_and_fault_timelines(pushes, faults, seed):
    check(pushes, faults, seed)
