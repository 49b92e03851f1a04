"""Which real pods become the scenario's existing pods, and why the others do not.

Kept: pods bound to an imported node (`spec.nodeName`) in phase Running or Pending, not
being deleted, that the twin's Pod schema reads. Left out, each with its reason: the
registry's own pods and node-ca's (the twin's operator and DaemonSet create those),
finished pods, unbound ones, pods on nodes the import lacks, duplicates, and pods the
schema refuses (named one by one)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from twin.errors import InputError
from twin.importing.trim import trim_pod
from twin.model.kube_io.files import Located, to_domain
from twin.model.objects import Pod
from twin.model.registry.render import NAMESPACE

REGISTRY_LABEL = ("docker-registry", "default")
REGISTRY = "registry pods (openshift-image-registry, docker-registry=default): the twin's operator creates them from the Config"
NODE_CA = "node-ca pods: the twin runs the operator's node-ca DaemonSet itself, one pod per node"
FINISHED = "finished pods (Succeeded or Failed): they hold no resources"
UNKNOWN = "pods in phase Unknown: their node stopped reporting"
UNBOUND = "pods without spec.nodeName: the twin does not replay their scheduling"
DELETING = "pods being deleted (metadata.deletionTimestamp set)"
NO_NODE = "pods bound to a node that is not among the imported nodes"
DUPLICATE = "pods listed twice (same namespace/name)"
REFUSED = "pods the twin's Pod schema refuses"


@dataclass
class Chosen:
    kept: list[dict] = field(default_factory=list)  # trimmed manifests
    pending: int = 0  # kept pods that were Pending: the scenario starts them Running
    left_out: Counter = field(default_factory=Counter)  # reason -> number of pods
    refused: list[str] = field(default_factory=list)  # "<file>: <path>: <message>" per refused pod


def choose_pods(pods: list[Located], node_names: Collection[str]) -> Chosen:
    chosen, seen = Chosen(), set()
    for located in pods:
        try:
            pod = to_domain(located, ("Pod",))
        except InputError as exc:
            chosen.left_out[REFUSED] += 1
            chosen.refused.append(str(exc))
            continue
        reason = _reason_to_leave_out(pod, node_names, seen)
        seen.add(pod.key)
        if reason is not None:
            chosen.left_out[reason] += 1
            continue
        chosen.kept.append(trim_pod(located.body))
        chosen.pending += pod.phase == "Pending"
    return chosen


def _reason_to_leave_out(pod: Pod, node_names: Collection[str], seen: set[str]) -> str | None:
    if pod.key in seen:
        return DUPLICATE
    if pod.namespace == NAMESPACE and pod.labels.get(REGISTRY_LABEL[0]) == REGISTRY_LABEL[1]:
        return REGISTRY
    owner = pod.controller_owner()
    if pod.namespace == NAMESPACE and owner is not None and (owner.kind, owner.name) == ("DaemonSet", "node-ca"):
        return NODE_CA
    if pod.terminal:
        return FINISHED
    if pod.phase == "Unknown":
        return UNKNOWN
    if pod.deletion_timestamp:
        return DELETING
    if pod.node_name is None:
        return UNBOUND
    if pod.node_name not in node_names:
        return NO_NODE
    return None
