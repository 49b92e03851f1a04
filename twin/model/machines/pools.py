"""Machine pools as ROSA (Classic) defines them, and the MachineSets they make.

Sources (openshift/rosa @ d80ba251c0ddf8c8b67716ea7de0a12ce4fc4af3):

* pool names: `pkg/machinepool/machinepool.go` `machinePoolKeyRE`
  `^[a-z]([-a-z0-9]*[a-z0-9])?$` ("expected a valid name for the machine pool");
* replica counts: `pkg/machinepool/helper.go` `MinReplicaValidator` /
  `MaxReplicaValidator` (replicas and min-replicas >= 0; max-replicas > 0 and >=
  min-replicas; on a Multi-AZ pool each must be a multiple of 3: "multi AZ clusters
  require that the replicas be a multiple of 3"), `validateClusterVersionWithMaxNodesLimit`
  (at most 249 on Classic from 4.14.14, `pkg/ocm/versions.go` `ClassicMaxNodeSize249Support`;
  the twin models 4.21 to 4.23), and `machinepool.go` `editMachinePool` (the same
  multiple-of-3 rule for `rosa edit machinepool`);
* Multi-AZ or not: `machinepool.go` `isMultiAZMachinePool` (a pool is Single-AZ when it
  has exactly one availability zone); a Single-AZ pool in a Multi-AZ cluster is made with
  `--availability-zone`, which must be one of the cluster's zones ("availability zone
  '%s' doesn't belong to the cluster's availability zones");
* one MachineSet per zone: OpenShift Dedicated docs, "Machine pools in multiple zone
  clusters" (a Multi-AZ pool "creates a total of 3 machine sets - one machine set for
  each zone in the cluster"); ROSA docs `rosa-nodes-machinepools-about` ("compute machine
  sets that are all clones of the same configuration across availability zones").

ASSUMPTION (the split is made by OCM's backend, whose code is not public): a Multi-AZ
pool's replicas, min and max are divided evenly over its zones (`replicas / zones` per
MachineSet), which the multiple-of-3 rule makes exact; openshift-docs
`rosa-sdpolicy-instance-types.adoc` before PR #87081 said additional nodes "must be
purchased in multiples of three to maintain proper node distribution". ROSA's Multi-AZ
clusters have exactly 3 zones; the twin's generated clusters may have other counts, so
the rule is read as "a multiple of the pool's zone count" (3 on ROSA).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from twin.model.objects import Node

POOL_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MAX_POOL_REPLICAS = 249
"""ROSA Classic's limit on a pool's replicas (max-replicas) from 4.14.14."""
DEFAULT_POOL = "worker"
"""The pool ROSA creates with the cluster; the generated cluster's workers form it."""


@dataclass(frozen=True, slots=True)
class MachinePool:
    """One machine pool: `replicas` when fixed, `min_replicas`/`max_replicas` when it
    autoscales (then `replicas` is the size it starts with: min). `templates`: per zone,
    a Node as a new machine of the pool registers (named after its MachineSet).
    `provision` / `node_ready`: (median, p99) seconds from machine created to node
    registered, and from registered to Ready (`delays.py`)."""

    name: str
    instance_type: str
    zones: tuple[str, ...]
    replicas: int
    templates: tuple[Node, ...]
    min_replicas: int | None = None
    max_replicas: int | None = None
    provision: tuple[float, float] | None = None
    node_ready: tuple[float, float] | None = None

    @property
    def autoscaled(self) -> bool:
        return self.min_replicas is not None

    @property
    def multi_az(self) -> bool:
        return len(self.zones) > 1


@dataclass(frozen=True, slots=True)
class MachineSetSpec:
    """One MachineSet of a pool: `id` `<pool>-<zone>`, its starting `replicas` and its
    MachineAutoscaler bounds (equal to replicas when the pool does not autoscale)."""

    id: str
    pool: str
    zone: str
    replicas: int
    min_size: int
    max_size: int
    template: Node
    instance_type: str
    autoscaled: bool


def machine_set_name(pool: str, zone: str) -> str:
    """`<pool>-<zone>`, e.g. `worker-us-east-1a` (ROSA names them
    `<infra-id>-<pool>-<zone>`; the twin has no infra id)."""
    return f"{pool}-{zone}"


def machine_name(machine_set: str, index: int) -> str:
    """The twin names a machine (and its node) `<machineset>-<index>`, so the generated
    workers `worker-<zone>-<i>` are the default pool's machines."""
    return f"{machine_set}-{index}"


def split(total: int, zones: int) -> int:
    """Each MachineSet's share of a pool's count (an even split).

    >>> split(6, 3), split(0, 3), split(2, 1)
    (2, 0, 2)
    """
    return total // zones


def machine_sets(pool: MachinePool) -> list[MachineSetSpec]:
    """The pool's MachineSets, one per zone in the pool's zone order."""
    n = len(pool.zones)
    low = split(pool.min_replicas, n) if pool.autoscaled else split(pool.replicas, n)
    high = split(pool.max_replicas, n) if pool.autoscaled else split(pool.replicas, n)
    return [MachineSetSpec(machine_set_name(pool.name, zone), pool.name, zone, split(pool.replicas, n), low, high,
                           template, pool.instance_type, pool.autoscaled)
            for zone, template in zip(pool.zones, pool.templates)]


def name_problem(name: str) -> str | None:
    if POOL_NAME.match(name):
        return None
    return (f"expected a machine pool name of lower-case letters, digits and '-', starting with a letter and not "
            f"ending with '-' (rosa: ^[a-z]([-a-z0-9]*[a-z0-9])?$), got {name!r}")


def replicas_problem(count: int, zones: int, what: str = "replicas") -> str | None:
    """What `rosa` says of a replica count (replicas, min or max) of a pool over `zones`
    zones, or None.

    >>> replicas_problem(4, 3)
    'expected a multiple of 3 on a Multi-AZ pool over 3 zones (rosa: multi AZ clusters require that the replicas be a multiple of 3), got 4'
    >>> replicas_problem(4, 1) is None
    True
    """
    if count < 0:
        return f"expected {what} that is not negative (rosa: replicas must be a non-negative integer), got {count}"
    if count > MAX_POOL_REPLICAS:
        return (f"expected at most {MAX_POOL_REPLICAS} (rosa: the limit of a ROSA Classic machine pool), got {count}")
    if zones > 1 and count % zones:
        return (f"expected a multiple of {zones} on a Multi-AZ pool over {zones} zones (rosa: multi AZ clusters "
                f"require that the replicas be a multiple of 3), got {count}")
    return None


def bounds_problem(low: int, high: int) -> str | None:
    """`rosa`'s checks of autoscaling bounds that hold whatever the zones.

    >>> bounds_problem(3, 0)
    'max: expected more than zero (rosa: max-replicas must be greater than zero), got 0'
    >>> bounds_problem(6, 3)
    'max: expected at least min (rosa: max-replicas must be greater or equal to min-replicas), got min 6 and max 3'
    """
    if high <= 0:
        return f"max: expected more than zero (rosa: max-replicas must be greater than zero), got {high}"
    if low > high:
        return (f"max: expected at least min (rosa: max-replicas must be greater or equal to min-replicas), "
                f"got min {low} and max {high}")
    return None
