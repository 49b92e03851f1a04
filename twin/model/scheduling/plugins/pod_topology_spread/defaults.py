"""The selector of cluster default constraints (`helper.DefaultSelector`): the selectors
of the Services in the pod's namespace that select the pod, merged, plus the selector of
the pod's controlling ReplicationController, ReplicaSet or StatefulSet."""

from __future__ import annotations

from twin.model.cluster import ClusterView
from twin.model.labels import LabelSelector
from twin.model.objects import Pod

_OWNER_KINDS = {"ReplicationController": "v1", "ReplicaSet": "apps/v1", "StatefulSet": "apps/v1"}


def default_selector(view: ClusterView, pod: Pod) -> LabelSelector:
    merged: dict[str, str] = {}
    for service in view.services:
        if service.namespace != pod.namespace or service.selector is None:
            continue
        if all(pod.labels.get(k) == v for k, v in service.selector.items()):
            merged.update(service.selector)
    selector = LabelSelector.of(merged)
    owner = pod.controller_owner()
    if owner is None or owner.kind not in _OWNER_KINDS:
        return selector
    if owner.api_version and owner.api_version != _OWNER_KINDS[owner.kind]:
        return selector
    workload = view.workloads.get((owner.kind, pod.namespace, owner.name))
    if workload is None or workload.selector is None:
        return selector
    if owner.kind == "ReplicationController":
        return LabelSelector.of({**merged, **dict(workload.selector.match_labels)})
    return selector.and_requirements(workload.selector.requirements)
