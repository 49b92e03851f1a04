"""VolumeZone: a pod whose claim is bound to a PersistentVolume labelled with a zone or
region fits only nodes carrying the same value (upstream
`pkg/scheduler/framework/plugins/volumezone/volume_zone.go`, Kubernetes 1.34–1.36). A
zonal EBS volume therefore ties an RWO-PVC registry to its zone: in a zone outage the
replica has nowhere to go.

PreFilter, per persistentVolumeClaim volume (UnschedulableAndUnresolvable on every node
on failure): a claim without a name, a claim not found, an unbound claim without a class
("PersistentVolumeClaim had no pv name and storageClass name"), with a class not found,
or with an Immediate class ("PersistentVolume had no name"); an unbound claim whose class
is WaitForFirstConsumer is skipped; a PV not found. The PV's labels
failure-domain.beta.kubernetes.io/{zone,region} and topology.kubernetes.io/{zone,region}
give the allowed values (`a__b` is the set {a, b}). None at all -> Skip.

Filter: a node with none of those four labels passes (single-zone clusters); otherwise
for every PV label the node's value of that key (for a beta key, else the GA key) must be
among the allowed values, or UnschedulableAndUnresolvable "node(s) had no available
volume zone".
"""

from __future__ import annotations

import numpy as np

from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins.storage_lookup import claim_names, find_claim, find_class, find_volume, not_found
from twin.model.scheduling.status import UNRESOLVABLE, FilterOutcome, Status
from twin.model.storage import WAIT_FOR_FIRST_CONSUMER

NAME = "VolumeZone"
REJECTED = Status(UNRESOLVABLE, ("node(s) had no available volume zone",))
BETA_ZONE, BETA_REGION = "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region"
ZONE, REGION = "topology.kubernetes.io/zone", "topology.kubernetes.io/region"
TOPOLOGY_LABELS = (BETA_ZONE, BETA_REGION, ZONE, REGION)
TO_GA = {BETA_ZONE: ZONE, BETA_REGION: REGION}
WHAT = "its volume's zone"


def _failure(text: str) -> Status:
    return Status(UNRESOLVABLE, (text,))


def pv_topologies(ctx: CycleContext) -> list[tuple[str, frozenset[str]]] | Status:
    """`getPVbyPod`: (label key, allowed values) of the bound volumes, or the PreFilter
    failure."""
    topologies: list[tuple[str, frozenset[str]]] = []
    for name in claim_names(ctx.pod):
        if not name:
            return _failure("PersistentVolumeClaim had no name")
        claim, rejection = find_claim(ctx, NAME, name, WHAT)
        if claim is None:
            if rejection is not None:
                return rejection
            continue
        if not claim.volume_name:
            outcome = _unbound(ctx, claim.storage_class or "")
            if isinstance(outcome, Status):
                return outcome
            continue
        volume, missing = find_volume(ctx, NAME, claim.volume_name, WHAT)
        if missing:
            return not_found("persistentvolume", claim.volume_name)
        if volume is not None:
            topologies += [(key, frozenset(volume.labels[key].split("__")))
                           for key in TOPOLOGY_LABELS if key in volume.labels]
    return topologies


def _unbound(ctx: CycleContext, class_name: str) -> Status | None:
    if not class_name:
        return _failure("PersistentVolumeClaim had no pv name and storageClass name")
    found, missing = find_class(ctx, NAME, class_name, WHAT)
    if missing:
        return not_found("storageclass.storage.k8s.io", class_name)
    if found is None or found.binding_mode == WAIT_FOR_FIRST_CONSUMER:
        return None
    if found.binding_mode is None:
        return _failure(f'VolumeBindingMode not set for StorageClass "{class_name}"')
    return _failure("PersistentVolume had no name")


def filter(ctx: CycleContext) -> FilterOutcome | None:
    if not claim_names(ctx.pod):
        return None
    topologies = pv_topologies(ctx)
    if isinstance(topologies, Status):
        return FilterOutcome.everywhere(ctx.node_count, topologies)
    if not topologies:
        return None
    failed = np.array([_rejects(node.labels, topologies) for node in ctx.view.nodes], dtype=bool)
    return FilterOutcome.from_failures(failed, REJECTED)


def _rejects(labels, topologies) -> bool:
    if not any(key in labels for key in TOPOLOGY_LABELS):
        return False
    for key, allowed in topologies:
        value = labels.get(key, labels.get(TO_GA.get(key, key)))
        if value is None or value not in allowed:
            return True
    return False
