"""Load the objects of a cluster from manifest files, checking references between them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from twin.errors import InputError
from twin.model import objects as obj
from twin.model import storage as st
from twin.model.kube_io.files import iter_manifests, to_domain
from twin.model.quoting import shown

OBJECT_KINDS = (
    "Service", "ReplicaSet", "StatefulSet", "ReplicationController", "Deployment", "Namespace",
    "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "CSINode", "Pod", "Node",
)


@dataclass
class ClusterObjects:
    """Everything a scheduling cycle may look at."""

    nodes: list[obj.Node] = field(default_factory=list)
    pods: list[obj.Pod] = field(default_factory=list)
    services: list[obj.Service] = field(default_factory=list)
    workloads: list[obj.Workload] = field(default_factory=list)
    namespaces: list[obj.Namespace] = field(default_factory=list)
    claims: list[obj.Claim] = field(default_factory=list)
    volumes: list[st.PersistentVolume] = field(default_factory=list)
    classes: list[st.StorageClass] = field(default_factory=list)
    csi_nodes: list[st.CSINode] = field(default_factory=list)

    def add(self, item) -> None:
        bucket = {
            obj.Node: self.nodes, obj.Pod: self.pods, obj.Service: self.services,
            obj.Workload: self.workloads, obj.Namespace: self.namespaces, obj.Claim: self.claims,
            st.PersistentVolume: self.volumes, st.StorageClass: self.classes, st.CSINode: self.csi_nodes,
        }[type(item)]
        bucket.append(item)

    def storage(self) -> st.StorageObjects:
        """The storage listers; a storage kind counts as given when `--objects` held at
        least one object of it (an empty `List` of that kind says nothing of its kind)."""
        return st.StorageObjects.of(self.claims, self.volumes, self.classes, self.csi_nodes)

    def registry_claims(self, namespace: str = "openshift-image-registry") -> dict[str, tuple[str, ...]]:
        """Access modes of the claims in the registry's namespace, by name."""
        return {c.name: c.access_modes for c in self.claims if c.namespace == namespace}


def load_nodes(file: str | Path) -> list[obj.Node]:
    """Nodes from a file: at least one (an empty or null file, or an empty NodeList, is a
    mistake: nothing could be scheduled), names unique."""
    nodes, seen = [], set()
    for manifest in iter_manifests(file):
        node = to_domain(manifest, ("Node",))
        if node.name in seen:
            raise InputError(str(file), manifest.where("metadata.name"), f"duplicate node {node.name!r}")
        seen.add(node.name)
        nodes.append(node)
    if not nodes:
        raise InputError(str(file), "", "expected at least one Node, found none")
    return nodes


def load_pods(file: str | Path, node_names: Collection[str] | None = None) -> list[obj.Pod]:
    """Pods from a file; `namespace/name` must be unique and, when `node_names` is given,
    every `spec.nodeName` must name one of those nodes."""
    pods, seen = [], set()
    for manifest in iter_manifests(file):
        pod = to_domain(manifest, ("Pod",))
        if pod.key in seen:
            raise InputError(str(file), manifest.where("metadata.name"), f"duplicate pod {pod.key!r}")
        if node_names is not None and pod.node_name is not None and pod.node_name not in node_names:
            raise InputError(
                str(file), manifest.where("spec.nodeName"),
                f"expected the name of a node in the node list, got {shown(pod.node_name)}",
            )
        seen.add(pod.key)
        pods.append(pod)
    return pods


def load_single_pod(file: str | Path) -> obj.Pod:
    pods = [to_domain(m, ("Pod",)) for m in iter_manifests(file)]
    if len(pods) != 1:
        raise InputError(str(file), "", f"expected exactly one Pod, found {len(pods)}")
    return pods[0]


def load_objects(files: Iterable[str | Path]) -> ClusterObjects:
    """Services, owners, namespaces, claims (and any nodes or pods) from `--objects` files."""
    found = ClusterObjects()
    for file in files:
        for manifest in iter_manifests(file):
            found.add(to_domain(manifest, OBJECT_KINDS))
    return found
