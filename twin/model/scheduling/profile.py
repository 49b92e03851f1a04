"""The default profile (`pkg/scheduler/apis/config/v1/default_plugins.go`, Kubernetes
1.34–1.36): filter plugins in upstream order, then the score plugins. Left out:
SchedulingGates, PrioritySort (the simulation's queue), DefaultPreemption (the PostFilter
in `preemption/`), DefaultBinder (not part of a cycle's verdicts) and DynamicResources
(DRA is not modelled); VolumeBinding's score runs only with the alpha
StorageCapacityScoring gate."""

from __future__ import annotations

from twin.model.scheduling.plugins import (
    balanced_allocation,
    image_locality,
    inter_pod_affinity,
    node_affinity,
    node_name,
    node_ports,
    node_resources_fit,
    node_unschedulable,
    node_volume_limits,
    pod_topology_spread,
    taint_toleration,
    volume_binding,
    volume_restrictions,
    volume_zone,
)

FILTER_PLUGINS = (
    node_unschedulable,
    node_name,
    taint_toleration,
    node_affinity,
    node_ports,
    node_resources_fit,
    volume_restrictions,
    node_volume_limits,
    volume_binding,
    volume_zone,
    pod_topology_spread,
    inter_pod_affinity,
)

SCORE_PLUGINS = (
    taint_toleration,
    node_affinity,
    node_resources_fit,
    pod_topology_spread,
    inter_pod_affinity,
    balanced_allocation,
    image_locality,
)

FILTER_NAMES = tuple(p.NAME for p in FILTER_PLUGINS)
SCORE_NAMES = tuple(p.NAME for p in SCORE_PLUGINS)
