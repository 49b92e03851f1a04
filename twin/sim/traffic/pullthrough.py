"""Pull-through in the data plane: blobs and manifests of images whose image stream tag
has `referencePolicy: Local` live on a remote registry until the registry mirrors them
(`model/images/remote.py` cites the registry's code for every rule here).

* A manifest GET for such an image that the repository's local store lacks → one GET of
  the manifest from the remote (counted against the remote's pull limit); on success it
  is mirrored at once (`mirrorManifest`: a synchronous local put), so the repository's
  next GETs are local. A refusal or failure → 429 or 404 (`manifest_answer`).
* A blob GET for a blob the registry's storage lacks → remote `Stat` and `Open` (two
  round trips), then the bytes at the remote's bandwidth, streamed on to the client. With
  mirroring on (the default, `mirrorpullthrough: true`), the first such GET of a digest in
  a process starts one background mirror (`inflight`, per process): it takes a write slot
  (`writeLimiter.Start`: waits per the queue rules; refused → skipped) and copies the blob
  from the remote again; when done, the blob is local for every later GET. Concurrent
  GETs of a digest being mirrored stream from the remote. A refused mirror never deletes
  its `inflight` entry (`storeLocalInBackground` returns before `storeLocal`'s deferred
  delete): that process never mirrors the digest again and streams it from the remote on
  every GET. A mirror that failed (the remote down) deletes it.
* Storage: shared storage (S3, ...) holds what any pod mirrored; a pod with storage of its
  own (emptyDir) holds what it mirrored itself (`PodContent`).

ASSUMPTIONS: the local lookups before the remote call (the local `Stat`, the image
stream's image) take no time; the remote transfer and the delivery to the client are
added, not overlapped (the registry copies as it receives: the twin's blob time is an
upper bound, by the smaller of the two); a mirror's local write overlaps its remote copy.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from twin.model.images.remote import Remote, RateWindow, RemoteParams, blob_answer, manifest_answer
from twin.model.registry.requests import Kind
from twin.sim.traffic.exchange import Req
from twin.sim.traffic.storage import Draws

BLOB_GET = int(Kind.BLOB_GET)
MANIFEST_GET = int(Kind.MANIFEST_GET)
DURATION = "imageregistry_pullthrough_repository_duration_seconds"
ERRORS = "imageregistry_pullthrough_repository_errors_total"
CACHE = "imageregistry_pullthrough_blobstore_cache_requests_total"


class RemoteRuntime:
    """A remote registry while the run goes: up or down, its pull limit, its latencies."""

    def __init__(self, params: RemoteParams, normals: Draws) -> None:
        self.params = params
        self.up = True
        self.window = RateWindow(params.limit, params.window)
        self.normals = normals
        self.mu = math.log(params.latency_median)
        self.sigma = params.latency_sigma
        self.calls: Counter[tuple[str, str]] = Counter()  # (what, outcome) -> count

    def latency(self) -> float:
        return math.exp(self.mu + self.sigma * self.normals.next())

    def call(self, now: float, counted: bool, what: str) -> Remote:
        """One call to the remote now: FAILED when down, TOO_MANY when `counted` (a
        manifest GET) and over the limit."""
        if not self.up:
            outcome = Remote.FAILED
        elif counted and not self.window.admit(now):
            outcome = Remote.TOO_MANY
        else:
            outcome = Remote.OK
        self.calls[(what, outcome.name)] += 1
        return outcome


@dataclass
class PullThroughTotals:
    blob_fetches: Counter = field(default_factory=Counter)  # outcome code -> count
    manifest_fetches: Counter = field(default_factory=Counter)
    local_blob_hits: int = 0
    local_manifest_hits: int = 0
    mirrors_started: int = 0
    mirrors_completed: int = 0
    mirrors_failed: int = 0
    mirrors_skipped: int = 0
    mirrors_waited: int = 0
    streamed_while_mirroring: int = 0
    bytes_from_remote: int = 0


class PullThrough:
    """What the data plane asks about remote content (`fetch`), and the background mirrors
    it runs (`copy_seconds`, `mirrored`, `skipped`)."""

    def __init__(self, mirror: bool = True) -> None:
        self.mirror = mirror
        self.blobs: dict[int, RemoteRuntime] = {}  # remote blob id -> its remote
        self.manifests: dict[str, RemoteRuntime] = {}  # digest pull spec in a stream -> its remote
        self.local_blobs: set[int] = set()  # mirrored into shared storage
        self.local_manifests: set[str] = set()
        self.totals = PullThroughTotals()
        self.pending: dict[str, list[tuple[str, tuple[str, ...], float]]] = {}  # pod -> metric events not yet fed
        self.record = None  # (kind, subject, **details) -> None: the recorder, for mirror events

    def add_image(self, reference: str, image, remote: RemoteRuntime) -> None:
        """An image stream tag holds `image` (digest pull spec `reference`) pulled through from `remote`."""
        self.manifests[reference] = remote
        for blob in (image.config, *image.layers):
            self.blobs[blob] = remote

    # ----- the request path ----------------------------------------------------------------
    def fetch(self, plane, server, r: Req, now: float) -> float:
        """Seconds until the remote's answer for a GET of remote content the registry's
        storage lacks, with `r.code` set; -1 when the registry serves it itself."""
        if r.kind == BLOB_GET:
            remote = self.blobs.get(r.blob)
            if remote is None:
                return -1.0
            if self._has_blob(server, r.blob):
                self.totals.local_blob_hits += 1
                return -1.0
            return self._fetch_blob(plane, server, r, remote, now)
        image = r.image
        remote = self.manifests.get(image.reference) if image is not None else None
        if remote is None:
            return -1.0
        if self._has_manifest(server, image.reference):
            self.totals.local_manifest_hits += 1
            return -1.0
        return self._fetch_manifest(server, r, remote, now)

    def _fetch_manifest(self, server, r: Req, remote: RemoteRuntime, now: float) -> float:
        seconds = remote.latency()
        outcome = remote.call(now, True, "manifest")
        self._observe(server, remote, "ManifestService.Get", seconds, outcome)
        r.code = manifest_answer(outcome, remote.params.errcode_body)
        self.totals.manifest_fetches[r.code] += 1
        if outcome == Remote.OK and self.mirror:
            if server.content is not None:
                server.content.images.add(r.image.reference)
            else:
                self.local_manifests.add(r.image.reference)
        return seconds

    def _fetch_blob(self, plane, server, r: Req, remote: RemoteRuntime, now: float) -> float:
        stat = remote.latency()
        outcome = remote.call(now, False, "blob")
        self._count_cache(server, "Miss")  # a new remoteBlobGetterService per request: Stat misses its cache
        self._observe(server, remote, "BlobStore.Stat", stat, outcome)
        r.code = blob_answer(outcome)
        self.totals.blob_fetches[r.code] += 1
        if outcome != Remote.OK:
            return stat
        opened = remote.latency()
        self._count_cache(server, "Hit")  # ... and Open finds what Stat put there
        self._observe(server, remote, "BlobStore.Open", opened, outcome)
        self.totals.bytes_from_remote += r.nbytes
        if self.mirror:
            if r.blob in server.inflight:
                self.totals.streamed_while_mirroring += 1
            else:
                server.inflight.add(r.blob)
                job = Req(BLOB_GET, r.nbytes, r.client, None, 0, -1, False, r.blob, None)
                job.mirror = True
                self.totals.mirrors_started += 1
                plane.mirror(server, job, now)
        return stat + opened + r.nbytes / remote.params.bandwidth

    def _has_blob(self, server, blob: int) -> bool:
        content = server.content
        return blob in content.blobs if content is not None else blob in self.local_blobs

    def _has_manifest(self, server, reference: str) -> bool:
        content = server.content
        return reference in content.images if content is not None else reference in self.local_manifests

    # ----- background mirrors ----------------------------------------------------------------
    def copy_seconds(self, server, job: Req, now: float) -> float:
        """`storeLocal`: the remote's `Stat` and `Open` again (the getter's cache hits
        both), then the copy at the remote's bandwidth."""
        remote = self.blobs[job.blob]
        if job.time < now:
            self.totals.mirrors_waited += 1
        stat, opened = remote.latency(), remote.latency()
        outcome = remote.call(now, False, "mirror")
        self._count_cache(server, "Hit")
        self._observe(server, remote, "BlobStore.Stat", stat, outcome)
        job.code = int(outcome)
        if outcome != Remote.OK:
            return stat
        self._count_cache(server, "Hit")
        self._observe(server, remote, "BlobStore.Open", opened, outcome)
        return stat + opened + job.nbytes / remote.params.bandwidth

    def mirrored(self, server, job: Req, now: float) -> None:
        server.inflight.discard(job.blob)  # storeLocal's deferred delete
        if job.code != int(Remote.OK):
            self.totals.mirrors_failed += 1
            return
        self.totals.mirrors_completed += 1
        self.totals.bytes_from_remote += job.nbytes
        if server.content is not None:
            server.content.blobs.add(job.blob)
        else:
            self.local_blobs.add(job.blob)

    def skipped(self, server, job: Req, now: float) -> None:
        """"Skipped background mirroring ... because write limits are reached": the
        `inflight` entry stays (see the module's docstring)."""
        self.totals.mirrors_skipped += 1
        if self.record is not None:
            self.record("MirrorSkipped", server.key, blob=job.blob)

    # ----- metrics ------------------------------------------------------------------------------
    def _observe(self, server, remote: RemoteRuntime, operation: str, seconds: float, outcome: Remote) -> None:
        events = self.pending.setdefault(server.key, [])
        label = remote.params.label
        events.append((DURATION, (label, operation), seconds))
        if outcome != Remote.OK:
            events.append((ERRORS, (label, operation, "UNKNOWN"), 1.0))

    def _count_cache(self, server, kind: str) -> None:
        self.pending.setdefault(server.key, []).append((CACHE, (kind,), 1.0))

    def feed(self, key: str, metrics, now: float) -> None:
        """Hand the pod's pull-through observations to its Prometheus metrics."""
        events = self.pending.pop(key, None)
        if not events or metrics is None:
            return
        durations: dict[tuple[str, ...], list[float]] = {}
        for family, labels, value in events:
            if family == DURATION:
                durations.setdefault(labels, []).append(value)
            elif family == ERRORS:
                metrics.inc(ERRORS, {"registry": labels[0], "operation": labels[1], "code": labels[2]}, value)
            else:
                metrics.inc(CACHE, {"type": labels[0]}, value)
        import numpy as np

        for (registry, operation), values in durations.items():
            metrics.observe_values(now, DURATION, {"registry": registry, "operation": operation}, np.array(values))

    def summary(self) -> dict:
        t = self.totals
        return {
            "blob_fetches": {str(k): v for k, v in sorted(t.blob_fetches.items())},
            "manifest_fetches": {str(k): v for k, v in sorted(t.manifest_fetches.items())},
            "local_blob_hits": t.local_blob_hits, "local_manifest_hits": t.local_manifest_hits,
            "mirrors_started": t.mirrors_started, "mirrors_completed": t.mirrors_completed,
            "mirrors_failed": t.mirrors_failed, "mirrors_skipped": t.mirrors_skipped,
            "mirrors_waited": t.mirrors_waited, "streamed_while_mirroring": t.streamed_while_mirroring,
            "bytes_from_remote": t.bytes_from_remote,
        }
