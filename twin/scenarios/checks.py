"""Scenario checks the schema cannot make: workload constraints, the registry Config as
the operator verifies it (also after every edit) and the resources its container can
run with, fault targets that must exist, faults within the run, allowed windows that
run forwards, names and labels of the objects the scenario makes (as the API server
would check them), and nodes whose network the twin knows. Every problem is an
`InputError` naming the file and the field path.

`fault_at_end_warnings` lists what is legitimate but probably not meant: a fault exactly
at the end of the run (never applied); `twin/analysis/sanity.py` adds a registry no node
can take when the run starts (it needs the scheduler, a higher layer)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from twin.errors import InputError
from twin.model.kube_io import validation as kv
from twin.model.kube_io.errors import field_path, format_validation_error
from twin.model.kube_io.schema import TopologySpreadConstraintSchema, unique_spread_constraints
from twin.model.objects import ZONE_KEY
from twin.model.quantity import format_bytes, parse_quantity, value
from twin.model.quoting import shown
from twin.model.registry import RegistryConfig, parse_registry_config, validate
from twin.model.registry.resources.nodes import INSTANCE_TYPE_LABELS, INSTANCE_TYPES
from twin.scenarios.priority_spec import check_priority_classes
from twin.scenarios.scenario import Scenario
from twin.scenarios.spec import ScenarioFile, instance_type_expected

REGISTRY = "registry"  # a fault target: the node / zone of a running registry replica


def check_scenario(scenario: Scenario) -> None:
    """What the schema cannot see: workload constraints, the Config as the operator
    verifies it (also after each edit), fault targets that must exist, faults within the
    run and allowed windows that run forwards."""
    check_fault_times(scenario)
    check_allowed_windows(scenario)
    check_workloads(scenario)
    check_priority_classes(scenario.source, scenario.spec)
    check_configs(scenario)
    check_fault_targets(scenario)
    check_added_nodes(scenario)
    check_node_networks(scenario)


def check_fault_times(scenario: Scenario) -> None:
    """A fault after the end of the run (`duration`) would never happen: refused. One
    exactly at the end is not applied either (the run stops there) but is legitimate, e.g.
    a sweep's shortest duration: `fault_at_end_warnings` reports it. (A variation that sets
    `duration` leaves the faults after its new end out first: `variation.cut_faults`.)"""
    end = scenario.spec.duration
    for i, fault in enumerate(scenario.spec.faults):
        if fault.at > end:
            raise InputError(scenario.source, f"faults[{i}].at",
                             f"expected a time within the run (duration {end:g} s), got {fault.at:g} s: the run "
                             f"ends before this {fault.kind} fault")


def check_allowed_windows(scenario: Scenario) -> None:
    """`allowed_windows` are [start, end] with start <= end (a reversed one allows nothing,
    silently)."""
    for i, invariant in enumerate(scenario.spec.invariants):
        for j, (start, end) in enumerate(invariant.allowed_windows):
            if end < start:
                raise InputError(scenario.source, f"invariants[{i}].allowed_windows[{j}]",
                                 f"expected a window [start, end] with start <= end, got [{start:g} s, {end:g} s]")


def check_workloads(scenario: Scenario) -> None:
    """Each workload becomes a Deployment in its namespace: its name must be a DNS
    subdomain, its namespace a DNS label, its labels labels, its spread constraints
    valid (pkg/apis/apps/validation ValidateDeployment, core validateTopologySpreadConstraints)."""
    for i, workload in enumerate(scenario.spec.workloads):
        where = f"workloads[{i}]"
        _refuse_name(scenario.source, f"{where}.name", workload.name, "subdomain")
        _refuse_name(scenario.source, f"{where}.namespace", workload.namespace, "label")
        refuse_labels(scenario.source, f"{where}.labels", workload.labels)
        parsed = []
        for j, constraint in enumerate(workload.topology_spread_constraints):
            try:
                parsed.append(TopologySpreadConstraintSchema.model_validate(constraint))
            except ValidationError as exc:
                path, message = format_validation_error(exc)
                raise InputError(scenario.source, f"workloads[{i}].topology_spread_constraints[{j}].{path}", message) from None
        try:
            unique_spread_constraints(parsed)
        except ValidationError as exc:
            path, message = format_validation_error(exc)
            raise InputError(scenario.source, f"workloads[{i}].topology_spread_constraints{path}", message) from None


def check_added_nodes(scenario: Scenario) -> None:
    """A node an `add_node` fault adds: a DNS-subdomain name (ValidateNodeName), labels."""
    for i, fault in enumerate(scenario.spec.faults):
        if fault.kind == "add_node":
            _refuse_name(scenario.source, f"faults[{i}].add_node.name", fault.target.name, "subdomain")
            refuse_labels(scenario.source, f"faults[{i}].add_node.labels", fault.target.labels)


def refuse_labels(source: str, where: str, labels: Mapping[str, str]) -> None:
    """metav1 ValidateLabels on labels a scenario gives, reported at `where[key]`."""
    try:
        kv.check_labels(labels)
    except ValidationError as exc:
        path, message = format_validation_error(exc)
        raise InputError(source, path, message).within(where) from None


def _refuse_name(source: str, where: str, name: str, rule: str) -> None:
    message = kv.expected_name(name, rule)
    if message:
        raise InputError(source, where, message)


def check_configs(scenario: Scenario) -> None:
    """The Config, and the Config after each edit, must be one the operator accepts; the
    resources of an edited Config must let the registry run (the Config as loaded is
    checked by `load.py`, which knows the file it came from)."""
    refuse_permanent(scenario.config, scenario.source, "registry.config")
    body = scenario.config_body
    for i, fault in enumerate(scenario.spec.faults):
        if fault.kind != "config_edit":
            continue
        where = f"faults[{i}].config_edit.patch"
        body = merge_patch(body, fault.config_edit.patch)
        try:
            config = parse_registry_config(body, scenario.source)
        except InputError as exc:
            raise exc.within(where) from None
        refuse_permanent(config, scenario.source, where)
        check_registry_resources(config, scenario.spec.traffic.memory.working_set, scenario.source, where)


def check_registry_resources(config: RegistryConfig, working_set: int, source: str, where: str) -> None:
    """`spec.resources` (already valid quantities) must be ones Kubernetes accepts and the
    registry can run with: nothing negative, requests within limits, a CPU limit and
    request above 0, and a memory limit that holds the working set (`traffic.memory`).
    `where` is the Config's field path in `source` ("" when the file is the Config)."""
    resources = config.resources or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}

    def refuse(section: str, name: str, message: str) -> None:
        error = InputError(source, field_path(("spec", "resources", section, name)), message)
        raise error.within(where) if where else error

    for section, amounts in (("requests", requests), ("limits", limits)):
        for name, amount in amounts.items():
            if parse_quantity(amount) < 0:
                refuse(section, name, f"expected a quantity that is not negative, got {shown(amount)} "
                                      "(Kubernetes refuses negative quantities)")
    if "cpu" in limits and parse_quantity(limits["cpu"]) == 0:
        refuse("limits", "cpu", f"expected a CPU limit > 0, such as 1 or 500m, got {shown(limits['cpu'])}: "
                                "a registry with a CPU limit of 0 cannot run")
    if "cpu" in requests and parse_quantity(requests["cpu"]) == 0:
        refuse("requests", "cpu", f"expected a CPU request > 0, such as 100m (the operator's default), got "
                                  f"{requests['cpu']!r}: a registry requesting no CPU gets almost none on a busy node")
    if "memory" in limits and parse_quantity(limits["memory"]) == 0:
        refuse("limits", "memory", f"expected a memory limit > 0, such as 512Mi, got {shown(limits['memory'])}: "
                                   "a registry with a memory limit of 0 cannot run")
    for name, amount in requests.items():
        if name in limits and parse_quantity(amount) > parse_quantity(limits[name]):
            refuse("requests", name, f"expected at most the limit ({limits[name]!r}), got {shown(amount)} "
                                     "(Kubernetes refuses a request above its limit)")
    if "memory" in limits and value(limits["memory"]) < working_set:
        limit = value(limits["memory"])
        refuse("limits", "memory", f"expected a memory limit of at least the registry's working set, "
                                   f"traffic.memory.working_set = {_bytes(working_set)}, got {shown(limits['memory'])} "
                                   f"({limit} bytes): the registry could never start")


def _bytes(amount: int) -> str:
    """128Mi (134217728 bytes); 100000000 bytes."""
    text = format_bytes(amount)
    return f"{amount} bytes" if text == str(amount) else f"{text} ({amount} bytes)"


def refuse_permanent(config: RegistryConfig, source: str, where: str) -> None:
    for problem in validate(config):
        if problem.permanent:
            path = f"{where}.{problem.field_path}" if where else problem.field_path
            raise InputError(source, path, f"{problem.message.split(': ', 1)[-1]} "
                                           f"(the operator refuses it: {problem.reason})")


def check_fault_targets(scenario: Scenario) -> None:
    """Faults must name nodes and zones of the cluster (or nodes they add), or 'registry'."""
    nodes = {n.name for n in scenario.nodes} | {REGISTRY}
    zones = {n.labels.get(ZONE_KEY) for n in scenario.nodes} | {REGISTRY}
    for i, fault in enumerate(scenario.spec.faults):
        target, path = fault.target, f"faults[{i}].{fault.kind}"
        if fault.kind == "add_node":
            nodes.add(target.name)
        elif hasattr(target, "node") and target.node not in nodes:
            expected = f"expected a node of the cluster or 'registry', got {shown(target.node)}"
            raise InputError(scenario.source, f"{path}.node", expected)
        elif hasattr(target, "zone") and target.zone not in zones:
            expected = f"expected a zone of the cluster or 'registry', got {shown(target.zone)}"
            raise InputError(scenario.source, f"{path}.zone", expected)


def check_node_networks(scenario: Scenario) -> None:
    """`cluster.node_network` must name nodes of the cluster (or nodes a fault adds), and a
    node a fault adds with an instance-type label the twin does not know needs a network
    from the scenario (the nodes of the cluster itself are checked by `load.py`)."""
    spec = scenario.spec
    added = [(i, f.target) for i, f in enumerate(spec.faults) if f.kind == "add_node"]
    names = {n.name for n in scenario.nodes} | {node.name for _, node in added}
    for name in spec.cluster.node_network:
        if name not in names:
            raise InputError(scenario.source, field_path(("cluster", "node_network", name)),
                             f"expected the name of a node of the cluster, or of a node an add_node fault adds, "
                             f"got {shown(name)}")
    for i, node in added:
        found = unknown_instance_type(node.labels)
        if found is not None and not has_network(spec, node.name):
            label, kind = found
            raise InputError(scenario.source, field_path(("faults", i, "add_node", "labels", label)),
                             unknown_instance_type_message(kind, node.name))


def unknown_instance_type(labels: Mapping[str, str]) -> tuple[str, str] | None:
    """(label, value) when a node's instance-type labels name only types the table of
    `resources/nodes.py` does not know; None when one is known or there is none (the
    data plane then takes ROSA's m5.xlarge)."""
    present = [(label, labels[label]) for label in INSTANCE_TYPE_LABELS if label in labels]
    if not present or any(kind in INSTANCE_TYPES for _, kind in present):
        return None
    return present[0]


def has_network(spec: ScenarioFile, node: str) -> bool:
    """Whether the scenario gives this node's network (for every node, or for it alone)."""
    return spec.cluster.network is not None or node in spec.cluster.node_network


def unknown_instance_type_message(kind: str, node: str) -> str:
    return (f"{instance_type_expected(kind)} for node {node!r}: for another type give its network as "
            f"cluster.network or cluster.node_network.{node}")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: mappings merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@dataclass(frozen=True)
class ScenarioWarning:
    """Something legitimate in a scenario that is probably not meant. Printed like an
    `InputError` (`FILE: FIELD.PATH: message`); the CLI prefixes `twin: warning: `."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return ": ".join([p for p in (self.source, self.path) if p] + [self.message])


def fault_at_end_warnings(scenario: Scenario) -> list[ScenarioWarning]:
    end = scenario.spec.duration
    return [ScenarioWarning(scenario.source, f"faults[{i}].at",
                            f"the {fault.kind} fault is at the end of the run ({end:g} s), so it is never applied "
                            f"(the run stops there); move it earlier or lengthen duration")
            for i, fault in enumerate(scenario.spec.faults) if fault.at == end]
