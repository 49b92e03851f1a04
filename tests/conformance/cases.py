"""Build twin objects from the upstream table cases in `data/spread_prefilter_cases.json`
(translated from kube-scheduler's `TestPreFilterState`; each case names its source)."""

from __future__ import annotations

import json
from pathlib import Path

from twin.model.labels import LabelSelector, NodeSelectorTerm, Requirement
from twin.model.objects import Affinity, Node, NodeAffinity, Pod, Service, Taint, Toleration, TopologySpreadConstraint
from twin.model.scheduling.config import SchedulerConfig

DATA = Path(__file__).parent / "data" / "spread_prefilter_cases.json"


def load_cases() -> list[dict]:
    return json.loads(DATA.read_text())


def selector(raw: dict | None) -> LabelSelector | None:
    if raw is None:
        return None
    expressions = tuple(Requirement(e["key"], e["operator"], tuple(e["values"])) for e in raw["match_expressions"])
    return LabelSelector.of(raw["match_labels"], *expressions)


def constraint(raw: dict) -> TopologySpreadConstraint:
    keys = raw["match_label_keys"]
    return TopologySpreadConstraint(
        raw["max_skew"], raw["topology_key"], raw["when_unsatisfiable"], selector(raw["label_selector"]),
        raw["min_domains"], raw["node_affinity_policy"], raw["node_taints_policy"],
        None if keys is None else tuple(keys),
    )


def node(raw: dict) -> Node:
    taints = tuple(Taint(t["key"], t.get("value", ""), t["effect"]) for t in raw["taints"])
    return Node(raw["name"], raw["labels"], taints, {"cpu": 4000, "memory": 8 << 30, "pods": 110})


def existing_pod(raw: dict) -> Pod:
    deleted = "2026-01-01T00:00:00Z" if raw["terminating"] else None
    return Pod(raw["name"], raw["namespace"], raw["labels"], raw["node"], deletion_timestamp=deleted)


def incoming_pod(raw: dict) -> Pod:
    affinity = Affinity()
    if raw["required_node_affinity"] is not None:
        term = NodeSelectorTerm(tuple(Requirement(e["key"], e["operator"], tuple(e["values"]))
                                      for e in raw["required_node_affinity"]))
        affinity = Affinity(node_affinity=NodeAffinity(required=(term,)))
    tolerations = tuple(Toleration(t["key"], t["operator"], t.get("value", ""), t.get("effect", ""))
                        for t in raw["tolerations"])
    return Pod(
        raw["name"], raw["namespace"], raw["labels"], tolerations=tolerations,
        node_selector=raw["node_selector"], affinity=affinity,
        topology_spread_constraints=tuple(constraint(c) for c in raw["constraints"]),
    )


def services(case: dict) -> list[Service]:
    return [Service(f"svc-{i}", s["namespace"], s["selector"]) for i, s in enumerate(case["services"])]


def scheduler_config(case: dict) -> SchedulerConfig:
    defaulting = case["defaulting"]
    gates = case["feature_gates"]
    return SchedulerConfig(
        spread_defaulting=defaulting["type"],
        default_constraints=tuple(constraint(c) for c in defaulting["default_constraints"]),
        node_inclusion_policy=gates["NodeInclusionPolicyInPodTopologySpread"],
        match_label_keys=gates["MatchLabelKeysInPodTopologySpread"],
    )
