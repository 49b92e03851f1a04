"""VolumeRestrictions: disks that cannot be shared, and ReadWriteOncePod claims (upstream
`pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go`, Kubernetes
1.34–1.36).

PreFilter: a persistentVolumeClaim volume whose claim is not found ->
UnschedulableAndUnresolvable `persistentvolumeclaim "x" not found` on every node. Counts
the bound pods (anywhere) using one of the pod's ReadWriteOncePod claims. Skip when the
pod has no in-tree disk volume (awsElasticBlockStore, gcePersistentDisk, iscsi, rbd) and
no such pod exists.

Filter, Unschedulable: the node runs a pod with the same disk ("node(s) had no available
disk": same EBS volumeID; same GCE pdName or iSCSI iqn unless both mounts are read-only;
RBD with an overlapping monitor, same pool and image unless both read-only); else, when
a ReadWriteOncePod claim is in use, "node has pod using PersistentVolumeClaim with the
same name and ReadWriteOncePod access mode" on every node.
"""

from __future__ import annotations

import numpy as np

from twin.model.objects import Pod, Volume
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins.storage_lookup import claim_names, find_claim
from twin.model.scheduling.status import PASS, UNSCHEDULABLE, FilterOutcome, Status
from twin.model.storage import READ_WRITE_ONCE_POD

NAME = "VolumeRestrictions"
DISK_CONFLICT = Status(UNSCHEDULABLE, ("node(s) had no available disk",))
RWOP_CONFLICT = Status(UNSCHEDULABLE, ("node has pod using PersistentVolumeClaim with the same name and "
                                       "ReadWriteOncePod access mode",))
DISK_KINDS = ("awsElasticBlockStore", "gcePersistentDisk", "iscsi", "rbd")


def filter(ctx: CycleContext) -> FilterOutcome | None:
    disks = [v for v in ctx.pod.volumes if v.kind in DISK_KINDS]
    if not disks and not claim_names(ctx.pod):
        return None
    rwop = _read_write_once_pod_claims(ctx)
    if isinstance(rwop, Status):
        return FilterOutcome.everywhere(ctx.node_count, rwop)
    in_use = _claims_in_use(ctx, rwop)
    if not disks and not in_use:
        return None
    ids = np.full(ctx.node_count, 2 if in_use else 0, dtype=np.int64)
    for n in range(ctx.node_count):
        if disks and any(_conflict(v, pod) for v in disks for pod in ctx.view.pods_on(n)):
            ids[n] = 1
    return FilterOutcome(ids, (PASS, DISK_CONFLICT, RWOP_CONFLICT))


def _read_write_once_pod_claims(ctx: CycleContext) -> set[str] | Status:
    names: set[str] = set()
    for name in claim_names(ctx.pod):
        claim, rejection = find_claim(ctx, NAME, name, "ReadWriteOncePod")
        if rejection is not None:
            return rejection
        if claim is not None and READ_WRITE_ONCE_POD in claim.access_modes:
            names.add(name)
    return names


def _claims_in_use(ctx: CycleContext, names: set[str]) -> bool:
    """`IsPVCUsedByPods`: a bound pod of the namespace mounts one of the claims."""
    if not names:
        return False
    namespace = ctx.pod.namespace
    return any(pod.namespace == namespace and any(v.claim_name in names for v in pod.volumes)
               for pod, _ in ctx.view.pods())


def _conflict(volume: Volume, pod: Pod) -> bool:
    """`isVolumeConflict` against every volume of an existing pod."""
    for other in pod.volumes:
        if other.kind != volume.kind or not _same_disk(volume, other):
            continue
        if volume.kind == "awsElasticBlockStore" or not (volume.read_only and other.read_only):
            return True
    return False


def _same_disk(a: Volume, b: Volume) -> bool:
    if a.kind != "rbd":
        return a.disk == b.disk
    (monitors_a, pool_a, image_a), (monitors_b, pool_b, image_b) = a.disk, b.disk
    return bool(set(monitors_a) & set(monitors_b)) and pool_a == pool_b and image_a == image_b
