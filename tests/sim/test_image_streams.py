"""Image streams in a run (`twin/sim/images.py`): a push moves its tag only when its
manifest PUT succeeds, a moved tag rolls the Deployments that follow it and starts the
builds that build on it, and the new pods pull the new image from the registry."""

from __future__ import annotations

from build import first, simulate

REGISTRY = "image-registry.openshift-image-registry.svc:5000"
BASE_TAG = "openshift/base-0:latest"


def app(copies: int = 1, build: bool = False, trigger: bool = True) -> dict:
    workload = {"name": "app", "namespace": "apps", "replicas": 2, "copies": copies, "requests": {"cpu": "100m"},
                "image": f"{REGISTRY}/apps/app{'-{i}' if copies > 1 else ''}:latest", "trigger": trigger}
    if build:
        workload["build"] = {"from": BASE_TAG, "duration": {"median": "60s", "p99": "120s"}}
    return workload


def records_of(tmp_path, workloads, faults, **changes):
    return simulate(tmp_path, workloads=workloads, faults=faults, **changes).records


def kinds(records, kind):
    return [r for r in records if r.kind == kind]


def test_a_triggered_deployment_starts_on_its_tags_digest_and_rolls_when_the_tag_moves(tmp_path):
    records = records_of(tmp_path, [app()], [{"at": "5m", "push": {"image": "apps/app:latest"}}])
    tagged = first(records, "ImageStreamTagged", "apps/app:latest")
    assert tagged is not None and tagged.time > 300 and tagged.details["generation"] == 1
    assert tagged.details["image"].startswith(f"{REGISTRY}/apps/app@sha256:")
    rollout = first(records, "TriggeredRollout", "apps/app")
    assert rollout.time == tagged.time and rollout.details["images"] == [tagged.details["image"]]
    pulled = [r for r in kinds(records, "ImagePulled") if r.details["image"] == tagged.details["image"]]
    assert len(pulled) >= 1 and all(r.time > tagged.time for r in pulled)
    assert len(kinds(records, "TriggeredRollout")) == 1  # it started on the tag's image: no rollout at t=0
    assert all("@sha256:" in r.details["image"] for r in kinds(records, "ImagePulled"))
    done = first(records, "DeploymentProgressing", "apps/app", after=rollout.time, reason="NewReplicaSetAvailable")
    assert done is not None


def test_without_a_trigger_a_push_moves_the_tag_and_nothing_rolls(tmp_path):
    records = records_of(tmp_path, [app(trigger=False)], [{"at": "5m", "push": {"image": "apps/app:latest"}}])
    assert first(records, "ImageStreamTagged", "apps/app:latest") is not None
    assert not kinds(records, "TriggeredRollout")


def test_a_push_refused_in_a_storage_outage_moves_nothing(tmp_path):
    """Pushed once every registry container's storage check has failed (10 s interval)."""
    faults = [{"at": "5m", "storage_outage": {}}, {"at": "5m15s", "push": {"image": "apps/app:latest"}},
              {"at": "10m", "storage_recovery": {}}]
    records = records_of(tmp_path, [app()], faults)
    failed = first(records, "ImagePushFailed", "apps/app:latest")
    assert failed is not None and failed.details["code"] == 503
    assert not kinds(records, "ImageStreamTagged") and not kinds(records, "TriggeredRollout")


def test_a_push_without_the_pusher_role_gets_401_and_moves_nothing(tmp_path):
    faults = [{"at": "4m", "role_revoke": {"client": "push", "role": "system:image-builder"}},
              {"at": "5m", "push": {"image": "apps/app:latest"}}]
    records = records_of(tmp_path, [app()], faults)
    assert first(records, "ImagePushFailed", "apps/app:latest").details["code"] == 401
    assert not kinds(records, "ImageStreamTagged")


def test_a_new_base_starts_a_build_per_app_whose_push_rolls_the_app(tmp_path):
    records = records_of(tmp_path, [app(copies=3, build=True)], [{"at": "5m", "push": {"image": BASE_TAG}}])
    base = first(records, "ImageStreamTagged", BASE_TAG)
    started = kinds(records, "BuildStarted")
    assert sorted(r.subject for r in started) == ["app-1", "app-2", "app-3"]
    assert all(r.time == base.time and r.details["base"] == base.details["image"] for r in started)
    completed = kinds(records, "BuildCompleted")
    assert len(completed) == 3 and all(r.time > base.time for r in completed)
    for i in (1, 2, 3):
        tagged = first(records, "ImageStreamTagged", f"apps/app-{i}:latest")
        assert tagged.details["by"] == f"build app-{i}"
        assert first(records, "TriggeredRollout", f"apps/app-{i}").time == tagged.time
    builders = {r.details["node"] for r in started}
    assert len(builders) == 3  # the builds take the workers in turn


def test_a_build_whose_base_pull_is_refused_fails_and_its_app_stays(tmp_path):
    faults = [{"at": "5m", "push": {"image": BASE_TAG}},
              {"at": "5m1s", "role_revoke": {"client": "push", "role": "system:image-builder"}}]
    records = records_of(tmp_path, [app(copies=2, build=True)], faults)
    assert first(records, "ImageStreamTagged", BASE_TAG) is not None
    failed = kinds(records, "BuildFailed")
    assert len(failed) == 2 and all("401" in r.details["reason"] or "push" in r.details["reason"] for r in failed)
    assert not kinds(records, "TriggeredRollout")


def test_the_same_seed_gives_the_same_digests(tmp_path):
    runs = [records_of(tmp_path, [app(copies=2, build=True)], [{"at": "5m", "push": {"image": BASE_TAG}}])
            for _ in range(2)]
    digests = [[r.details["image"] for r in kinds(run, "ImageStreamTagged")] for run in runs]
    assert digests[0] == digests[1] and len(set(digests[0])) == 3


def manifest_put_codes(result) -> dict[str, int]:
    totals = next(r for r in result.records if r.kind == "RequestTotals").details["outcomes"]
    return {key.rsplit("/", 1)[1]: n for key, n in totals.items() if key.startswith("push/manifest_put/")}


def test_a_push_to_a_stream_that_does_not_exist_is_denied_403_for_a_builder_and_created_for_an_editor(tmp_path):
    """imagestream.go CreateImageStreamMapping: the stream is created with the pusher's own
    client, which needs create on imagestreams (registry-editor has it, the default
    system:image-builder pusher does not); refused → ErrAccessDenied → 403 DENIED."""
    faults = [{"at": "5m", "push": {"image": "apps/brand-new:1"}},
              {"at": "6m", "role_grant": {"client": "push", "role": "registry-editor"}},
              {"at": "7m", "push": {"image": "apps/brand-new:1"}}]
    result = simulate(tmp_path, workloads=[app()], faults=faults)
    denied = first(result.records, "ImagePushFailed", "apps/brand-new:1")
    assert denied.details == {"by": "push", "code": 403, "stream": "new"} and denied.time < 360
    tagged = first(result.records, "ImageStreamTagged", "apps/brand-new:1")
    assert tagged is not None and tagged.time > 420
    assert manifest_put_codes(result) == {"403": 1, "201": 1}


def test_a_push_into_a_namespace_that_does_not_exist_is_denied(tmp_path):
    result = simulate(tmp_path, workloads=[app()], faults=[{"at": "5m", "push": {"image": "nowhere/app:1"}}])
    assert first(result.records, "ImagePushFailed", "nowhere/app:1").details["stream"] == "no_namespace"
    assert manifest_put_codes(result) == {"403": 1}


def test_the_image_stream_quota_denies_the_stream_past_it_and_not_pushes_to_existing_ones(tmp_path):
    faults = [{"at": "4m", "role_grant": {"client": "push", "role": "registry-editor"}},
              {"at": "5m", "push": {"image": "team-a/one:1"}},
              {"at": "6m", "push": {"image": "team-a/two:1"}},
              {"at": "7m", "push": {"image": "team-a/one:1"}}]
    result = simulate(tmp_path, workloads=[app()], faults=faults,
                      namespaces={"team-a": {"quota": {"openshift.io/imagestreams": 1}}})
    assert first(result.records, "ImagePushFailed", "team-a/two:1").details["stream"] == "quota_full"
    assert [r.details["generation"] for r in kinds(result.records, "ImageStreamTagged")] == [1, 2]
    assert manifest_put_codes(result) == {"201": 2, "403": 1}



def test_a_pod_pulling_another_namespaces_image_gets_401_until_that_namespace_grants_its_service_accounts(tmp_path):
    """A pod pulls with its namespace's service account (auth.namespace_mask): from its
    own namespace and openshift, and from another only with that namespace's grant."""
    image = f"{REGISTRY}/team-b/tool:1"
    workloads = [{"name": "denied", "namespace": "team-a", "replicas": 1, "image": image},
                 {"name": "granted", "namespace": "team-c", "replicas": 1, "image": image},
                 {"name": "shared", "namespace": "team-a", "replicas": 1, "image": f"{REGISTRY}/openshift/base-1:latest"}]
    result = simulate(tmp_path, workloads=workloads, namespaces={"team-b": {"image_pullers": ["team-c"]}},
                      traffic={"warm_up": "0s", "background": {"pulls": {"constant": 0}}})
    pulled = {r.subject.split("/")[1].rsplit("-", 2)[0] for r in kinds(result.records, "ImagePulled")}
    refused = {r.details["code"] for r in kinds(result.records, "ImagePullFailed") if r.subject.startswith("team-a/denied")}
    assert pulled == {"granted", "shared"}
    assert 401 in refused
