"""Strategies for Services, owner workloads and Namespaces."""

from __future__ import annotations

from twin.model.labels import LabelSelector
from twin.model.objects import Namespace, Service, Workload
from twin.strategies.base import (
    NAMESPACE_NAME_KEY,
    NAMESPACES,
    WORKLOAD_KINDS,
    _chance,
    _int,
    _pick,
    _strategy,
)
from twin.strategies.labels import _draw_label_maps, _draw_label_selectors

# --- other objects ----------------------------------------------------------------


def _draw_services(draw, name: str = "svc-0", namespaces=NAMESPACES) -> Service:
    """A Service selecting pods by a label map from the shared alphabet (maybe empty)."""
    return Service(name, _pick(draw, namespaces), _draw_label_maps(draw))


def _draw_workloads(draw, name: str = "rs-a", namespaces=NAMESPACES) -> Workload:
    """A ReplicaSet, StatefulSet, Deployment or ReplicationController with 0-5 replicas;
    the selector is unset one time in five, and only matchLabels for a
    ReplicationController (whose selector is a plain map)."""
    kind = _pick(draw, WORKLOAD_KINDS)
    selector = None
    if not _chance(draw, 5):
        rc = kind == "ReplicationController"
        selector = LabelSelector.of(_draw_label_maps(draw)) if rc else _draw_label_selectors(draw)
    return Workload(kind, name, _pick(draw, namespaces), selector, _int(draw, 0, 5))


def _draw_namespace_objects(draw, names=NAMESPACES) -> Namespace:
    """A Namespace labelled `kubernetes.io/metadata.name` plus shared-alphabet labels."""
    name = _pick(draw, names)
    return Namespace(name, {NAMESPACE_NAME_KEY: name, **_draw_label_maps(draw)})


services = _strategy(_draw_services)
workloads = _strategy(_draw_workloads)
namespace_objects = _strategy(_draw_namespace_objects)
