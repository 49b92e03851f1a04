"""Strategies for scenarios with request traffic: request limits, readOnly,
disableRedirect and memory and CPU limits in the Config, background load and client
behaviour, object-store ceilings and node bandwidth, apps pulling from the registry, and
fault timelines that hit the request path (zone outage, node crash, storage outage,
Config edits that restart the registry)."""

from __future__ import annotations

import copy

from twin.model.objects import ZONE_KEY
from twin.model.registry import parse_registry_config
from twin.scenarios.scenario import Scenario
from twin.scenarios.spec import ScenarioFile
from twin.strategies.base import _chance, _int, _pick, _strategy
from twin.strategies.scenarios import ROSA_CONFIG, _draw_cluster_nodes

DURATION = 1200
EDITS = ({"readOnly": True}, {"readOnly": False}, {"disableRedirect": True},
         {"requests": {"read": {"maxRunning": 2, "maxInQueue": 2}}})
"""Config edits that roll the registry: each changes the pod template."""
INTERNAL = "image-registry.openshift-image-registry.svc:5000/apps/app-{i}:1"


def _draw_request_limits(draw) -> dict:
    """A `spec.requests.read` or `.write`: often unlimited, otherwise small limits so
    that they are reached."""
    if _chance(draw, 3):
        return {}
    limits = {"maxRunning": _int(draw, 0, 8), "maxInQueue": _int(draw, 0, 16)}  # negative: an apply error
    if _chance(draw, 2):
        limits["maxWaitInQueue"] = _pick(draw, ("100ms", "1s", "5s"))
    return limits


def _draw_traffic_config_bodies(draw) -> dict:
    body = copy.deepcopy(ROSA_CONFIG)
    spec = body["spec"]
    spec["replicas"] = _int(draw, 1, 3)
    spec["requests"] = {"read": _draw_request_limits(draw), "write": _draw_request_limits(draw)}
    spec["readOnly"] = _chance(draw, 4)
    spec["disableRedirect"] = _chance(draw, 3)
    if _chance(draw, 3):  # a memory limit, tight enough that pushes may cross it
        memory = _pick(draw, ("160Mi", "256Mi", "1Gi"))
        spec["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"},
                             "limits": {"memory": memory, **({"cpu": "500m"} if _chance(draw, 2) else {})}}
    return body


def _draw_traffic_sections(draw) -> dict:
    return {
        "warm_up": _pick(draw, (0, 60, 120)),
        "background": {"pulls": {"constant": _pick(draw, (0, 5, 15))},
                       "pushes": {"constant": _pick(draw, (0, 0.5, 2))}},
        "clients": {"pull": {"attempts": _int(draw, 1, 5), "lanes": _int(draw, 1, 6)},
                    "push": {"attempts": _int(draw, 1, 5), "honour_retry_after": _chance(draw, 2)}},
        **({"storage": {"read_rate": _pick(draw, (50, 500)), "split_after": 60}} if _chance(draw, 4) else {}),
    }


def _draw_traffic_faults(draw, zones: tuple[str, ...]) -> list[dict]:
    """Sorted faults within 20 minutes, each present by chance."""
    faults = []
    if zones and _chance(draw, 2):
        faults += [{"at": 300, "zone_outage": {"zone": "registry"}}, {"at": 900, "zone_recovery": {"zone": "registry"}}]
    if _chance(draw, 3):
        faults += [{"at": 240, "node_crash": {"node": "registry"}}, {"at": 420, "node_recovery": {"node": "registry"}}]
    if _chance(draw, 3):
        faults += [{"at": 360, "storage_outage": {}}, {"at": 360 + _pick(draw, (20, 90, 240)), "storage_recovery": {}}]
    if _chance(draw, 3):
        edit = EDITS[_int(draw, 0, len(EDITS) - 1)]
        faults.append({"at": 600, "config_edit": {"patch": {"spec": copy.deepcopy(edit)}}})
    if _chance(draw, 4):
        faults.append({"at": 700, "drain": {"node": "registry"}})
    return sorted(faults, key=lambda f: f["at"])


def _draw_traffic_scenarios(draw) -> Scenario:
    """A 20-minute scenario on a small generated cluster with traffic, apps whose images
    live in the registry, and a fault timeline aimed at the request path."""
    nodes = _draw_cluster_nodes(draw, min_zones=2, max_zones=3, max_workers_per_zone=2)
    body = _draw_traffic_config_bodies(draw)
    zones = tuple(sorted({n.labels[ZONE_KEY] for n in nodes if ZONE_KEY in n.labels and n.name.startswith("worker")}))
    cluster = {"network": {"baseline": _pick(draw, ("200Mbit/s", "1.25Gbit/s")), "burst": "10Gbit/s"}} if _chance(draw, 3) else {}
    spec = ScenarioFile.model_validate({
        "name": "generated-traffic", "seed": _int(draw, 0, 2**16), "duration": DURATION, "openshift": "4.23",
        "cluster": {"generate": {}, **cluster},
        "workloads": [{"name": "app", "copies": _int(draw, 1, 4), "replicas": _int(draw, 1, 3), "image": INTERNAL,
                       "requests": {"cpu": "10m"}}] if _chance(draw, 2) else [],
        "traffic": _draw_traffic_sections(draw),
        "faults": _draw_traffic_faults(draw, zones),
    })
    return Scenario(spec, "generated-traffic", nodes, (), parse_registry_config(body, "generated-traffic"), body)


request_limits = _strategy(_draw_request_limits)
traffic_config_bodies = _strategy(_draw_traffic_config_bodies)
traffic_scenarios = _strategy(_draw_traffic_scenarios)
