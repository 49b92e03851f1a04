"""The cluster a run report draws: its nodes with their zones and roles (`cluster.json`,
written next to `events.csv`), and the pods on them at a chosen instant, replayed from
the records.

Pods the scenario starts with are stored without a record (they are already bound and
Running at 0 s), so `cluster.json` lists them; every later pod has PodCreated, PodBound,
PodReady / PodNotReady / ContainerRestart (the container is killed: not Ready until a
PodReady), PodTerminating and PodDeleted records. Nodes come and go with
NodeAdded / NodeRemoved (a machine pool's new node says its zone and that it registers
NotReady); their Ready condition with NodeCondition, cordons with NodeCordoned /
NodeUncordoned."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from twin.model.objects import WORKER_ROLE_KEY, ZONE_KEY
from twin.model.registry.render import NAMESPACE
from twin.model.topology import NO_ZONE
from twin.scenarios.scenario import Scenario

ROLE_PREFIX = "node-role.kubernetes.io/"
REGISTRY_PREFIX = f"{NAMESPACE}/image-registry-"
"""The image-registry Deployment's pods (the node-ca DaemonSet's are `node-ca-*`)."""
POD_KINDS = frozenset(("PodCreated", "PodBound", "PodReady", "PodNotReady", "ContainerRestart", "PodTerminating",
                       "PodDeleted"))
NODE_COLUMNS = ["zone", "node", "roles", "ready", "cordoned"]
POD_COLUMNS = ["zone", "node", "pod", "group", "state"]


def cluster_document(scenario: Scenario) -> dict:
    """The scenario's nodes (also those an `add_node` fault brings) and the pods it starts
    with, for `cluster.json`."""
    nodes = {n.name: _node(n.name, n.labels) for n in scenario.nodes}
    for fault in scenario.spec.faults:
        if fault.add_node is not None:
            added = fault.add_node
            labels = {ZONE_KEY: added.zone, WORKER_ROLE_KEY: "", **added.labels}
            nodes.setdefault(added.name, _node(added.name, labels))
    pods = [{"pod": p.key, "node": p.node_name} for p in scenario.pods if p.node_name]
    return {"scenario": scenario.spec.name, "description": scenario.spec.description,
            "nodes": list(nodes.values()), "pods": sorted(pods, key=lambda p: p["pod"])}


def cluster_json(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _node(name: str, labels) -> dict:
    roles = sorted(k[len(ROLE_PREFIX):] for k in labels if k.startswith(ROLE_PREFIX))
    return {"name": name, "zone": labels.get(ZONE_KEY, NO_ZONE), "roles": roles}


def node_zones(cluster: dict | None) -> dict[str, str]:
    return {} if cluster is None else {n["name"]: n["zone"] for n in cluster["nodes"]}


def added_zones(records: Sequence) -> dict[str, str]:
    """The zones of nodes a machine pool added during the run (their NodeAdded says)."""
    return {r.subject: r.details["zone"] for r in records if r.kind == "NodeAdded" and "zone" in r.details}


def is_registry_pod(key: str) -> bool:
    return key.startswith(REGISTRY_PREFIX)


@dataclass
class PodState:
    node: str | None
    group: str  # "registry", "daemonset" or "workload"
    ready: bool = False
    terminating: bool = False

    @property
    def state(self) -> str:
        return "Terminating" if self.terminating else "Ready" if self.ready else "NotReady"

    @property
    def serving(self) -> bool:
        """Counted as a Ready replica: Ready and not terminating (as `RegistryReady`)."""
        return self.ready and not self.terminating


class PodReplay:
    """The pods as the records leave them, applied one record at a time."""

    def __init__(self, cluster: dict | None) -> None:
        self.pods: dict[str, PodState] = {}
        for p in (cluster or {}).get("pods", []):
            self.pods[p["pod"]] = PodState(p["node"], _group(p["pod"], False), ready=True)

    def apply(self, r) -> PodState | None:
        """Apply one record; returns the pod's state (None once deleted) for pod records."""
        if r.kind == "PodCreated":
            self.pods[r.subject] = PodState(None, _group(r.subject, False))
        elif r.kind == "PodBound":
            self.pods[r.subject] = PodState(r.details["node"], _group(r.subject, r.details.get("daemonset", False)))
        elif r.kind in ("PodReady", "PodNotReady", "ContainerRestart", "PodTerminating") and r.subject in self.pods:
            pod = self.pods[r.subject]
            pod.ready = r.kind == "PodReady" or (pod.ready and r.kind == "PodTerminating")
            pod.terminating = pod.terminating or r.kind == "PodTerminating"
        elif r.kind == "PodDeleted":
            self.pods.pop(r.subject, None)
        else:
            return None
        return self.pods.get(r.subject)


def _group(key: str, daemonset: bool) -> str:
    return "registry" if is_registry_pod(key) else "daemonset" if daemonset else "workload"


@dataclass
class Snapshot:
    """The cluster just before `time` (every record before it applied): `nodes` has
    NODE_COLUMNS, `pods` (bound pods) POD_COLUMNS; `unbound` counts the Pending pods not
    bound to any node, by group."""

    time: float
    nodes: pd.DataFrame
    pods: pd.DataFrame
    unbound: dict[str, int]


def snapshot_before(records: Sequence, cluster: dict | None, time: float = math.inf) -> Snapshot:
    """The nodes present and the pods bound to them just before `time` (the end of the
    run for `inf`)."""
    replay, nodes = PodReplay(cluster), _NodeReplay(cluster)
    for r in records:
        if r.time >= time:
            break
        replay.apply(r)
        nodes.apply(r)
    zones = {**nodes.zones, **node_zones(cluster)}
    node_rows = sorted(nodes.rows(zones))
    pod_rows = sorted((zones.get(p.node, NO_ZONE), p.node, key, p.group, p.state)
                      for key, p in replay.pods.items() if p.node is not None)
    unbound: dict[str, int] = {}
    for pod in replay.pods.values():
        if pod.node is None:
            unbound[pod.group] = unbound.get(pod.group, 0) + 1
    return Snapshot(time, pd.DataFrame(node_rows, columns=NODE_COLUMNS), pd.DataFrame(pod_rows, columns=POD_COLUMNS),
                    dict(sorted(unbound.items())))


class _NodeReplay:
    def __init__(self, cluster: dict | None) -> None:
        self.roles = {n["name"]: ",".join(n["roles"]) for n in (cluster or {}).get("nodes", [])}
        self.present: dict[str, list] = {}  # name -> [ready condition, cordoned]
        self.zones: dict[str, str] = {}  # of nodes a machine pool added (their NodeAdded says)

    def apply(self, r) -> None:
        if r.kind == "NodeAdded":
            self.present[r.subject] = [r.details.get("ready", "True"), False]
            if "zone" in r.details:
                self.zones[r.subject] = r.details["zone"]
        elif r.kind == "NodeRemoved":
            self.present.pop(r.subject, None)
        elif r.kind == "NodeCondition" and r.subject in self.present:
            self.present[r.subject][0] = r.details["ready"]
        elif r.kind in ("NodeCordoned", "NodeUncordoned") and r.subject in self.present:
            self.present[r.subject][1] = r.kind == "NodeCordoned"

    def rows(self, zones: dict[str, str]) -> list[tuple]:
        return [(zones.get(name, NO_ZONE), name, self.roles.get(name, ""), ready, cordoned)
                for name, (ready, cordoned) in self.present.items()]
