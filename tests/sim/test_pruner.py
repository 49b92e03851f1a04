"""The image pruner in simulated time (`twin/sim/pruner.py`): its DELETEs travel through
the data plane (request totals, the registry's metrics, the write limiter, auth), blobs a
kept image shares are never deleted, a pruned image's manifest answers 404 afterwards,
and a Job whose every run has refused DELETEs fails and degrades the operator."""

from __future__ import annotations

from twin.model.registry.batch import Client
from twin.model.registry.requests import Kind
from twin.run import run_scenario
from twin.scenarios.load import scenario_from_body
from twin.sim.traffic.sessions import PullSession

REGISTRY = "image-registry.openshift-image-registry.svc:5000"


def body(faults=(), duration="45m", **pruner) -> dict:
    pushes = [{"at": f"{m}m", "push": {"image": "apps/app-0:latest", "changed_layers": 2}} for m in (2, 4, 6, 8, 10)]
    return {"name": "prune-test", "seed": 3, "duration": duration,
            "cluster": {"generate": {"zones": 2, "workers_per_zone": 2, "control_plane": 0}},
            "registry": {"config": {"spec": {"replicas": 2, "managementState": "Managed", "storage": {"s3": {}}}},
                         "pruner": {"keepYoungerThanDuration": "5m", "schedule": "0 0 1 1 *", "clock_at_start": "12:00",
                                    **pruner}},
            "traffic": {"background": {"pulls": {"constant": 1}}},
            "faults": sorted(pushes + [{"at": "20m", "prune": {}}, *faults], key=lambda f: int(f["at"][:-1]))}


def run(b: dict, **kw):
    return run_scenario(scenario_from_body(b, None, "prune-test"), **kw)


def runs(result):
    return [r.details for r in result.records if r.kind == "PrunerRun"]


def test_the_pruners_deletes_are_counted_in_the_request_totals_and_the_registry_metrics():
    result = run(body(), metrics_every=60.0)
    [first] = runs(result)
    assert first["revisions_removed"] == 3 and first["images_deleted"] == 3 and first["errors"] == 0
    outcomes = result.traffic.engine.stats.outcomes
    sent = {kind: sum(n for (c, k, code), n in outcomes.items() if c == Client.PRUNE and k == kind)
            for kind in (Kind.BLOB_DELETE, Kind.MANIFEST_DELETE, Kind.ADMIN_BLOB_DELETE)}
    assert sent[Kind.MANIFEST_DELETE] == 3 and sum(sent.values()) == first["deletes"]
    assert outcomes[(Client.PRUNE, Kind.ADMIN_BLOB_DELETE, 204)] == sent[Kind.ADMIN_BLOB_DELETE]
    engine = result.traffic.engine
    counted = sum(s.value for m in engine.metrics.values() for s in m.samples(result.world.now)
                  if s.metric == "imageregistry_http_requests_total" and "method=delete" in s.labels)
    assert counted == first["deletes"]


def test_blobs_a_kept_image_shares_are_never_deleted_and_kept_tags_still_pull():
    result = run(body())
    engine = result.traffic.engine
    streams = engine.plane
    history = [e for e in _streams(result).history["apps/app-0:latest"]]
    assert len(history) == 3
    kept_blobs = {b for e in history for b in (*e.image.layers, e.image.config)}
    assert streams.pruned_blobs and not kept_blobs & streams.pruned_blobs
    assert not {e.reference for e in history} & streams.pruned_images


def test_a_pruned_images_manifest_then_answers_404():
    result = run(body(duration="21m"))
    engine, world = result.traffic.engine, result.world
    pruned = sorted(runs(result)[0]["pruned"])[0]
    image = _streams(result).image(pruned)
    ended = []
    session = PullSession(engine.plane, int(Client.PULL), engine.params.clients.pull, image, lambda s, t: ended.append(s),
                          blobs=[])
    session.start()
    engine.plane.run_until(world.now + 30)
    assert ended and ended[0].failed and ended[0].code == 404


def test_a_job_whose_runs_all_get_401_fails_and_degrades_the_cluster_operator():
    revoke = {"at": "15m", "role_revoke": {"client": "prune", "role": "system:image-pruner"}}
    result = run(body([revoke], duration="40m"))
    attempts = runs(result)
    assert len(attempts) == 6 and all(r["errors"] for r in attempts)
    assert all(set(r["answers"]) == {"401"} for r in attempts)
    finished = [r.details for r in result.records if r.kind == "PrunerJobFinished"]
    assert finished == [{"status": "Failed", "attempts": 6}]
    degraded = [r.details for r in result.records if r.kind == "ClusterOperatorCondition" and r.subject == "Degraded"]
    assert degraded[-1] == {"status": "True", "reason": "ImagePrunerJobFailed"}
    status = result.world.store.get("ImagePrunerStatus", "cluster")
    assert {c.type: c.reason for c in status.conditions}["Failed"] == "BackoffLimitExceeded"


def test_a_suspended_pruner_never_runs_and_reports_install_status_1():
    result = run(body(suspend=True, schedule="*/5 * * * *"))
    assert [r for r in result.records if r.kind == "PrunerJobStarted"][0].details == {"by": "fault"}
    assert result.world.store.get("ImagePrunerStatus", "cluster").install_status == 1


def _streams(result):
    return result.traffic.engine.pruner.streams
