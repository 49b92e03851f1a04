"""Load a scenario — a YAML file or the name of a built-in — into a `Scenario`: the
validated file plus the objects it describes (nodes, pods, the registry Config), with
every problem reported as an `InputError` naming the file and the field path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from twin.errors import InputError
from twin.model.kube_io.errors import field_path, format_validation_error
from twin.model.kube_io.files import iter_manifests, read_documents
from twin.model.kube_io.load import load_nodes, load_pods
from twin.model.objects import NO_EXECUTE, NO_SCHEDULE, PREFER_NO_SCHEDULE, Node, Pod, Taint
from twin.model.quantity import QuantityError, milli_value, value
from twin.model.quoting import shown
from twin.model.registry import RegistryConfig, parse_registry_config
from twin.model.registry.config import API_VERSION
from twin.model.kube_io import validation as kv
from twin.scenarios.checks import (check_registry_resources, check_scenario, has_network, refuse_labels,
                                    refuse_permanent, unknown_instance_type, unknown_instance_type_message)
from twin.model.registry.resources.nodes import DEFAULT_INSTANCE_TYPE, allocatable
from twin.scenarios.clusters import ClusterShape, generate_cluster
from twin.scenarios.images_spec import check_image_streams
from twin.scenarios.machine_pools import check_pool_faults, machine_pool_objects, without_default_workers
from twin.scenarios.remotes_spec import check_remotes
from twin.scenarios.route_checks import check_routes
from twin.scenarios.scenario import Scenario
from twin.scenarios.spec import GeneratedCluster, ScenarioFile

if TYPE_CHECKING:
    from twin.observed.replay import ReplayRequests

LIBRARY = "library"
CONFIG_IDENTITY = {"apiVersion": API_VERSION, "kind": "Config", "metadata": {"name": "cluster"}}
DEFAULT_CONFIG = Path(str(resources.files("twin.scenarios").joinpath("examples", "rosa-default-config.yaml")))


def library_names() -> list[str]:
    folder = resources.files("twin.scenarios").joinpath(LIBRARY)
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def resolve(ref: str) -> Path:
    """A path to an existing file, or the file of a built-in scenario."""
    if ref in library_names():
        return Path(str(resources.files("twin.scenarios").joinpath(LIBRARY, f"{ref}.yaml")))
    path = Path(ref)
    if not path.is_file():
        known = ", ".join(library_names())
        raise InputError(ref, "", f"expected a scenario file or a built-in scenario ({known})")
    return path


def load_scenario(ref: str) -> Scenario:
    body, base, source = read_scenario(ref)
    return scenario_from_body(body, base, source)


def read_scenario(ref: str) -> tuple[object, Path, str]:
    """The scenario's YAML document as written, the folder its relative paths start from,
    and the name errors give it (the path, or the built-in's name)."""
    path = resolve(ref)
    source = str(path) if ref not in library_names() else ref
    documents = read_documents(path)
    if len(documents) != 1:
        raise InputError(source, "", f"expected one YAML document, found {len(documents)}")
    return documents[0], path.parent, source


def scenario_from_body(body, base: Path, source: str) -> Scenario:
    """Validate a scenario document (relative paths from `base`) into a `Scenario`."""
    spec = parse_spec(body, source)
    check_image_streams(spec, source)
    check_remotes(spec, source)
    nodes, pods = cluster_objects(spec, base, source)
    nodes, pools = cluster_pools(spec, nodes, source)
    check_instance_types(spec, nodes, base, source)
    config = config_body(spec, base, source)
    if spec.registry.config is not None:
        config_source, prefix = source, "registry.config"
    else:
        config_source, prefix = str(config_file(spec, base)), ""
    registry = registry_config(config, config_source, prefix)
    refuse_permanent(registry, config_source, prefix)  # named in the file it came from (check_scenario's is the scenario)
    check_registry_resources(registry, spec.traffic.memory.working_set, config_source, prefix)
    scenario = Scenario(spec, source, tuple(nodes), tuple(pods), registry, config, replay_requests(spec, base, source),
                        tuple(pools))
    check_scenario(scenario)
    check_routes(scenario, config_source, prefix)
    return scenario


def replay_requests(spec: ScenarioFile, base: Path, source: str) -> ReplayRequests | None:
    """`traffic.replay`'s access log, read now: a bad log is bad input of the scenario."""
    replay = spec.traffic.replay
    if replay is None:
        return None
    path = base / replay.access_log
    if not path.is_file():
        raise InputError(source, "traffic.replay.access_log", f"expected an access log file, got {shown(replay.access_log)} "
                                                              f"(paths are relative to the scenario file)")
    from twin.observed.accesslog import read_access_log  # pandas: only for scenarios that replay a log
    from twin.observed.replay import ReplayRequests
    requests = ReplayRequests.from_log(read_access_log(path), replay.speed)
    if not len(requests):
        raise InputError(str(path), "", "expected requests to replay (registry routes), found none")
    return requests


def parse_spec(body, source: str) -> ScenarioFile:
    try:
        return ScenarioFile.model_validate(body)
    except ValidationError as exc:
        path, message = format_validation_error(exc)
        raise InputError(source, path, message) from None


def cluster_objects(spec: ScenarioFile, base: Path, source: str) -> tuple[list[Node], list[Pod]]:
    cluster = spec.cluster
    if cluster.generate is not None:
        return generate_cluster(without_default_workers(cluster_shape(cluster.generate, source), cluster, source)), []
    nodes = load_nodes(base / cluster.nodes)
    pods = load_pods(base / cluster.pods, {n.name for n in nodes}) if cluster.pods else []
    return nodes, [p for p in pods if p.node_name is not None and not p.terminal]


def cluster_pools(spec: ScenarioFile, nodes: list[Node], source: str) -> tuple[list[Node], list]:
    """The nodes with the machine pools' machines, and the pools (`machine_pools.py`)."""
    cluster = spec.cluster
    shape = cluster_shape(cluster.generate, source) if cluster.generate is not None else None
    nodes, pools = machine_pool_objects(cluster, shape, nodes, source)
    check_pool_faults(spec.faults, pools, source)
    return nodes, pools


def check_instance_types(spec: ScenarioFile, nodes: list[Node], base: Path, source: str) -> None:
    """A node whose instance-type label names a type `resources/nodes.py` does not know
    needs its network from the scenario (`cluster.network` or `cluster.node_network`):
    the data plane would otherwise give it m5.xlarge's silently. Reported at the label,
    in the node file or in the generated workers' labels."""
    for index, node in enumerate(nodes):
        found = unknown_instance_type(node.labels)
        if found is None or has_network(spec, node.name):
            continue
        label, kind = found
        message = unknown_instance_type_message(kind, node.name)
        if spec.cluster.nodes is None:  # a generated worker, labelled by worker.labels
            raise InputError(source, field_path(("cluster", "generate", "worker", "labels", label)), message)
        manifest = list(iter_manifests(base / spec.cluster.nodes))[index]  # load_nodes: one node per manifest
        raise InputError(manifest.source, manifest.where(field_path(("metadata", "labels", label))), message)


def cluster_shape(generate: GeneratedCluster, source: str) -> ClusterShape:
    """A generated cluster's workers: with an instance type other than m5.xlarge and no
    `cpu` or `memory` of their own, allocatable as OpenShift's kubelet leaves it on that
    type (`resources/nodes.py` `allocatable`)."""
    worker = generate.worker
    given = worker.model_fields_set
    if generate.workers_per_zone == 0 and generate.control_plane == 0:
        raise InputError(source, "cluster.generate", "expected at least one node, got workers_per_zone 0 and "
                                                     "control_plane 0 (nothing could run)")
    refuse_labels(source, "cluster.generate.worker.labels", worker.labels)
    cpu, memory = (_allocatable(worker, name, source) for name in ("cpu", "memory"))
    if worker.instance_type != DEFAULT_INSTANCE_TYPE:
        typical_cpu, typical_memory = allocatable(worker.instance_type)
        cpu = cpu if "cpu" in given else typical_cpu
        memory = memory if "memory" in given else typical_memory
    taints = tuple(_taint(t, i, source) for i, t in enumerate(worker.taints))
    for i, taint in enumerate(taints):
        if any((t.key, t.effect) == (taint.key, taint.effect) for t in taints[:i]):
            raise InputError(source, f"cluster.generate.worker.taints[{i}]", f"expected taints unique by key and "
                             f"effect, got a second {taint.key}:{taint.effect}")
    problem = kv.label_value_problem(generate.region + "a")  # the zones' labels: <region>a, <region>b ...
    if problem:
        raise InputError(source, "cluster.generate.region", f"expected a region usable as a node label value, as "
                         f"are its zones {generate.region}a, {generate.region}b ... ({problem}), got {shown(generate.region)}")
    return ClusterShape(
        generate.zones, generate.workers_per_zone, generate.control_plane, generate.region,
        worker_cpu_millis=cpu, worker_memory=memory, max_pods=worker.pods,
        worker_labels=tuple(sorted(worker.labels.items())), worker_taints=taints,
        worker_instance_type=worker.instance_type,
    )


def _allocatable(worker, name: str, source: str) -> int:
    """A generated worker's `cpu` (millicores) or `memory` (bytes): a quantity >= 0."""
    amount = getattr(worker, name)
    try:
        parsed = milli_value(amount) if name == "cpu" else value(amount)
    except QuantityError as exc:
        raise InputError(source, f"cluster.generate.worker.{name}", str(exc)) from None
    if parsed < 0:
        raise InputError(source, f"cluster.generate.worker.{name}",
                         f"expected a quantity that is not negative, got {shown(amount)}")
    return parsed


def _taint(raw: dict, index: int, source: str) -> Taint:
    path = f"cluster.generate.worker.taints[{index}]"
    effect = raw.get("effect", NO_SCHEDULE)
    if effect not in (NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE):
        raise InputError(source, f"{path}.effect", f"expected NoSchedule, PreferNoSchedule or NoExecute, got {shown(effect)}")
    if "key" not in raw:
        raise InputError(source, f"{path}.key", "required field is missing")
    message = kv.expected_qualified_name(raw["key"])  # core validateNodeTaints
    if message:
        raise InputError(source, f"{path}.key", message)
    message = kv.expected_label_value(raw.get("value", ""))
    if message:
        raise InputError(source, f"{path}.value", message)
    return Taint(raw["key"], raw.get("value", ""), effect)


def config_body(spec: ScenarioFile, base: Path, source: str) -> dict:
    """The Config CR: inline, from `config_file`, or the bundled ROSA default."""
    registry = spec.registry
    if registry.config is not None and registry.config_file is not None:
        raise InputError(source, "registry", "expected config or config_file, not both")
    if registry.config is not None:
        return {**CONFIG_IDENTITY, **registry.config}
    file = config_file(spec, base)
    documents = read_documents(file)
    if len(documents) != 1 or not isinstance(documents[0], dict):
        raise InputError(str(file), "", "expected exactly one Config object")
    return documents[0]


def config_file(spec: ScenarioFile, base: Path) -> Path:
    return base / spec.registry.config_file if spec.registry.config_file is not None else DEFAULT_CONFIG


def registry_config(body: dict, source: str, prefix: str) -> RegistryConfig:
    try:
        return parse_registry_config(body, source)
    except InputError as exc:
        raise (exc.within(prefix) if prefix else exc) from None
