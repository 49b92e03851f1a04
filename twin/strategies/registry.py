"""Strategies for registry Configs (`configs.imageregistry.operator.openshift.io`) and
OpenShift versions."""

from __future__ import annotations

from dataclasses import replace

from twin.model.objects import HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY
from twin.model.registry import VERSIONS, RegistryConfig, default_rosa_config
from twin.strategies.base import ZONES, _chance, _int, _pick, _some, _strategy, _unique

REGISTRY_SELECTOR = {"matchLabels": {"docker-registry": "default"}}
NODE_SELECTORS = ({WORKER_ROLE_KEY: ""}, {ZONE_KEY: ZONES[0]}, {})


def _draw_registry_configs(draw, min_replicas: int = 1, max_replicas: int = 6) -> RegistryConfig:
    """The ROSA default Config with `min_replicas`..`max_replicas` replicas, either
    rollout strategy, and sometimes a nodeSelector (worker role or one zone) and/or the
    user's own spread constraints (1-3, over hostname, zone or the worker role, written
    as in a Config CR)."""
    config = replace(default_rosa_config(), replicas=_int(draw, min_replicas, max_replicas),
                     rollout_strategy=_pick(draw, ("RollingUpdate", "Recreate", "")))
    if _chance(draw, 3):
        chosen = NODE_SELECTORS[_int(draw, 0, len(NODE_SELECTORS) - 1)]
        config = replace(config, node_selector=dict(chosen))
    if _chance(draw, 3):
        constraints = _unique(_some(draw, _draw_user_constraint, 3, 1), key=lambda c: c["topologyKey"])
        config = replace(config, topology_spread_constraints=tuple(constraints))
    return config


def _draw_user_constraint(draw) -> dict:
    return {
        "maxSkew": _int(draw, 1, 2), "topologyKey": _pick(draw, (HOSTNAME_KEY, ZONE_KEY, WORKER_ROLE_KEY)),
        "whenUnsatisfiable": _pick(draw, ("DoNotSchedule", "ScheduleAnyway")),
        "labelSelector": {"matchLabels": dict(REGISTRY_SELECTOR["matchLabels"])},
    }


def _draw_openshift_versions(draw) -> str:
    """One of the supported OpenShift versions ("4.21", "4.22", "4.23")."""
    return _pick(draw, tuple(VERSIONS))


registry_configs = _strategy(_draw_registry_configs)
openshift_versions = _strategy(_draw_openshift_versions)
