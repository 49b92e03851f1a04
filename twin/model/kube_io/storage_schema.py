"""Schemas for the storage objects `--objects` may carry for the volume plugins:
PersistentVolume, StorageClass (storage.k8s.io/v1) and CSINode (storage.k8s.io/v1).
PersistentVolumeClaims are in `schema.ClaimSchema`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from twin.model import storage as st
from twin.model.kube_io.base import Schema
from twin.model.kube_io.schema import (
    AccessMode,
    NodeSelectorSchema,
    ObjectMeta,
    ResourceList,
    to_units,
)


class VolumeNodeAffinitySchema(Schema):
    required: NodeSelectorSchema | None = None


class CsiSourceSchema(Schema):
    driver: str
    volume_handle: str


class ClaimRefSchema(Schema):
    name: str = ""
    namespace: str = ""


class PersistentVolumeSpecSchema(Schema):
    storage_class_name: str = ""
    access_modes: list[AccessMode] | None = None
    capacity: ResourceList | None = None
    node_affinity: VolumeNodeAffinitySchema | None = None
    csi: CsiSourceSchema | None = None
    claim_ref: ClaimRefSchema | None = None


class PersistentVolumeStatusSchema(Schema):
    phase: Literal["Pending", "Available", "Bound", "Released", "Failed"] = "Available"


class PersistentVolumeSchema(Schema):
    metadata: ObjectMeta
    spec: PersistentVolumeSpecSchema = Field(default_factory=PersistentVolumeSpecSchema)
    status: PersistentVolumeStatusSchema | None = None

    def to_domain(self) -> st.PersistentVolume:
        spec = self.spec
        required = spec.node_affinity.required if spec.node_affinity else None
        ref = spec.claim_ref
        return st.PersistentVolume(
            self.metadata.name, dict(self.metadata.labels or {}), spec.storage_class_name,
            tuple(spec.access_modes or ()), to_units(spec.capacity).get("storage", 0),
            None if required is None else tuple(t.to_domain() for t in required.node_selector_terms),
            spec.csi.driver if spec.csi else "", spec.csi.volume_handle if spec.csi else "",
            f"{ref.namespace}/{ref.name}" if ref and ref.name else "",
            self.status.phase if self.status else "Available",
        )


class TopologySelectorRequirementSchema(Schema):
    key: str
    values: list[str]


class TopologySelectorTermSchema(Schema):
    match_label_expressions: list[TopologySelectorRequirementSchema] | None = None

    def to_domain(self) -> st.TopologyTerm:
        return st.TopologyTerm(tuple((r.key, tuple(r.values)) for r in self.match_label_expressions or ()))


class StorageClassSchema(Schema):
    metadata: ObjectMeta
    provisioner: str
    volume_binding_mode: Literal["Immediate", "WaitForFirstConsumer"] | None = None
    allowed_topologies: list[TopologySelectorTermSchema] | None = None

    def to_domain(self) -> st.StorageClass:
        return st.StorageClass(
            self.metadata.name, self.provisioner, self.volume_binding_mode or st.IMMEDIATE,  # apiserver default
            tuple(t.to_domain() for t in self.allowed_topologies or ()),
        )


class VolumeNodeResourcesSchema(Schema):
    count: int | None = Field(default=None, ge=0)


class CSINodeDriverSchema(Schema):
    name: str
    allocatable: VolumeNodeResourcesSchema | None = None


class CSINodeSpecSchema(Schema):
    drivers: list[CSINodeDriverSchema] | None = None


class CSINodeSchema(Schema):
    metadata: ObjectMeta
    spec: CSINodeSpecSchema = Field(default_factory=CSINodeSpecSchema)

    def to_domain(self) -> st.CSINode:
        drivers = self.spec.drivers or ()
        return st.CSINode(self.metadata.name, {d.name: d.allocatable.count if d.allocatable else None for d in drivers})
