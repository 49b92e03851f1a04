"""`cluster.machine_pools`: ROSA machine pools (`rosa create machinepool`), each one
MachineSet per zone (`twin/model/machines/pools.py` has the rules and their sources).

    cluster:
      generate: {zones: 3, workers_per_zone: 2}
      machine_pools:
        - {name: infra, instance_type: r5.xlarge, replicas: 3,
           labels: {node-role.kubernetes.io/infra: ""},
           taints: [{key: node-role.kubernetes.io/infra, effect: NoSchedule}]}
        - {name: burst, instance_type: m5.2xlarge, autoscaling: {min: 0, max: 12}}
        - {name: single, zones: [us-east-1a], replicas: 2, provision: {median: 3m, p99: 6m}}

Names, taints and bounds that relate to each other or to the cluster (unique names, a
zone the cluster has, Multi-AZ multiples, min <= max) are checked when the scenario loads
(`machine_pools.py`), where the field path can name the exact entry.

A generated cluster's workers are the pool `worker` (fixed, `workers_per_zone` per zone,
not autoscaled); a pool named `worker` here replaces them (then `cluster.generate` sets
no `workers_per_zone` and no `worker`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from twin.model.kube_io import validation as kv
from twin.model.machines.pools import name_problem
from twin.model.objects import NO_SCHEDULE
from twin.model.registry.resources.nodes import DEFAULT_INSTANCE_TYPE
from twin.scenarios.fields import InstanceType, NonNegativeInt32, Seconds, Strict


class PoolTaint(Strict):
    """A taint of the pool's nodes (`rosa create machinepool --taints key=value:Effect`)."""

    key: str
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = NO_SCHEDULE

    @field_validator("key")
    @classmethod
    def qualified_key(cls, key: str) -> str:
        message = kv.expected_qualified_name(key)  # core validateNodeTaints
        if message:
            raise ValueError(message)
        return key

    @field_validator("value")
    @classmethod
    def label_value(cls, value: str) -> str:
        message = kv.expected_label_value(value)
        if message:
            raise ValueError(message)
        return value


class PoolAutoscaling(Strict):
    """`rosa create machinepool --enable-autoscaling --min-replicas --max-replicas`: the
    MachineAutoscaler's bounds, split over the pool's MachineSets."""

    min: NonNegativeInt32
    max: NonNegativeInt32


class Delay(Strict):
    """A log-normal delay given by its median and 99th percentile (p99 >= median)."""

    median: Annotated[Seconds, Field(gt=0)]
    p99: Annotated[Seconds, Field(gt=0)]

    @model_validator(mode="after")
    def p99_above_median(self):
        if self.p99 < self.median:
            raise ValueError(f"p99: expected at least the median ({self.median:g} s), got {self.p99:g} s")
        return self

    def pair(self) -> tuple[float, float]:
        return self.median, self.p99


def pool_name(name: str) -> str:
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    return name


class MachinePoolSpec(Strict):
    name: Annotated[str, AfterValidator(pool_name)]
    instance_type: InstanceType = DEFAULT_INSTANCE_TYPE
    zones: Annotated[list[str], Field(min_length=1)] | None = None
    """None: every zone of the cluster (a Multi-AZ pool); one zone: a Single-AZ pool."""
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[PoolTaint] = Field(default_factory=list)
    replicas: NonNegativeInt32 | None = None
    autoscaling: PoolAutoscaling | None = None
    provision: Delay | None = None
    """Machine created to node registered (default `model/machines/delays.py`)."""
    node_ready: Delay | None = None
    """Node registered to Ready."""

    @model_validator(mode="after")
    def replicas_or_autoscaling(self):
        if (self.replicas is None) == (self.autoscaling is None):
            raise ValueError("expected exactly one of replicas or autoscaling (rosa: replicas can't be set when "
                             "autoscaling is enabled)")
        return self


class ScalePool(Strict):
    """The fault `scale_pool`: `rosa edit machinepool --replicas` on a pool that does not
    autoscale (the replicas are split evenly over its MachineSets)."""

    pool: str
    replicas: NonNegativeInt32
