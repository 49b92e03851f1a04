"""Scenario checks the schema cannot make: workload constraints, the registry Config as
the operator verifies it (also after every edit), and fault targets that must exist.
Every problem is an `InputError` naming the file and the field path."""

from __future__ import annotations

import copy

from pydantic import ValidationError

from twin.errors import InputError
from twin.model.kube_io.errors import format_validation_error
from twin.model.kube_io.schema import TopologySpreadConstraintSchema
from twin.model.objects import ZONE_KEY
from twin.model.registry import RegistryConfig, parse_registry_config, validate
from twin.scenarios.scenario import Scenario

REGISTRY = "registry"  # a fault target: the node / zone of a running registry replica


def check_scenario(scenario: Scenario) -> None:
    """What the schema cannot see: workload constraints, the Config as the operator
    verifies it (also after each edit), and fault targets that must exist."""
    check_workloads(scenario)
    check_configs(scenario)
    check_fault_targets(scenario)


def check_workloads(scenario: Scenario) -> None:
    for i, workload in enumerate(scenario.spec.workloads):
        for j, constraint in enumerate(workload.topology_spread_constraints):
            try:
                TopologySpreadConstraintSchema.model_validate(constraint)
            except ValidationError as exc:
                path, message = format_validation_error(exc)
                raise InputError(scenario.source, f"workloads[{i}].topology_spread_constraints[{j}].{path}", message) from None


def check_configs(scenario: Scenario) -> None:
    """The Config, and the Config after each edit, must be one the operator accepts."""
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


def refuse_permanent(config: RegistryConfig, source: str, where: str) -> None:
    for problem in validate(config):
        if problem.permanent:
            raise InputError(source, f"{where}.{problem.field_path}", f"{problem.message.split(': ', 1)[-1]} "
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
            expected = f"expected a node of the cluster or 'registry', got {target.node!r}"
            raise InputError(scenario.source, f"{path}.node", expected)
        elif hasattr(target, "zone") and target.zone not in zones:
            expected = f"expected a zone of the cluster or 'registry', got {target.zone!r}"
            raise InputError(scenario.source, f"{path}.zone", expected)


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
