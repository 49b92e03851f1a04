"""`ClusterView`: the scheduler cache of the twin.

It holds the nodes and the *bound* pods (pending pods live in the scheduling queue), plus
the Services, owners, Namespaces and storage objects (`twin.model.storage`) that some
plugins read. Decisions read it; the shell
changes it through `add_pod` / `remove_pod` / `replace_pod` / node methods, which keep
the indexes (resource columns, spread counts) up to date incrementally, as kube-scheduler
updates its snapshot instead of copying the cluster for every pod.

`generation` identifies the view's state: every change through those methods, a new
`storage`, and every copy take a number no view has had before, so two reads that see
the same `generation` saw the same cluster (the scheduler reuses a failed cycle's filter
pass on that ground, `twin/model/scheduling/reuse.py`). The Services, owners and
Namespaces are read-only once the view is built.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

import numpy as np

from twin.model.cluster.columns import LabelColumn, ResourceColumns
from twin.model.cluster.counting import PER_NODE, CountIndex, CountKey, CountRegistry
from twin.model.cluster.order import node_tree_order
from twin.model.cluster.pernode import ChangeLog, PerNodeArray, carried
from twin.model.objects import Namespace, Node, Pod, Service, Workload
from twin.model.storage import NO_STORAGE, StorageObjects

_GENERATIONS = count(1)


class ClusterView:
    def __init__(
        self,
        nodes: Iterable[Node] = (),
        pods: Iterable[Pod] = (),
        services: Iterable[Service] = (),
        workloads: Iterable[Workload] = (),
        namespaces: Iterable[Namespace] = (),
        storage: StorageObjects | None = None,
    ) -> None:
        self.storage = storage or NO_STORAGE
        self.services = list(services)
        self.workloads = {(w.kind, w.namespace, w.name): w for w in workloads}
        self.namespaces = {ns.name: ns for ns in namespaces}
        self._pods: dict[str, tuple[Pod, int]] = {}
        self._with_affinity: dict[str, tuple[Pod, int]] = {}
        self._counts = CountRegistry()
        self._set_nodes(list(nodes))
        for pod in pods:
            self.add_pod(pod)

    def __setstate__(self, state: dict) -> None:
        """Unpickled or deep-copied: a generation of its own (the counter is per process)."""
        self.__dict__.update(state)
        self.generation = next(_GENERATIONS)

    @property
    def storage(self) -> StorageObjects:
        return self._storage

    @storage.setter
    def storage(self, storage: StorageObjects) -> None:
        self._storage = storage
        self.generation = next(_GENERATIONS)

    # ----- nodes -------------------------------------------------------------------
    def _set_nodes(self, nodes: list[Node]) -> None:
        self.generation = next(_GENERATIONS)
        self.nodes = nodes
        self.node_names = [node.name for node in nodes]
        self.node_index = {name: n for n, name in enumerate(self.node_names)}
        if len(self.node_index) != len(nodes):
            raise ValueError("node names must be unique")
        self.resources = ResourceColumns(nodes)
        self.changes = ChangeLog()
        self._on_node: list[dict[str, Pod]] = [{} for _ in nodes]
        self._node_changed()
        for key, (pod, _) in list(self._pods.items()):
            self._pods.pop(key)
            self._with_affinity.pop(key, None)
            self._bind_index(pod, self.node_index[pod.node_name])

    def _node_changed(self) -> None:
        self._label_cache: dict[Hashable, Any] = {}  # from labels, names, order, resources
        self._cache: dict[Hashable, Any] = {}  # the rest (taints, unschedulable, ...)
        self._counts.clear()

    def _taints_changed(self) -> None:
        """Only taints, `unschedulable` or Ready changed: keep what depends on labels and
        resources alone, and the count indexes whose eligible nodes ignore taints."""
        self._cache = {}
        self._counts.drop(lambda key: key.eligibility[2] is not None)

    def add_node(self, node: Node) -> None:
        """Append a node: the pods stay where they are, their requests are carried over
        (no pass over the pods as `_set_nodes` makes)."""
        self._adopt(self.nodes + [node], self.resources, self._on_node + [{}], np.arange(len(self.nodes)))

    def _adopt(self, nodes: list[Node], resources: ResourceColumns, on_node: list[dict[str, Pod]],
               old_to_new: np.ndarray | None = None) -> None:
        """Take `nodes`, whose first `len(resources)` are the nodes `resources` and
        `on_node` hold (same order), the rest new and empty; the node-derived caches
        start afresh, but for the per-node arrays when `old_to_new` maps this view's
        nodes to the new ones (`pernode.carried`). The same state as `_set_nodes(nodes)`,
        since each node's pods are always in the order of `_pods` (`trial` restores both
        orders)."""
        kept = carried(self._label_cache, self.changes, old_to_new, len(nodes)) if old_to_new is not None else {}
        names = [node.name for node in nodes]
        index = {name: n for n, name in enumerate(names)}
        if len(index) != len(nodes):
            raise ValueError("node names must be unique")
        self.nodes, self.node_names, self.node_index = nodes, names, index
        self.generation = next(_GENERATIONS)
        self.resources = resources.extended(nodes)
        self.changes = ChangeLog()
        self._on_node = on_node
        self._node_changed()
        self._label_cache.update(kept)

    def copy(self, extra_nodes: Iterable[Node] = ()) -> ClusterView:
        """A working copy with `extra_nodes` appended: the same nodes, bound pods and other
        objects, its own indexes, so changing one leaves the other as it was (the
        autoscaler's `ClusterSnapshot.Fork`). Equal to a new view built from this one's
        nodes and pods, without the pass over the pods' requests."""
        new = ClusterView.__new__(ClusterView)
        new.storage, new.services = self.storage, list(self.services)
        new.workloads, new.namespaces = dict(self.workloads), dict(self.namespaces)
        new._pods, new._with_affinity = dict(self._pods), dict(self._with_affinity)
        new._counts = CountRegistry()
        extra = list(extra_nodes)
        new._adopt(self.nodes + extra, self.resources, [dict(pods) for pods in self._on_node] + [{} for _ in extra])
        return new

    def update_node(self, node: Node) -> None:
        """Replace a node keeping its pods. A change of taints, `unschedulable` or the
        Ready condition only drops the node-derived caches; a change of labels or
        allocatable rebuilds the indexes."""
        n = self.node_index[node.name]
        old = self.nodes[n]
        nodes = list(self.nodes)
        nodes[n] = node
        if old.labels == node.labels and old.allocatable == node.allocatable:
            self.nodes = nodes
            self.generation = next(_GENERATIONS)
            self._taints_changed()
        else:
            self._set_nodes(nodes)

    def remove_node(self, name: str) -> list[Pod]:
        """Remove a node and the pods bound to it; returns those pods. The other pods keep
        their requests and order (the nodes after it move down one index): the state
        `_set_nodes` would rebuild, without the pass over every pod."""
        n = self.node_index[name]
        dropped = list(self._on_node[n].values())
        for pod in dropped:
            self._pods.pop(pod.key)
            self._with_affinity.pop(pod.key, None)
        old_to_new = np.arange(len(self.nodes)) - (np.arange(len(self.nodes)) > n)
        old_to_new[n] = -1
        self._adopt(self.nodes[:n] + self.nodes[n + 1:], self.resources.without(n), self._on_node[:n] + self._on_node[n + 1:],
                    old_to_new)
        self._pods = {key: (pod, i - (i > n)) for key, (pod, i) in self._pods.items()}
        self._with_affinity = {key: (pod, i - (i > n)) for key, (pod, i) in self._with_affinity.items()}
        return dropped

    # ----- pods --------------------------------------------------------------------
    def add_pod(self, pod: Pod) -> None:
        """Add a pod bound to `pod.node_name` (the scheduler cache's AddPod / AssumePod)."""
        if pod.node_name is None or pod.node_name not in self.node_index:
            raise KeyError(f"pod {pod.key} is not bound to a known node: {pod.node_name!r}")
        if pod.key in self._pods:
            raise KeyError(f"pod {pod.key} is already in the view")
        self._bind_index(pod, self.node_index[pod.node_name])

    def _bind_index(self, pod: Pod, n: int) -> None:
        self.generation = next(_GENERATIONS)
        self._pods[pod.key] = (pod, n)
        self._on_node[n][pod.key] = pod
        self.changes.append(n)
        self.resources.account(n, pod.requests, pod.nonzero_requests, +1)
        self._counts.on_pod(pod, n, +1)
        if _has_pod_affinity(pod):
            self._with_affinity[pod.key] = (pod, n)

    def remove_pod(self, key: str) -> Pod:
        pod, n = self._pods.pop(key)
        self.generation = next(_GENERATIONS)
        del self._on_node[n][key]
        self.changes.append(n)
        self.resources.account(n, pod.requests, pod.nonzero_requests, -1)
        self._counts.on_pod(pod, n, -1)
        self._with_affinity.pop(key, None)
        return pod

    def replace_pod(self, pod: Pod) -> None:
        """Update a bound pod in place (e.g. it got a deletionTimestamp)."""
        self.remove_pod(pod.key)
        self.add_pod(pod)

    @contextmanager
    def trial(self, n: int) -> Iterator[None]:
        """Pods of node `n` may be removed and added inside; on exit the node holds its
        pods again, in their former order everywhere (as kube-scheduler's preemption
        dry run works on a copy of the NodeInfo: `SelectVictimsOnNode`)."""
        order, before = list(self._pods), dict(self._on_node[n])
        try:
            yield
        finally:
            for key in [k for k in self._on_node[n] if k not in before]:
                self.remove_pod(key)
            for key, pod in before.items():
                if key not in self._pods:
                    self._bind_index(pod, n)
            self._pods = {key: self._pods[key] for key in order}
            self.generation = next(_GENERATIONS)
            self._on_node[n] = before
            self._with_affinity = {k: self._with_affinity[k] for k in order if k in self._with_affinity}

    def get_pod(self, key: str) -> Pod | None:
        entry = self._pods.get(key)
        return None if entry is None else entry[0]

    def pods(self) -> Iterator[tuple[Pod, int]]:
        """Every bound pod with its node index."""
        return iter(self._pods.values())

    def pods_on(self, n: int) -> Iterable[Pod]:
        return self._on_node[n].values()

    def pod_count(self) -> int:
        return len(self._pods)

    def pods_with_affinity(self) -> Iterable[tuple[Pod, int]]:
        """Bound pods that carry pod (anti-)affinity terms (NodeInfo.PodsWithAffinity)."""
        return self._with_affinity.values()

    # ----- derived, cached until nodes change ----------------------------------------
    def column(self, key: str) -> LabelColumn:
        return self.cached(("column", key), lambda: LabelColumn.build(key, self.nodes))

    def cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """A value derived from the nodes only, kept until a node changes."""
        cache = self._label_cache if _label_derived(key) else self._cache
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def per_node(self, key: Hashable, compute: Callable[[np.ndarray], np.ndarray], dtype=np.int64) -> np.ndarray:
        """An array over nodes computed by `compute(node indices)` from per-node pod state,
        refreshed only for nodes whose pods changed (see `PerNodeArray`)."""
        array = self.cached(("per-node", key), lambda: PerNodeArray(len(self.nodes), dtype))
        return array.current(self.changes, compute)

    def tree_order(self) -> np.ndarray:
        return self.cached("tree-order", lambda: node_tree_order(self.nodes))

    def tree_order_twice(self) -> np.ndarray:
        """The node tree order repeated, so any rotation is a slice."""
        return self.cached("tree-order-twice", lambda: np.concatenate((self.tree_order(), self.tree_order())))

    def count_index(self, key: CountKey, eligible: Callable[[], np.ndarray]) -> CountIndex:
        """The live count index for `key`, built on first use from `eligible()`."""
        index = self._counts.get(key)
        if index is None:
            domains, size = self._domains(key.topology_key)
            index = CountIndex(key, domains, size, eligible())
            index.fill((p, n) for p, n in self._pods.values() if p.namespace == key.namespace)
            self._counts.put(index)
        return index

    def _domains(self, topology_key: str | None) -> tuple[np.ndarray, int]:
        if topology_key is PER_NODE:
            return np.arange(1, len(self.nodes) + 1), len(self.nodes) + 1
        column = self.column(topology_key)
        return column.ids, column.size

    # ----- other objects -------------------------------------------------------------
    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """Labels of a namespace; the apiserver always sets `kubernetes.io/metadata.name`."""
        ns = self.namespaces.get(namespace)
        return {**(ns.labels if ns else {}), "kubernetes.io/metadata.name": namespace}


def _has_pod_affinity(pod: Pod) -> bool:
    aff = pod.affinity
    return aff.pod_affinity is not None or aff.pod_anti_affinity is not None


LABEL_DERIVED = frozenset({"column", "has-keys", "required-affinity", "term", "per-node"})


def _label_derived(key: Hashable) -> bool:
    """Cache entries computed from node labels, names, order or resources only (never
    from taints or `unschedulable`)."""
    if key in ("tree-order", "tree-order-twice"):
        return True
    return isinstance(key, tuple) and bool(key) and key[0] in LABEL_DERIVED
