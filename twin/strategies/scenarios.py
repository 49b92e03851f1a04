"""Strategies for whole scenarios: generated clusters, registry Configs and fault
timelines, as `Scenario` values ready for `twin.run.run_scenario`."""

from __future__ import annotations

import copy

from twin.model.objects import HOSTNAME_KEY, NO_SCHEDULE, ZONE_KEY, Node, Taint
from twin.model.registry import parse_registry_config
from twin.scenarios.clusters import ClusterShape, generate_cluster
from twin.scenarios.scenario import Scenario
from twin.scenarios.spec import ScenarioFile
from twin.strategies.base import _chance, _int, _pick, _strategy

ROSA_CONFIG = {
    "apiVersion": "imageregistry.operator.openshift.io/v1", "kind": "Config", "metadata": {"name": "cluster"},
    "spec": {"managementState": "Managed", "replicas": 2, "rolloutStrategy": "RollingUpdate",
             "storage": {"managementState": "Managed", "s3": {"bucket": "registry", "region": "us-east-1"}}},
}


def _draw_cluster_nodes(draw, min_zones: int = 1, max_zones: int = 4, max_workers_per_zone: int = 8,
                        unlabelled: bool = True, tainted: bool = True, uniform: bool = False) -> tuple[Node, ...]:
    """A ROSA-like cluster (`twin.scenarios.clusters`): 1-3 control-plane nodes and
    `min_zones`..`max_zones` zones of 1..`max_workers_per_zone` workers (the same number
    in every zone when `uniform`); optionally one worker in six loses its zone label and
    one in eight is tainted NoSchedule."""
    shape = ClusterShape(zones=_int(draw, min_zones, max_zones), workers_per_zone=1, control_plane=_int(draw, 1, 3))
    nodes = [n for n in generate_cluster(shape) if n.name.startswith("master")]
    same = _int(draw, 1, max_workers_per_zone)
    for zone in shape.zone_names():
        for i in range(same if uniform else _int(draw, 1, max_workers_per_zone)):
            nodes.append(_worker(draw, shape, zone, i, unlabelled, tainted))
    return tuple(nodes)


def _worker(draw, shape: ClusterShape, zone: str, index: int, unlabelled: bool, tainted: bool) -> Node:
    node = next(n for n in generate_cluster(ClusterShape(zones=1, workers_per_zone=1, control_plane=0)))
    name = f"worker-{zone}-{index}"
    labels = {**node.labels, HOSTNAME_KEY: name, ZONE_KEY: zone}
    if unlabelled and _chance(draw, 6):
        labels.pop(ZONE_KEY)
    taints = (Taint("dedicated", "infra", NO_SCHEDULE),) if tainted and _chance(draw, 8) else ()
    return Node(name, labels, taints, dict(node.allocatable))


def _draw_registry_config_bodies(draw, min_replicas: int = 1, max_replicas: int = 6, custom: bool = True) -> dict:
    """A Config CR: the ROSA default with 1-6 replicas, either rollout strategy, and with
    `custom` sometimes a nodeSelector or the user's own spread constraints."""
    body = copy.deepcopy(ROSA_CONFIG)
    spec = body["spec"]
    spec["replicas"] = _int(draw, min_replicas, max_replicas)
    spec["rolloutStrategy"] = _pick(draw, ("RollingUpdate", "Recreate"))
    if custom and _chance(draw, 4):
        spec["nodeSelector"] = {"node-role.kubernetes.io/worker": ""}
    elif custom and _chance(draw, 4):
        spec["topologySpreadConstraints"] = [{
            "maxSkew": _int(draw, 1, 2), "topologyKey": _pick(draw, (ZONE_KEY, HOSTNAME_KEY)),
            "whenUnsatisfiable": _pick(draw, ("DoNotSchedule", "ScheduleAnyway")),
            "labelSelector": {"matchLabels": {"docker-registry": "default"}},
        }]
    return body


def _draw_fault_timelines(draw, zones: tuple[str, ...], outage: bool = True, others: bool = True) -> list[dict]:
    """Sorted faults: a zone outage at 10 min with recovery at 40 min (always when
    `outage`, the zone being "registry" or a named one); with `others`, sometimes a
    registry node crash with recovery, a drain of a registry node, a Config edit of
    replicas or logLevel."""
    faults = []
    if outage and zones:
        zone = _pick(draw, ("registry",) + zones)
        faults += [{"at": 600, "zone_outage": {"zone": zone}}, {"at": 2400, "zone_recovery": {"zone": zone}}]
    if others:
        faults += _other_faults(draw)
    return sorted(faults, key=lambda f: f["at"])


def _other_faults(draw) -> list[dict]:
    faults = []
    if _chance(draw, 3):
        faults += [{"at": 300, "node_crash": {"node": "registry"}}, {"at": 420, "node_recovery": {"node": "registry"}}]
    if _chance(draw, 3):
        faults.append({"at": 2700, "drain": {"node": "registry"}})
    if _chance(draw, 3):
        key, value = _pick(draw, (("replicas", 3), ("logLevel", "Debug"), ("replicas", 1)))
        faults.append({"at": 3000, "config_edit": {"patch": {"spec": {key: value}}}})
    return faults


def _draw_scenarios(draw, openshift: str | None = None, outage: bool = True, others: bool = True, custom: bool = True,
                    max_replicas: int = 6, **cluster) -> Scenario:
    """A one-hour scenario over `cluster_nodes(**cluster)`, a Config from
    `registry_config_bodies` (custom constraints only with `custom`), a fault timeline
    from `fault_timelines(outage, others)` and a seed; `openshift` fixed or drawn."""
    nodes = _draw_cluster_nodes(draw, **cluster)
    body = _draw_registry_config_bodies(draw, max_replicas=max_replicas, custom=custom)
    zones = tuple(sorted({n.labels[ZONE_KEY] for n in nodes if ZONE_KEY in n.labels and n.name.startswith("worker")}))
    spec = ScenarioFile.model_validate({
        "name": "generated", "seed": _int(draw, 0, 2**16), "duration": 3600,
        "openshift": openshift or _pick(draw, ("4.21", "4.22", "4.23")),
        "faults": _draw_fault_timelines(draw, zones, outage, others),
    })
    return Scenario(spec, "generated", nodes, (), parse_registry_config(body, "generated"), body)


cluster_nodes = _strategy(_draw_cluster_nodes)
registry_config_bodies = _strategy(_draw_registry_config_bodies)
fault_timelines = _strategy(_draw_fault_timelines)
scenarios = _strategy(_draw_scenarios)
