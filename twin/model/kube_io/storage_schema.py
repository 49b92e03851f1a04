"""Schemas for the storage objects `--objects` may carry for the volume plugins:
PersistentVolume, StorageClass (storage.k8s.io/v1) and CSINode (storage.k8s.io/v1).
PersistentVolumeClaims are in `schema.ClaimSchema`. The API server's validation of these
fields (`validation.py`) applies: names, node affinity, topology terms, the provisioner
and CSI driver names."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from twin.model import storage as st
from twin.model.kube_io import validation as v
from twin.model.kube_io.base import Schema
from twin.model.kube_io.schema import (
    AccessMode,
    QualifiedName,
    NodeSelectorSchema,
    ObjectMeta,
    ResourceList,
    Subdomain,
    TopLevel,
    to_units,
)
from twin.model.quoting import shown


class VolumeNodeAffinitySchema(Schema):
    """core validateVolumeNodeAffinity: `required` must be given (and is a valid
    ValidateNodeSelector)."""

    required: NodeSelectorSchema | None = None

    @model_validator(mode="after")
    def _required(self):
        if self.required is None:
            v.refuse(("required",), "expected required node constraints (nodeAffinity without required is refused)")
        return self


def csi_driver_name(name: str) -> str:
    """storage validateCSIDriverName: at most 63 bytes, a DNS subdomain once lower-cased."""
    problem = ("must be no more than 63 bytes" if len(name.encode()) > v.CSI_DRIVER_NAME_MAX
               else v.dns1123_subdomain_problem(name.lower()) if name else "must be non-empty")
    if problem:
        raise ValueError(f"expected a CSI driver name such as ebs.csi.aws.com ({problem}), got {shown(name)}")
    return name


CsiDriverName = Annotated[str, AfterValidator(csi_driver_name)]


class CsiSourceSchema(Schema):
    driver: CsiDriverName
    volume_handle: str


class ClaimRefSchema(Schema):
    name: str = ""
    namespace: str = ""


class PersistentVolumeSpecSchema(Schema):
    storage_class_name: Subdomain = ""
    access_modes: list[AccessMode] | None = None
    capacity: ResourceList | None = None
    node_affinity: VolumeNodeAffinitySchema | None = None
    csi: CsiSourceSchema | None = None
    claim_ref: ClaimRefSchema | None = None


class PersistentVolumeStatusSchema(Schema):
    phase: Literal["Pending", "Available", "Bound", "Released", "Failed"] = "Available"


class PersistentVolumeSchema(TopLevel):
    """core ValidatePersistentVolume: a DNS-subdomain name, capacity not negative, node
    affinity as above."""

    KIND = "PersistentVolume"

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
    """core validateTopologySelectorLabelRequirement: a label key, at least one value,
    no value twice."""

    key: QualifiedName
    values: list[str]

    @field_validator("values")
    @classmethod
    def _values(cls, values: list[str]) -> list[str]:
        if not values:
            raise ValueError("expected at least one value, got none")
        for i, value in enumerate(values):
            if value in values[:i]:
                v.refuse((i,), f"expected each value once, got a second {value!r}", value)
        return values


class TopologySelectorTermSchema(Schema):
    """core ValidateTopologySelectorTerm: no key twice."""

    match_label_expressions: list[TopologySelectorRequirementSchema] | None = None

    @field_validator("match_label_expressions")
    @classmethod
    def _keys_once(cls, requirements):
        keys = [r.key for r in requirements or ()]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                v.refuse((i, "key"), f"expected each key once in a term, got a second {key!r}", key)
        return requirements

    def to_domain(self) -> st.TopologyTerm:
        return st.TopologyTerm(tuple((r.key, tuple(r.values)) for r in self.match_label_expressions or ()))


def provisioner_name(name: str) -> str:
    """storage validateProvisioner: required, a qualified name once lower-cased."""
    message = v.expected_qualified_name(name.lower(), "a provisioner name") if name else (
        "expected a provisioner name such as ebs.csi.aws.com, got ''")
    if message:
        raise ValueError(message.rsplit(", got ", 1)[0] + f", got {shown(name)}")
    return name


class StorageClassSchema(TopLevel):
    """storage ValidateStorageClass: a DNS-subdomain name (ValidateClassName), the
    provisioner, allowedTopologies terms (validateAllowedTopologies)."""

    KIND = "StorageClass"

    metadata: ObjectMeta
    provisioner: Annotated[str, AfterValidator(provisioner_name)]
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
    name: CsiDriverName
    allocatable: VolumeNodeResourcesSchema | None = None


class CSINodeSpecSchema(Schema):
    """storage ValidateCSINode: driver names valid and unique."""

    drivers: list[CSINodeDriverSchema] | None = None

    @field_validator("drivers")
    @classmethod
    def _unique(cls, drivers):
        names = [d.name for d in drivers or ()]
        for i, name in enumerate(names):
            if name in names[:i]:
                v.refuse((i, "name"), f"expected each driver once, got a second {name!r}", name)
        return drivers


class CSINodeSchema(TopLevel):
    """A CSINode is named after its node (a DNS subdomain)."""

    KIND = "CSINode"

    metadata: ObjectMeta
    spec: CSINodeSpecSchema = Field(default_factory=CSINodeSpecSchema)

    def to_domain(self) -> st.CSINode:
        drivers = self.spec.drivers or ()
        return st.CSINode(self.metadata.name, {d.name: d.allocatable.count if d.allocatable else None for d in drivers})
