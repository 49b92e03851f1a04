"""Preparing a cycle's inputs as kube-scheduler would see them."""

from __future__ import annotations

from collections.abc import Iterable

from twin.model.objects import Pod
from twin.model.scheduling.context import Notice


def leave_out_scheduled(pods: Iterable[Pod], scheduled: Iterable[Pod]) -> tuple[list[Pod], list[Notice]]:
    """The existing pods without the pods being scheduled (same namespace/name, or same
    non-empty uid), and a note for each one left out: kube-scheduler never has the pod
    it is scheduling in its cache, so an export that still lists it (e.g. `oc get pods`
    taken after it was bound) must not make it count against itself."""
    keys = {p.key for p in scheduled}
    uids = {p.uid for p in scheduled if p.uid}
    kept, notes = [], []
    for pod in pods:
        if pod.key in keys or (pod.uid and pod.uid in uids):
            notes.append(Notice(None, f"pod {pod.key} (on node {pod.node_name}) is the pod being scheduled: left out of "
                                      "the existing pods, as kube-scheduler never counts a pod against itself"))
        else:
            kept.append(pod)
    return kept, notes
