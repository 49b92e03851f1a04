"""The default profile: filter plugins in upstream order (`default_plugins.go`), then the
score plugins. NodePorts and the volume plugins are not modelled (the twin's pods have no
host ports or volumes, for which they always pass); ImageLocality is left out (see
`config.DEFAULT_SCORE_WEIGHTS`)."""

from __future__ import annotations

from twin.model.scheduling.plugins import (
    balanced_allocation,
    inter_pod_affinity,
    node_affinity,
    node_name,
    node_resources_fit,
    node_unschedulable,
    pod_topology_spread,
    taint_toleration,
)

FILTER_PLUGINS = (
    node_unschedulable,
    node_name,
    taint_toleration,
    node_affinity,
    node_resources_fit,
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
)

FILTER_NAMES = tuple(p.NAME for p in FILTER_PLUGINS)
SCORE_NAMES = tuple(p.NAME for p in SCORE_PLUGINS)
