"""Kubelet image pulls from the integrated registry: CRI-O pulling with containers/image
(`sessions.PullSession`: ping, token, manifest, then the config blob and every layer not
in the node's layer cache over six connections; redirected blobs downloaded from the
object store through the node's link). A failed pull (a 5xx, a broken or refused
connection, a 429 past c/image's five tries) is retried by the kubelet after the image
back-off: 10 s, doubling, at most 300 s (`ErrImagePull` then `ImagePullBackOff`). Layers
fetched before a failure stay in the node's cache.

Pulls of different pods on a node run in parallel: OpenShift's kubelet config sets
`serializeImagePulls: false` (machine-config-operator
`templates/worker/01-worker-kubelet/_base/files/kubelet.yaml`).

Before the scenario's warm-up ends, internal images arrive without requests: they stand
for the cluster's state before the twin started.

A pod pulls with its namespace's service account: from another namespace than its own or
`openshift` it needs that namespace's `pullers` grant, else every attempt gets 401
(`auth.namespace_mask`).
"""

from __future__ import annotations

from collections.abc import Callable

from twin.model.registry.auth import namespace_mask
from twin.model.registry.catalogue import Catalogue, Image, is_internal, parse_reference
from twin.sim.world import NodeRuntime, World

BACKOFF_INITIAL, BACKOFF_MAX = 10.0, 300.0
"""kubelet `backOffPeriod` and `MaxContainerBackOff` for image pulls."""


class ImagePuller:
    def __init__(self, world: World, engine, catalogue: Catalogue, warm_up: float) -> None:
        self.world = world
        self.engine = engine
        self.catalogue = catalogue
        self.warm_up = warm_up
        self.resolve = catalogue.resolve  # reference -> Image; image streams put digest references first
        self.pullers: dict[str, frozenset[str]] = {}  # image namespace -> pod namespaces granted system:image-puller

    def wants(self, image: str) -> bool:
        return is_internal(image)

    def pull(self, key: str, node: NodeRuntime, reference: str, wanted: Callable[[], bool]):
        """Pull until it succeeds or the pod no longer wants it; records the outcome and
        returns when the image was in (None if given up)."""
        image = self.resolve(reference)
        if self.world.now < self.warm_up:
            self.remember(node, image)
            return self.world.now
        began, attempts, delay = self.world.now, 0, BACKOFF_INITIAL
        mask = namespace_mask(key.split("/", 1)[0], image_namespace(reference), self.pullers)
        while True:
            attempts += 1
            blobs = [(layer, size) for layer, size in zip(image.layers, image.layer_bytes) if layer not in node.layers]
            session = yield from self.engine.pull(node.name, image, blobs, node.layers.add, mask=mask)
            if session.ok:
                self.remember(node, image)
                self.world.recorder.record("ImagePulled", key, node=node.name, image=reference, attempts=attempts,
                                           seconds=round(session.ended - began, 6), bytes=session.bytes)
                return session.ended
            self.world.recorder.record("ImagePullFailed", key, node=node.name, image=reference, code=int(session.code),
                                       attempt=attempts, backoff=delay)
            yield self.world.env.timeout(max(0.0, session.ended + delay - self.world.now))
            delay = min(delay * 2, BACKOFF_MAX)
            if not wanted():
                return None

    def remember(self, node: NodeRuntime, image: Image) -> None:
        node.images.add(image.reference)
        node.layers.update(image.layers)


def image_namespace(reference: str) -> str:
    """The namespace of an integrated-registry pull spec: its repository's first component."""
    _, repository, _ = parse_reference(reference)
    return repository.split("/", 1)[0]
