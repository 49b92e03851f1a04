"""NodeVolumeLimits (CSILimits): a node cannot attach more CSI volumes of a driver than
its CSINode allows (upstream `pkg/scheduler/framework/plugins/nodevolumelimits/csi.go`,
Kubernetes 1.34–1.36).

PreFilter: Skip unless the pod has a persistentVolumeClaim or ephemeral volume.
Filter, per node: the pod's new volumes are its claims' (CSI driver, volume handle): from
the bound PV's `spec.csi`, else (unbound, or the PV not found) from the claim's
StorageClass provisioner with a per-claim handle; a claim not found ->
UnschedulableAndUnresolvable `looking up PVC ns/x: persistentvolumeclaim "x" not found`.
Volumes already attached by the node's pods count once. The limit of a driver is its
CSINode `allocatable.count` (or the node's deprecated `attachable-volumes-csi-<driver>`
allocatable); count + new > limit -> Unschedulable "node(s) exceed max volume count".

Not modelled, with a warning: limits when no CSINode was given, in-tree volumes migrated
to CSI (their PVs have no `spec.csi`), generic ephemeral volumes, and VolumeAttachments
not backed by a pod.
"""

from __future__ import annotations

import numpy as np

from twin.model.objects import Pod
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins.storage_lookup import claim_names, find_claim, warn_ephemeral
from twin.model.scheduling.status import UNRESOLVABLE, UNSCHEDULABLE, FilterOutcome, Status
from twin.model.storage import CSI_NODE

NAME = "NodeVolumeLimits"
EXCEEDED = Status(UNSCHEDULABLE, ("node(s) exceed max volume count",))
LIMIT_PREFIX = "attachable-volumes-csi-"
WHAT = "its attach limit"


def filter(ctx: CycleContext) -> FilterOutcome | None:
    if not any(v.kind in ("persistentVolumeClaim", "ephemeral") for v in ctx.pod.volumes):
        return None
    warn_ephemeral(ctx, NAME)
    new = {}
    for name in claim_names(ctx.pod):
        claim, rejection = find_claim(ctx, NAME, name, WHAT)
        if rejection is not None:
            reason = f"looking up PVC {ctx.pod.namespace}/{name}: {rejection.reasons[0]}"
            return FilterOutcome.everywhere(ctx.node_count, Status(UNRESOLVABLE, (reason,)))
        if claim is not None:
            new.update(_attachable(ctx, claim, warn=True))
    if not new:
        return None
    if CSI_NODE not in ctx.view.storage.given:
        ctx.warn(NAME, "no CSINode objects were given with --objects: CSI attach limits not checked")
    failed = np.array([_exceeds(ctx, n, new) for n in range(ctx.node_count)], dtype=bool)
    return FilterOutcome.from_failures(failed, EXCEEDED)


def _attachable(ctx: CycleContext, claim, warn: bool) -> dict[str, str]:
    """{driver/handle: driver} for one claim (`getCSIDriverInfo`), {} when not counted."""
    storage = ctx.view.storage
    volume = storage.volumes.get(claim.volume_name) if claim.volume_name else None
    if volume is not None:
        if volume.csi_driver:
            return {f"{volume.csi_driver}/{volume.volume_handle}": volume.csi_driver}
        if warn:
            ctx.warn(NAME, f"PersistentVolume {volume.name} has no spec.csi (an in-tree volume, perhaps migrated to "
                           "CSI): not counted")
        return {}
    found = storage.classes.get(claim.storage_class or "")
    if found is None:
        if warn and claim.storage_class:
            ctx.warn(NAME, f"neither the PersistentVolume nor the StorageClass of PersistentVolumeClaim {claim.key} "
                           f"is in the inputs: its volume is not counted against {WHAT}")
        return {}
    return {f"{found.provisioner}/provisioned-{claim.key}": found.provisioner}


def _exceeds(ctx: CycleContext, n: int, new: dict[str, str]) -> bool:
    limits = _limits(ctx, n)
    if not limits:
        return False
    attached: dict[str, str] = {}
    for pod in ctx.view.pods_on(n):
        attached.update(_pod_volumes(ctx, pod))
    wanted: dict[str, int] = {}
    for unique, driver in new.items():
        if unique not in attached:
            wanted[driver] = wanted.get(driver, 0) + 1
    used: dict[str, int] = {}
    for driver in attached.values():
        used[driver] = used.get(driver, 0) + 1
    return any(driver in limits and used.get(driver, 0) + count > limits[driver] for driver, count in wanted.items())


def _pod_volumes(ctx: CycleContext, pod: Pod) -> dict[str, str]:
    """An existing pod's volumes; its claims not found are skipped, as upstream."""
    out: dict[str, str] = {}
    for v in pod.volumes:
        claim = ctx.view.storage.claim(pod.namespace, v.claim_name) if v.kind == "persistentVolumeClaim" else None
        if claim is not None:
            out.update(_attachable(ctx, claim, warn=False))
    return out


def _limits(ctx: CycleContext, n: int) -> dict[str, int]:
    """`getVolumeLimits`: the node's deprecated allocatable keys, overridden by CSINode."""
    node = ctx.view.nodes[n]
    limits = {k.removeprefix(LIMIT_PREFIX): v for k, v in node.allocatable.items() if k.startswith(LIMIT_PREFIX)}
    csi_node = ctx.view.storage.csi_nodes.get(node.name)
    if csi_node is not None:
        limits.update({d: c for d, c in csi_node.limits.items() if c is not None})
    return limits
