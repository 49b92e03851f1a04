"""Kubelet image pulls from the integrated registry, request by request.

A pull of an image the node lacks (pull policy IfNotPresent) is a manifest GET, then a
GET of the config blob and of every layer not in the node's layer cache, at most
`MAX_PARALLEL_DOWNLOADS` at a time. A redirected blob GET answers 307 and the node
fetches the bytes from storage, sharing its network with its other downloads (the share
is fixed when a download starts). Any failure (429, 503, a broken or refused connection)
fails the pull; the kubelet retries it after the image back-off: 10 s, doubling, at most
300 s (`ErrImagePull` then `ImagePullBackOff`). Layers fetched before a failure stay.

Pulls of different pods on a node run in parallel: OpenShift's kubelet config sets
`serializeImagePulls: false` (machine-config-operator
`templates/worker/01-worker-kubelet/_base/files/kubelet.yaml`).

Before the scenario's warm-up ends, internal images arrive without requests: they stand
for the cluster's state before the twin started.
"""

from __future__ import annotations

from collections.abc import Callable

from twin.model.registry.batch import Client
from twin.model.registry.catalogue import Catalogue, Image, is_internal
from twin.model.registry.requests import Kind, Outcome
from twin.model.registry.service import download_seconds
from twin.sim.world import NodeRuntime, World

MAX_PARALLEL_DOWNLOADS = 6
"""containers/image `copy`: `maxParallelDownloads = 6` (CRI-O's default)."""
BACKOFF_INITIAL, BACKOFF_MAX = 10.0, 300.0
"""kubelet `backOffPeriod` and `MaxContainerBackOff` for image pulls."""
PULLED = (Outcome.OK, Outcome.REDIRECT)


class ImagePuller:
    def __init__(self, world: World, engine, catalogue: Catalogue, warm_up: float) -> None:
        self.world = world
        self.engine = engine
        self.catalogue = catalogue
        self.warm_up = warm_up

    def wants(self, image: str) -> bool:
        return is_internal(image)

    def pull(self, key: str, node: NodeRuntime, reference: str, wanted: Callable[[], bool]):
        """Pull until it succeeds or the pod no longer wants it; records the outcome."""
        image = self.catalogue.resolve(reference)
        if self.world.now < self.warm_up:
            self.remember(node, image)
            return
        began, attempts, delay = self.world.now, 0, BACKOFF_INITIAL
        while True:
            attempts += 1
            fetched, code = yield from self.attempt(node, image)
            if code is None:
                self.remember(node, image)
                self.world.recorder.record("ImagePulled", key, node=node.name, image=reference, attempts=attempts,
                                           seconds=round(self.world.now - began, 6), bytes=fetched)
                return
            self.world.recorder.record("ImagePullFailed", key, node=node.name, image=reference, code=int(code),
                                       attempt=attempts, backoff=delay)
            yield self.world.env.timeout(delay)
            delay = min(delay * 2, BACKOFF_MAX)
            if not wanted():
                return

    def remember(self, node: NodeRuntime, image: Image) -> None:
        node.images.add(image.reference)
        node.layers.update(image.layers)

    def attempt(self, node: NodeRuntime, image: Image):
        """One pull: (bytes fetched, None) on success, (bytes, failing code) otherwise."""
        code = yield from self.fetch(Kind.MANIFEST_GET, image.manifest_bytes)
        if code not in PULLED:
            return 0, code
        blobs = [(image.config, image.config_bytes)]
        blobs += [(layer, size) for layer, size in zip(image.layers, image.layer_bytes) if layer not in node.layers]
        results: list = []
        env = self.world.env
        lanes = [env.process(self.lane(node, blobs[i::MAX_PARALLEL_DOWNLOADS], results, min(len(blobs), MAX_PARALLEL_DOWNLOADS)))
                 for i in range(min(len(blobs), MAX_PARALLEL_DOWNLOADS))]
        yield env.all_of(lanes)
        failed = [code for _, code in results if code is not None]
        return sum(size for size, code in results if code is None), (failed[0] if failed else None)

    def lane(self, node: NodeRuntime, blobs: list, results: list, sharing: int):
        """One download slot working through its share of the blobs, in order."""
        for blob, size in blobs:
            code = yield from self.fetch(Kind.BLOB_GET, size)
            if code == Outcome.REDIRECT:
                yield self.world.env.timeout(float(download_seconds(size, sharing, self.engine.params.service)))
            if code not in PULLED:
                results.append((size, code))
                return
            node.layers.add(blob)
            results.append((size, None))

    def fetch(self, kind: Kind, nbytes: int):
        """Send one request and wait for its response; returns its code."""
        tag, fate = self.engine.request(kind, nbytes, Client.KUBELET)
        end, code = float(fate.end[0]), int(fate.code[0])
        if end > self.world.now:
            broken = self.engine.watch(tag)
            result = yield self.world.env.timeout(end - self.world.now) | broken
            self.engine.unwatch(tag)
            if broken in result:
                return 0
        return code
