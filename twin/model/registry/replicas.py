"""Registry replica pods as the ReplicaSet controller would create them from the
rendered Deployment: the template plus `pod-template-hash`, named
`image-registry-<hash>-<5 random characters>`."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from twin.model.hashing import SAFE_ALPHANUMS, short_hash
from twin.model.kube_io.schema import PodSchema
from twin.model.objects import OwnerReference, Pod
from twin.model.registry.render import NAME, POD_TEMPLATE_HASH, RenderedRegistry, pod_template_manifest


def pod_template_hash(template: dict) -> str:
    """The shape of `controller.ComputeHash`: FNV-32a, decimal, safe-encoded. Upstream
    hashes a Go dump of the template, so the twin's value differs from a real cluster's;
    what matters (same template, same hash; new template, new hash) holds."""
    return short_hash(json.dumps(template, sort_keys=True))


def replica_pods(rendered: RenderedRegistry, count: int, rng: np.random.Generator) -> list[Pod]:
    """`count` pods of the Deployment's current template, owned by its ReplicaSet."""
    template_hash = pod_template_hash(rendered.deployment["spec"]["template"])
    owner = OwnerReference("ReplicaSet", f"{NAME}-{template_hash}")
    pods = []
    for _ in range(count):
        suffix = "".join(SAFE_ALPHANUMS[i] for i in rng.integers(len(SAFE_ALPHANUMS), size=5))
        manifest = pod_template_manifest(rendered, f"{NAME}-{template_hash}-{suffix}", {POD_TEMPLATE_HASH: template_hash})
        pod = PodSchema.model_validate(manifest).to_domain()
        pods.append(_owned(pod, owner))
    return pods


def _owned(pod: Pod, owner: OwnerReference) -> Pod:
    return replace(pod, owner_references=(owner,))
