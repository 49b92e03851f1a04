"""Hypothesis strategies for the twin's Kubernetes objects: a public, shared test API.

Property tests across the project draw their clusters and pods from here, so that every
test speaks about the same kind of cluster: zones `zone-a`, `zone-b`, ...; nodes
`node-a-0`, `node-a-1`, ... whose `kubernetes.io/hostname` is their name; pod labels and
selectors over one small alphabet (keys `app`, `tier`, `docker-registry`; values `a`,
`b`, `default`) so that selectors actually match pods. Every generated object passes
Kubernetes API validation (no `matchLabelKeys` without a selector, no `minDomains` with
ScheduleAnyway, distinct (topologyKey, whenUnsatisfiable) pairs, ...).

Example::

    from hypothesis import given
    from twin import strategies as ts

    @given(ts.clusters(max_zones=3), ts.incoming_pods())
    def test_a_placed_pod_fits_its_node(cluster, pod):
        ...  # cluster.nodes, cluster.pods (bound, some terminating), pod (unbound)

Everything is drawn through Hypothesis (never `random`), so examples shrink and replay.
Internally each strategy is a `_draw_*` function over cached primitive strategies:
building fresh strategy objects inside a draw costs more than the draw itself.
"""

from twin.strategies.base import (  # noqa: F401
    DELETION_TIMESTAMP,
    LABEL_KEYS,
    LABEL_VALUES,
    MASTER_ROLE_KEY,
    NAMESPACE_NAME_KEY,
    NAMESPACES,
    NODE_LABEL_VALUES,
    OWNER_NAMES,
    SPREAD_KEYS,
    TAINT_KEYS,
    TOLERATION_KEYS,
    ZONES,
    GeneratedCluster,
)
from twin.strategies.cluster import allocatables, clusters, nodes  # noqa: F401
from twin.strategies.labels import (  # noqa: F401
    label_maps,
    label_selectors,
    node_selector_terms,
    requirements,
    taints,
    tolerations,
)
from twin.strategies.others import namespace_objects, services, workloads  # noqa: F401
from twin.strategies.pods import (  # noqa: F401
    affinities,
    existing_pods,
    incoming_pod_lists,
    incoming_pods,
    node_affinities,
    pod_affinities,
    pod_affinity_terms,
    requests,
    spread_constraints,
)
from twin.strategies.registry import openshift_versions, registry_configs  # noqa: F401
from twin.strategies.scenarios import (  # noqa: F401
    cluster_nodes,
    fault_timelines,
    registry_config_bodies,
    scenarios,
)
from twin.strategies.traffic import request_limits, traffic_config_bodies, traffic_scenarios  # noqa: F401
