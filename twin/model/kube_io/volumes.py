"""Pod-side schemas for the NodePorts and volume plugins: container ports and pod
volumes. A volume's source is recognised by its field name; the sources the plugins
read (persistentVolumeClaim, ephemeral, and the in-tree disks VolumeRestrictions checks)
are typed, every other source is carried as an opaque kind."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from twin.model import objects as obj
from twin.model.kube_io.base import Schema


class ContainerPortSchema(Schema):
    container_port: int = Field(ge=1, le=65535)
    host_port: int = Field(default=0, ge=0, le=65535)
    host_ip: str = ""
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"

    def to_domain(self) -> obj.ContainerPort:
        return obj.ContainerPort(self.container_port, self.host_port, self.host_ip, self.protocol)


class ClaimSourceSchema(Schema):
    claim_name: str
    read_only: bool = False


class EbsSchema(Schema):
    volume_id: str = Field(alias="volumeID")
    read_only: bool = False


class GcePdSchema(Schema):
    pd_name: str
    read_only: bool = False


class IscsiSchema(Schema):
    iqn: str
    read_only: bool = False


class RbdSchema(Schema):
    monitors: list[str]
    image: str
    pool: str = "rbd"
    read_only: bool = False


class VolumeSchema(Schema):
    """`extra="allow"` keeps the other sources' field names, to name the kind."""

    model_config = ConfigDict(extra="allow")

    name: str
    persistent_volume_claim: ClaimSourceSchema | None = None
    ephemeral: dict | None = None
    aws_elastic_block_store: EbsSchema | None = None
    gce_persistent_disk: GcePdSchema | None = None
    iscsi: IscsiSchema | None = None
    rbd: RbdSchema | None = None

    def to_domain(self) -> obj.Volume:
        if self.persistent_volume_claim is not None:
            source = self.persistent_volume_claim
            return obj.Volume(self.name, "persistentVolumeClaim", source.claim_name, source.read_only)
        disk = self._disk()
        if disk is not None:
            return disk
        if self.ephemeral is not None:
            return obj.Volume(self.name, "ephemeral")
        others = sorted(self.model_extra or {})
        return obj.Volume(self.name, others[0] if others else "emptyDir")

    def _disk(self) -> obj.Volume | None:
        if self.aws_elastic_block_store is not None:
            s = self.aws_elastic_block_store
            return obj.Volume(self.name, "awsElasticBlockStore", read_only=s.read_only, disk=(s.volume_id,))
        if self.gce_persistent_disk is not None:
            s = self.gce_persistent_disk
            return obj.Volume(self.name, "gcePersistentDisk", read_only=s.read_only, disk=(s.pd_name,))
        if self.iscsi is not None:
            return obj.Volume(self.name, "iscsi", read_only=self.iscsi.read_only, disk=(self.iscsi.iqn,))
        if self.rbd is not None:
            s = self.rbd
            return obj.Volume(self.name, "rbd", read_only=s.read_only, disk=(tuple(s.monitors), s.pool, s.image))
        return None
