"""Pull-through in the data plane (`twin/sim/traffic/pullthrough.py`), following
openshift/image-registry `pkg/dockerregistry/server/pullthroughblobstore.go` (`ServeBlob`,
`storeLocalInBackground`, `storeLocal`), `remoteblobgetter.go` and
`pullthroughmanifestservice.go`: a miss is fetched from the remote, one background mirror
per digest per process takes a write slot or is skipped, a mirrored blob is then local."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from planes import Ended, plane, pod

from twin.model.images.remote import RemoteParams, remote_image
from twin.model.registry.batch import Client
from twin.model.registry.catalogue import CatalogueParams
from twin.model.registry.metrics import RegistryMetrics
from twin.model.registry.requests import Kind
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.exchange import Connection, Req
from twin.sim.traffic.pullthrough import PullThrough, RemoteRuntime
from twin.sim.traffic.storage import Draws

LATENCY = 0.2  # one round trip, fixed (median = p99)
BANDWIDTH = 10e6
IMAGE = replace(remote_image("docker.io/acme/web:1", 0, CatalogueParams()),
                reference="image-registry.openshift-image-registry.svc:5000/apps/web@sha256:ab")


def setup(write: Limits = Limits(), limit: int = 0, errcode_body: bool = True, no_redirect: bool = True):
    p = plane()
    settings = RegistrySettings(write=write, redirect=not no_redirect)
    server = pod(p, settings=settings)
    remote = RemoteRuntime(RemoteParams("docker.io", LATENCY, LATENCY, BANDWIDTH, limit, 3600.0, errcode_body),
                           Draws(np.random.default_rng(0)))
    pt = PullThrough()
    pt.add_image(IMAGE.reference, IMAGE, remote)
    p.pullthrough = pt
    return p, server, pt, remote


def blob_get(p, owner, blob: int, at: float) -> None:
    size = dict(zip(IMAGE.layers, IMAGE.layer_bytes))[blob]
    p.run_until(at)
    p.send(Req(int(Kind.BLOB_GET), size, int(Client.PULL), owner, 0, -1, False, blob, None), Connection())


def manifest_get(p, owner, at: float) -> None:
    p.run_until(at)
    p.send(Req(int(Kind.MANIFEST_GET), IMAGE.manifest_bytes, int(Client.PULL), owner, image=IMAGE), Connection())


def test_a_blob_the_registry_lacks_is_fetched_from_the_remote_then_mirrored_and_served_locally_after():
    p, server, pt, _ = setup()
    ended = Ended()
    blob = IMAGE.layers[-1]
    size = dict(zip(IMAGE.layers, IMAGE.layer_bytes))[blob]
    blob_get(p, ended, blob, 0.0)
    blob_get(p, ended, blob, 1000.0)
    p.run_until(2000.0)
    first, second = ended.requests
    assert first.code == 200 and second.code == 200
    assert first.end - first.time >= 2 * LATENCY + size / BANDWIDTH  # Stat, Open, then the bytes
    assert second.end - second.time < 2 * LATENCY  # local: no remote round trip
    assert pt.totals.mirrors_started == pt.totals.mirrors_completed == 1
    assert blob in pt.local_blobs and pt.totals.local_blob_hits == 1
    assert not server.inflight


def test_concurrent_gets_of_one_digest_start_one_mirror_and_stream_from_the_remote():
    p, _, pt, _ = setup()
    ended = Ended()
    blob = IMAGE.layers[0]
    blob_get(p, ended, blob, 0.0)
    blob_get(p, ended, blob, 0.01)
    p.run_until(1000.0)
    assert [r.code for r in ended.requests] == [200, 200]
    assert pt.totals.mirrors_started == 1
    assert pt.totals.streamed_while_mirroring == 1
    assert pt.totals.blob_fetches[200] == 2


def test_a_mirror_is_skipped_when_the_write_limiter_has_no_free_slot_and_no_queue():
    p, server, pt, _ = setup(write=Limits(max_running=1, max_in_queue=0))
    ended = Ended()
    blob_get(p, ended, IMAGE.layers[0], 0.0)
    blob_get(p, ended, IMAGE.layers[1], 0.01)  # its mirror finds the one write slot taken
    p.run_until(1000.0)
    assert pt.totals.mirrors_started == 2
    assert pt.totals.mirrors_skipped == 1 and pt.totals.mirrors_completed == 1
    assert server.limiters[1].running == 0  # the slot is given back when the copy ends


def test_a_skipped_digest_stays_in_flight_so_that_process_streams_it_from_the_remote_ever_after():
    p, server, pt, _ = setup(write=Limits(max_running=1, max_in_queue=0))
    ended = Ended()
    blob_get(p, ended, IMAGE.layers[0], 0.0)
    blob_get(p, ended, IMAGE.layers[1], 0.01)
    blob_get(p, ended, IMAGE.layers[1], 1000.0)  # the slot is free now, yet no mirror starts
    p.run_until(2000.0)
    assert IMAGE.layers[1] in server.inflight and IMAGE.layers[1] not in pt.local_blobs
    assert pt.totals.mirrors_started == 2 and pt.totals.streamed_while_mirroring == 1


def test_a_mirror_waits_in_the_write_queue_and_runs_when_the_slot_frees():
    p, _, pt, _ = setup(write=Limits(max_running=1, max_in_queue=5))
    ended = Ended()
    blob_get(p, ended, IMAGE.layers[0], 0.0)
    blob_get(p, ended, IMAGE.layers[1], 0.01)
    p.run_until(1000.0)
    assert pt.totals.mirrors_skipped == 0 and pt.totals.mirrors_waited == 1
    assert pt.totals.mirrors_completed == 2 and {IMAGE.layers[0], IMAGE.layers[1]} <= pt.local_blobs


def test_a_mirror_that_waited_past_max_wait_in_queue_is_skipped_and_nobody_hears_of_it():
    p, _, pt, _ = setup(write=Limits(max_running=1, max_in_queue=5, max_wait=0.01))
    ended = Ended()
    blob_get(p, ended, IMAGE.layers[0], 0.0)
    blob_get(p, ended, IMAGE.layers[1], 0.01)
    p.run_until(1000.0)
    assert pt.totals.mirrors_skipped == 1
    assert len(ended.requests) == 2 and all(r.code == 200 for r in ended.requests)


def test_a_manifest_refused_by_docker_hubs_limit_reaches_the_client_as_404():
    p, _, pt, _ = setup(limit=1)
    ended = Ended()
    manifest_get(p, ended, 0.0)  # takes the one pull of the window, and is mirrored
    pt.local_manifests.clear()  # as if another repository asked: it misses again
    manifest_get(p, ended, 10.0)
    p.run_until(100.0)
    assert [r.code for r in ended.requests] == [200, 404]
    assert pt.totals.manifest_fetches == {200: 1, 404: 1}


def test_a_manifest_refused_with_a_429_without_an_errcode_body_reaches_the_client_as_429():
    p, _, pt, _ = setup(limit=1, errcode_body=False)
    ended = Ended()
    manifest_get(p, ended, 0.0)
    pt.local_manifests.clear()
    manifest_get(p, ended, 10.0)
    p.run_until(100.0)
    assert [r.code for r in ended.requests] == [200, 429]


def test_a_mirrored_manifest_is_local_and_asks_the_remote_no_more():
    p, _, pt, remote = setup(limit=1)
    ended = Ended()
    manifest_get(p, ended, 0.0)
    manifest_get(p, ended, 10.0)
    p.run_until(100.0)
    assert [r.code for r in ended.requests] == [200, 200]
    assert remote.calls == {("manifest", "OK"): 1}
    assert pt.totals.local_manifest_hits == 1


def test_a_blob_while_the_remote_is_down_is_answered_404_blob_unknown_and_not_mirrored():
    p, server, pt, remote = setup()
    remote.up = False
    ended = Ended()
    blob_get(p, ended, IMAGE.layers[0], 0.0)
    p.run_until(100.0)
    assert [r.code for r in ended.requests] == [404]
    assert pt.totals.mirrors_started == 0 and not server.inflight


def test_the_pullthrough_metric_families_count_as_the_registry_counts_them():
    p, server, pt, remote = setup(limit=1)
    ended = Ended()
    blob_get(p, ended, IMAGE.layers[0], 0.0)  # client: Stat (Miss), Open (Hit); mirror: Stat, Open (Hit, Hit)
    manifest_get(p, ended, 1.0)
    pt.local_manifests.clear()
    manifest_get(p, ended, 2.0)  # refused: an error with code UNKNOWN (errcode.Errors is no errcode.Error)
    p.run_until(100.0)
    metrics = RegistryMetrics(major="4", minor="23", git_commit="0", git_version="v4.23.0")
    pt.feed(server.key, metrics, p.now)
    samples = {(s.metric, s.labels): s.value for s in metrics.samples(p.now)}
    cache = "imageregistry_pullthrough_blobstore_cache_requests_total"
    assert samples[(cache, "type=Miss")] == 1
    assert samples[(cache, "type=Hit")] == 3
    duration = "imageregistry_pullthrough_repository_duration_seconds_count"
    assert samples[(duration, "operation=BlobStore.Stat,registry=registry-1.docker.io")] == 2
    assert samples[(duration, "operation=BlobStore.Open,registry=registry-1.docker.io")] == 2
    assert samples[(duration, "operation=ManifestService.Get,registry=registry-1.docker.io")] == 2
    errors = "imageregistry_pullthrough_repository_errors_total"
    assert samples[(errors, "code=UNKNOWN,operation=ManifestService.Get,registry=registry-1.docker.io")] == 1
    assert len([k for k in samples if k[0] == errors]) == 1
