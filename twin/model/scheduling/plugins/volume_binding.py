"""VolumeBinding: claims must be bound, or bindable on the node (upstream
`pkg/scheduler/framework/plugins/volumebinding/volume_binding.go` and `binder.go`,
Kubernetes 1.34–1.36).

PreFilter (a failure is UnschedulableAndUnresolvable on every node): no
persistentVolumeClaim volume -> Skip; a claim not found (`persistentvolumeclaim "x" not
found`) or being deleted; a claim not fully bound (`spec.volumeName` plus the
`pv.kubernetes.io/bind-completed` annotation) whose class is not WaitForFirstConsumer,
or that is prebound -> "pod has unbound immediate PersistentVolumeClaims".

Filter (`FindPodVolumes`), UnschedulableAndUnresolvable with the reasons in upstream
order: a bound claim whose PV's required node affinity excludes the node -> "node(s) had
volume node affinity conflict", whose PV does not exist -> "node(s) unavailable due to
one or more pvc(s) bound to non-existent pv(s)"; a WaitForFirstConsumer claim that
selected another node, or that no Available PV of its class can take on this node
(capacity, access modes, node affinity) and whose class cannot provision here (no
provisioner, `kubernetes.io/no-provisioner`, or `allowedTopologies` not matching) ->
"node(s) didn't find available persistent volumes to bind".

Not modelled, with a warning: CSIStorageCapacity ("node(s) did not have enough free
storage"), generic ephemeral volumes, claim label selectors and volume modes; the
PreFilterResult that narrows nodes for local (hostname-pinned) PVs, for which upstream
names excluded nodes "node(s) didn't satisfy plugin(s) [VolumeBinding]". The
StorageCapacityScoring score is alpha (off by default) and not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.model.labels import terms_match
from twin.model.objects import Claim, Node
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins.storage_lookup import (
    claim_names,
    find_claim,
    find_class,
    find_volume,
    warn_ephemeral,
)
from twin.model.scheduling.status import PASS, UNRESOLVABLE, FilterOutcome, Status
from twin.model.storage import (
    BIND_COMPLETED_ANNOTATION,
    NO_PROVISIONER,
    SELECTED_NODE_ANNOTATION,
    WAIT_FOR_FIRST_CONSUMER,
    PersistentVolume,
)

NAME = "VolumeBinding"
UNBOUND_IMMEDIATE = Status(UNRESOLVABLE, ("pod has unbound immediate PersistentVolumeClaims",))
NODE_CONFLICT = "node(s) had volume node affinity conflict"
BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
WHAT = "volume binding"


@dataclass
class PodClaims:
    bound: list[Claim] = field(default_factory=list)
    delayed: list[Claim] = field(default_factory=list)


def filter(ctx: CycleContext) -> FilterOutcome | None:
    warn_ephemeral(ctx, NAME)
    if not claim_names(ctx.pod):
        return None
    claims = pod_claims(ctx)
    if isinstance(claims, Status):
        return FilterOutcome.everywhere(ctx.node_count, claims)
    if not claims.bound and not claims.delayed:
        return None
    reasons = [_reasons(ctx, claims, node) for node in ctx.view.nodes]
    distinct = sorted({r for r in reasons if r})
    index = {(): 0, **{r: i + 1 for i, r in enumerate(distinct)}}
    table = (PASS, *(Status(UNRESOLVABLE, r) for r in distinct))
    return FilterOutcome(np.array([index[r] for r in reasons], dtype=np.int64), table)


def pod_claims(ctx: CycleContext) -> PodClaims | Status:
    """`podHasPVCs` + `GetPodVolumeClaims`: the bound and the WaitForFirstConsumer claims,
    or the PreFilter failure."""
    known = []
    for name in claim_names(ctx.pod):
        claim, rejection = find_claim(ctx, NAME, name, WHAT)
        if rejection is not None:
            return rejection
        if claim is not None and claim.deleting:
            return Status(UNRESOLVABLE, (f'persistentvolumeclaim "{name}" is being deleted',))
        if claim is not None:
            known.append(claim)
    found = PodClaims()
    for claim in known:
        if claim.volume_name and BIND_COMPLETED_ANNOTATION in claim.annotations:
            found.bound.append(claim)
            continue
        delayed = _delayed(ctx, claim)
        if delayed is None:
            continue
        if delayed and not claim.volume_name:
            found.delayed.append(claim)
        else:
            if claim.volume_name:
                ctx.warn(NAME, f"PersistentVolumeClaim {claim.key} has spec.volumeName but no {BIND_COMPLETED_ANNOTATION} "
                               "annotation: kube-scheduler takes it as prebound, not yet bound")
            return UNBOUND_IMMEDIATE
    return found


def _delayed(ctx: CycleContext, claim: Claim) -> bool | None:
    """`IsDelayBindingMode`: no class or a class not found -> Immediate; None when the
    classes are unknown (warned)."""
    if not claim.storage_class:
        return False
    found, missing = find_class(ctx, NAME, claim.storage_class, WHAT)
    if found is None:
        return False if missing else None
    return found.binding_mode == WAIT_FOR_FIRST_CONSUMER


def _reasons(ctx: CycleContext, claims: PodClaims, node: Node) -> tuple[str, ...]:
    bound_ok, pvs_found = _check_bound(ctx, claims.bound, node)
    unbound_ok = _check_unbound(ctx, claims.delayed, node) if claims.delayed else True
    return tuple(reason for ok, reason in ((bound_ok, NODE_CONFLICT), (unbound_ok, BIND_CONFLICT),
                                           (pvs_found, PV_NOT_EXIST)) if not ok)


def _check_bound(ctx: CycleContext, bound: list[Claim], node: Node) -> tuple[bool, bool]:
    """`checkBoundClaims`: stops at the first failing claim."""
    for claim in bound:
        volume, missing = find_volume(ctx, NAME, claim.volume_name, WHAT)
        if missing:
            return True, False
        if volume is not None and not _affinity_ok(volume, node):
            return False, True
    return True, True


def _affinity_ok(volume: PersistentVolume, node: Node) -> bool:
    return volume.node_affinity is None or terms_match(volume.node_affinity, node.name, node.labels)


def _check_unbound(ctx: CycleContext, delayed: list[Claim], node: Node) -> bool:
    to_match = []
    for claim in delayed:
        selected = claim.annotations.get(SELECTED_NODE_ANNOTATION)
        if selected is not None and selected != node.name:
            return False
        if selected is None:
            to_match.append(claim)
    chosen: set[str] = set()
    to_provision = [c for c in sorted(to_match, key=lambda c: c.storage_request) if not _match(ctx, c, node, chosen)]
    to_provision += [c for c in delayed if SELECTED_NODE_ANNOTATION in c.annotations]
    return all(_can_provision(ctx, claim, node) for claim in to_provision)


def _match(ctx: CycleContext, claim: Claim, node: Node, chosen: set[str]) -> bool:
    """`FindMatchingVolume` (smallest fitting Available PV of the class), simplified: no
    label selector or volume mode."""
    candidates = [v for v in ctx.view.storage.volumes.values()
                  if v.name not in chosen and _fits(v, claim, node)]
    if not candidates:
        return False
    chosen.add(min(candidates, key=lambda v: (v.capacity, v.name)).name)
    return True


def _fits(volume: PersistentVolume, claim: Claim, node: Node) -> bool:
    if volume.claim and volume.claim != claim.key:
        return False
    if not volume.claim and volume.phase != "Available":
        return False
    return (volume.storage_class == (claim.storage_class or "") and volume.capacity >= claim.storage_request
            and set(claim.access_modes) <= set(volume.access_modes) and _affinity_ok(volume, node))


def _can_provision(ctx: CycleContext, claim: Claim, node: Node) -> bool:
    """`checkVolumeProvisions`; storage capacity is not modelled (warned)."""
    found, _ = find_class(ctx, NAME, claim.storage_class or "", WHAT)
    if found is None:
        return True
    if not found.provisioner or found.provisioner == NO_PROVISIONER:
        return False
    if found.allowed_topologies and not any(t.matches(node.labels) for t in found.allowed_topologies):
        return False
    ctx.warn(NAME, f"PersistentVolumeClaim {claim.key} would be provisioned by {found.provisioner}: its storage "
                   "capacity on the node (CSIStorageCapacity) is not modelled, taken as sufficient")
    return True
