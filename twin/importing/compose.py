"""From what was read (`Found`) to the files of a scenario folder: scenario.yaml (with
its header), nodes.yaml (a NodeList), pods.yaml (a PodList) and config.yaml (the
registry Config), loadable by `twin run FOLDER/scenario.yaml` (docs/scenarios.md)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import yaml

from twin.errors import InputError
from twin.importing.choose import Chosen, choose_pods
from twin.importing.found import Found, check_nodes
from twin.importing.header import comment, left_out_lines, node_line, pod_lines
from twin.importing.trim import trim_config, trim_node
from twin.importing.versions import choose_version
from twin.model import objects as obj
from twin.model.kube_io.files import read_documents, to_domain
from twin.model.registry.resources.nodes import DEFAULT_INSTANCE_TYPE, INSTANCE_TYPES
from twin.scenarios.checks import unknown_instance_type
from twin.scenarios.load import DEFAULT_CONFIG

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
INVARIANTS = ("max_skew", "rollout_completes", "no_binding_to_unready_nodes")
FAULT_EXAMPLE = """
# faults:                                    # none imported; for example
#   - {at: 10m, zone_outage: {zone: registry}}
#   - {at: 40m, zone_recovery: {zone: registry}}
#   - {at: 5m, node_crash: {node: registry}}
"""


@dataclass
class Imported:
    """The folder's files (name -> text), the lines to print, and for each file what
    it was made from (for error messages about it)."""

    files: dict[str, str]
    summary: list[str]
    origins: dict[str, str] = field(default_factory=dict)


def compose(found: Found, name: str, openshift: str | None = None, what: str = "must-gather") -> Imported:
    nodes = check_nodes(found)
    chosen = choose_pods(found.pods, {n.name for n in nodes})
    version, version_note = choose_version(found.version, openshift)
    config, config_notes = _config(found)
    networks, network_note = _networks(nodes)
    deployments_note = _deployments(found)
    body = _scenario(name, found, version, networks)
    extra = config_notes + ([deployments_note] if deployments_note else []) + _ignored(found.ignored) + [
        "Node annotations, node status other than allocatable, capacity and conditions (images, addresses, "
        "nodeInfo), and every object's managedFields."]
    paragraphs = [f"Imported by `twin import {what}` from {found.source}.", "", version_note, node_line(nodes)]
    paragraphs += ([network_note] if network_note else []) + pod_lines(chosen) + ["", "Left out:"]
    paragraphs += left_out_lines(chosen, extra)
    scenario_text = comment(paragraphs) + "\n" + _dump(body) + FAULT_EXAMPLE.lstrip("\n")
    files = {
        "scenario.yaml": scenario_text,
        "nodes.yaml": _dump({"apiVersion": "v1", "kind": "NodeList", "items": [trim_node(m.body) for m in found.nodes]}),
        "pods.yaml": _dump({"apiVersion": "v1", "kind": "PodList", "items": chosen.kept}),
        "config.yaml": _dump(config),
    }
    origins = {"nodes.yaml": found.nodes_where, "pods.yaml": found.source,
               "config.yaml": found.config.source if found.config else str(DEFAULT_CONFIG)}
    return Imported(files, _summary(nodes, chosen, config, version, found), origins)


def _scenario(name: str, found: Found, version: str, networks: dict) -> dict:
    cluster: dict = {"nodes": "nodes.yaml", "pods": "pods.yaml"}
    if networks:
        cluster["node_network"] = networks
    return {"name": name, "description": f"The cluster of {found.source}, imported.", "seed": 1, "duration": "30m",
            "openshift": version, "cluster": cluster, "registry": {"config_file": "config.yaml"},
            "invariants": [{"name": n} for n in INVARIANTS]}


def _config(found: Found) -> tuple[dict, list[str]]:
    if found.config is None:
        body = read_documents(DEFAULT_CONFIG)[0]
        return body, ["The registry Config: the source has none, so config.yaml is the twin's default ROSA bootstrap "
                      "Config (2 replicas, S3)."]
    body, dropped = trim_config(found.config.body)
    notes = ["The registry Config's status and metadata other than its name."]
    if dropped:
        notes.append(f"Config {', '.join(dropped)}: a credential the twin does not use.")
    return body, notes


def _networks(nodes: list[obj.Node]) -> tuple[dict, str]:
    """Nodes whose instance type the twin's table lacks get m5.xlarge's link (what the
    twin gives a node without an instance-type label), written out in `node_network`."""
    default = INSTANCE_TYPES[DEFAULT_INSTANCE_TYPE]
    link = {"baseline": f"{default.baseline_gbit:g}Gbit/s", "burst": f"{default.burst_gbit:g}Gbit/s"}
    unknown = {n.name: found[1] for n in nodes if (found := unknown_instance_type(n.labels)) is not None}
    if not unknown:
        return {}, ""
    kinds = ", ".join(sorted(set(unknown.values())))
    return {name: dict(link) for name in sorted(unknown)}, (
        f"Network: {len(unknown)} node(s) of instance type(s) the twin's table lacks ({kinds}) get "
        f"{DEFAULT_INSTANCE_TYPE}'s link ({link['baseline']} baseline, {link['burst']} burst) in "
        "cluster.node_network; change it there if you know theirs.")


def _deployments(found: Found) -> str:
    if not found.deployments:
        return ""
    replicas, refused = 0, 0
    for located in found.deployments:
        try:
            replicas += to_domain(located, ("Deployment",)).replicas
        except InputError:
            refused += 1
    namespaces = len({(m.body.get("metadata") or {}).get("namespace") for m in found.deployments})
    return (f"{len(found.deployments)} Deployments ({replicas} replicas, {namespaces} namespaces"
            + (f"; {refused} unreadable" if refused else "") + ") as scenario workloads: a workload would start "
            "replicas of its own beside the copied pods, and cannot carry a template's nodeSelector, tolerations or "
            "affinity. Their pods are among the copied ones; the registry's own Deployment the twin renders from "
            "the Config.")


def _ignored(kinds: Counter) -> list[str]:
    if not kinds:
        return []
    listed = ", ".join(f"{kind} ({count})" for kind, count in sorted(kinds.items()))
    return [f"Objects of kinds the import does not use: {listed}."]


def _summary(nodes: list[obj.Node], chosen: Chosen, config: dict, version: str, found: Found) -> list[str]:
    spec = config.get("spec") or {}
    storage = ", ".join(k for k in (spec.get("storage") or {}) if k != "managementState") or "no storage"
    left = sum(chosen.left_out.values())
    return [
        f"{len(nodes)} nodes: {', '.join(n.name for n in nodes)}",
        f"{len(chosen.kept)} pods copied, {left} left out"
        + (f" ({_reasons(chosen.left_out)})" if left else ""),
        f"registry Config: {spec.get('replicas')} replicas, {storage}"
        + ("" if found.config else " (the default ROSA Config: the source has none)"),
        f"OpenShift {version}" + (f" (the cluster runs {found.version})" if found.version else ""),
    ]


def _reasons(left_out: Counter) -> str:
    """"56 finished pods, 2 registry pods": each reason up to its colon or parenthesis."""
    short = (re.split(r"[:(]", reason)[0].strip() for reason in left_out)
    return ", ".join(f"{count} {text}" for text, count in zip(short, left_out.values()))


def _dump(document) -> str:
    return yaml.dump(document, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, allow_unicode=True)
