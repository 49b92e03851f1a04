"""ImageLocality: favours nodes that already hold the pod's images (upstream
`pkg/scheduler/framework/plugins/imagelocality/image_locality.go`, Kubernetes 1.34;
image states from `pkg/scheduler/backend/cache/snapshot.go` `createImageStateSummary`).

For every image of the pod's init and regular containers that the node lists in
`status.images` (under its normalised name: ":latest" added when the name has no tag),
add `int(size × nodes having it / all nodes)`; the node's score is
`100 × (clamp(sum, 23 MiB, 1000 MiB × containers) − 23 MiB) / (1000 MiB × containers − 23 MiB)`.
No normalisation; weight 1. Nodes without `status.images` score 0, as upstream; when no
node lists any image, a warning says the score carries no information.
"""

from __future__ import annotations

import numpy as np

from twin.model.objects import Node
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.normalize import MAX_NODE_SCORE

NAME = "ImageLocality"
MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB


def normalized_image_name(name: str) -> str:
    """`normalizedImageName`: "root" -> "root:latest"; "root:tag" and "root@sha256:…" stay."""
    return name + ":latest" if name.rfind(":") <= name.rfind("/") else name


def calculate_priority(sum_scores: int, containers: int) -> int:
    top = MAX_CONTAINER_THRESHOLD * containers
    clamped = min(max(sum_scores, MIN_THRESHOLD), top)
    return MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) // (top - MIN_THRESHOLD)


def image_states(nodes: list[Node]) -> dict[str, tuple[int, int]]:
    """name -> (size in bytes, number of nodes listing it)."""
    states: dict[str, tuple[int, int]] = {}
    for node in nodes:
        for name in {name for image in node.images for name in image.names}:
            size = next(i.size_bytes for i in node.images if name in i.names)
            states[name] = (states[name][0] if name in states else size, states.get(name, (0, 0))[1] + 1)
    return states


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray:
    view = ctx.view
    states = view.cached((NAME, "states"), lambda: image_states(view.nodes))
    if not states:
        ctx.warn(NAME, "no node lists status.images: every node scores 0 (as kube-scheduler scores nodes that report "
                       "no images), so this score carries no information")
        return np.zeros(len(candidates), dtype=np.int64)
    images = [normalized_image_name(c.image) for c in ctx.pod.init_containers + ctx.pod.containers]
    total = len(view.nodes)
    out = np.zeros(len(candidates), dtype=np.int64)
    for i, n in enumerate(candidates):
        held = {name for image in view.nodes[int(n)].images for name in image.names}
        raw = sum(int(states[name][0] * (states[name][1] / total)) for name in images if name in held)
        out[i] = calculate_priority(raw, len(images))
    return out
