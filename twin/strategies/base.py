"""Constants of the shared alphabet, `GeneratedCluster`, and the drawing primitives
(cached basic strategies) the other strategy modules build on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hypothesis import strategies as st

from twin.model.objects import (
    HOSTNAME_KEY,
    REGION_KEY,
    UNSCHEDULABLE_TAINT_KEY,
    WORKER_ROLE_KEY,
    ZONE_KEY,
    Node,
    Pod,
)

LABEL_KEYS = ("app", "tier", "docker-registry")
LABEL_VALUES = ("a", "b", "default")
NAMESPACES = ("default", "openshift-image-registry", "apps")
NAMESPACE_NAME_KEY = "kubernetes.io/metadata.name"
MASTER_ROLE_KEY = "node-role.kubernetes.io/master"
TAINT_KEYS = ("dedicated", "example.com/gpu", "maintenance")
TOLERATION_KEYS = TAINT_KEYS + (MASTER_ROLE_KEY, UNSCHEDULABLE_TAINT_KEY)
SPREAD_KEYS = (HOSTNAME_KEY, ZONE_KEY, WORKER_ROLE_KEY, REGION_KEY)
ZONES = tuple(f"zone-{letter}" for letter in "abcdefghijklmnopqrstuvwxyz")
WORKLOAD_KINDS = ("ReplicaSet", "StatefulSet", "Deployment", "ReplicationController")
OWNER_NAMES = ("rs-a", "rs-b", "image-registry-5d8f")
DELETION_TIMESTAMP = "2024-05-01T12:00:00Z"
NODE_LABEL_VALUES = {
    HOSTNAME_KEY: ("node-a-0", "node-a-1", "node-b-0", "node-c-0"),
    ZONE_KEY: ZONES[:4],
    REGION_KEY: ("region-1", "region-2"),
    WORKER_ROLE_KEY: ("",),
}
Mi, Gi = 2**20, 2**30


@dataclass(frozen=True)
class GeneratedCluster:
    """Nodes and the pods already bound to them (some terminating)."""

    nodes: tuple[Node, ...]
    pods: tuple[Pod, ...]

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)


def _strategy(draw_fn):
    """`draw_fn(draw, *args)` as a public strategy factory named without the `_draw_`."""
    draw_fn.__name__ = draw_fn.__qualname__ = draw_fn.__name__.removeprefix("_draw_")  # repr: clusters(...)
    return st.composite(draw_fn)


# --- drawing primitives (cached strategies only) ----------------------------------


@lru_cache(maxsize=None)
def _choice(options: tuple):
    return st.sampled_from(options)


def _pick(draw, options):
    return draw(_choice(tuple(options)))


@lru_cache(maxsize=None)
def _integers(low: int, high: int):
    return st.integers(low, high)


def _int(draw, low: int, high: int) -> int:
    return draw(_integers(low, high))


def _chance(draw, one_in: int) -> bool:
    """True about once in `one_in` draws."""
    return _int(draw, 1, one_in) == 1


def _some(draw, draw_one, max_size: int, min_size: int = 0) -> list:
    return [draw_one(draw) for _ in range(_int(draw, min_size, max_size))]


def _unique(items, key=lambda item: item) -> list:
    """`items` without later duplicates under `key`, order kept."""
    seen, out = set(), []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
    return out


