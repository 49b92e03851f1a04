"""Storage objects the volume plugins read: PersistentVolumes, StorageClasses, CSINodes,
and `StorageObjects`, the listers over them and the claims (PersistentVolumeClaims).

A kind that is absent from the inputs is *unknown*, not empty: `StorageObjects.given`
names the kinds that were supplied, so a plugin can tell "the claim does not exist"
(upstream's NotFound verdict) from "no claims were exported" (a warning).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from twin.model.labels import NodeSelectorTerm
from twin.model.objects import Claim

IMMEDIATE, WAIT_FOR_FIRST_CONSUMER = "Immediate", "WaitForFirstConsumer"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node"
BIND_COMPLETED_ANNOTATION = "pv.kubernetes.io/bind-completed"
READ_WRITE_ONCE_POD = "ReadWriteOncePod"
CLAIM, VOLUME, CLASS, CSI_NODE = "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "CSINode"


@dataclass(frozen=True, slots=True)
class PersistentVolume:
    """`node_affinity` holds `spec.nodeAffinity.required` terms (None when unset);
    `csi_driver`/`volume_handle` come from `spec.csi`; `claim` is `spec.claimRef` as
    namespace/name ("" when unbound)."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    storage_class: str = ""
    access_modes: tuple[str, ...] = ()
    capacity: int = 0
    node_affinity: tuple[NodeSelectorTerm, ...] | None = None
    csi_driver: str = ""
    volume_handle: str = ""
    claim: str = ""
    phase: str = "Available"


@dataclass(frozen=True, slots=True)
class TopologyTerm:
    """One StorageClass `allowedTopologies` term: key -> allowed values, all must match."""

    requirements: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(key) in values for key, values in self.requirements)


@dataclass(frozen=True, slots=True)
class StorageClass:
    """`binding_mode` None is a class without `volumeBindingMode` (the apiserver
    defaults it to Immediate; VolumeZone treats a missing one as an error)."""

    name: str
    provisioner: str = ""
    binding_mode: str | None = IMMEDIATE
    allowed_topologies: tuple[TopologyTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class CSINode:
    """Per CSI driver on the node, `spec.drivers[].allocatable.count` (None when unset)."""

    name: str
    limits: Mapping[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StorageObjects:
    claims: Mapping[tuple[str, str], Claim] = field(default_factory=dict)
    volumes: Mapping[str, PersistentVolume] = field(default_factory=dict)
    classes: Mapping[str, StorageClass] = field(default_factory=dict)
    csi_nodes: Mapping[str, CSINode] = field(default_factory=dict)
    given: frozenset[str] = frozenset()

    @staticmethod
    def of(claims: Iterable[Claim] = (), volumes: Iterable[PersistentVolume] = (),
           classes: Iterable[StorageClass] = (), csi_nodes: Iterable[CSINode] = (),
           given: Iterable[str] | None = None) -> StorageObjects:
        """Build the listers; `given` defaults to the kinds that have at least one object."""
        claims, volumes, classes, csi_nodes = list(claims), list(volumes), list(classes), list(csi_nodes)
        if given is None:
            given = [kind for kind, items in ((CLAIM, claims), (VOLUME, volumes), (CLASS, classes),
                                              (CSI_NODE, csi_nodes)) if items]
        return StorageObjects(
            {(c.namespace, c.name): c for c in claims}, {v.name: v for v in volumes},
            {c.name: c for c in classes}, {c.name: c for c in csi_nodes}, frozenset(given),
        )

    def claim(self, namespace: str, name: str) -> Claim | None:
        return self.claims.get((namespace, name))


NO_STORAGE = StorageObjects()
