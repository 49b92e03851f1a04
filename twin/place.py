"""Where the registry's replicas land: render the Deployment for a Config, nodes and an
OpenShift version, then schedule its replicas one by one, each seeing the ones before
(the foundation's main job, before the simulation exists)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import Namespace, Node, Pod, Service, Workload
from twin.model.registry import OpenShiftVersion, RegistryConfig, RenderedRegistry, render_registry, validate
from twin.model.registry.replicas import replica_pods
from twin.model.registry.validate import ConfigProblem
from twin.model.scheduling import Scheduler, SchedulerConfig, ScheduleResult
from twin.model.scheduling.context import Notice
from twin.model.scheduling.inputs import leave_out_scheduled
from twin.model.storage import StorageObjects


@dataclass
class Placement:
    """The rendered operands, the problems the operator would report, and one
    scheduling result per replica in creation order; `notes` about the inputs (existing
    pods left out because they are replicas being placed)."""

    rendered: RenderedRegistry
    problems: list[ConfigProblem]
    results: list[ScheduleResult] = field(default_factory=list)
    view: ClusterView | None = None
    notes: list[Notice] = field(default_factory=list)

    def warnings(self) -> list[Notice]:
        """The notes, then every cycle's warnings, each once."""
        seen: list[Notice] = list(self.notes)
        for result in self.results:
            seen += [n for n in result.notices if n not in seen]
        return seen

    @property
    def pending(self) -> int:
        return sum(r.selected is None for r in self.results)


def place_registry(
    config: RegistryConfig,
    nodes: list[Node],
    version: OpenShiftVersion,
    pods: Iterable[Pod] = (),
    services: Iterable[Service] = (),
    workloads: Iterable[Workload] = (),
    namespaces: Iterable[Namespace] = (),
    claims: Mapping[str, tuple[str, ...]] | None = None,
    seed: int = 0,
    scheduler_config: SchedulerConfig | None = None,
    storage: StorageObjects | None = None,
) -> Placement:
    """Render, verify and place. Replicas are not placed when verification fails with a
    permanent error (the operator would not apply the Deployment)."""
    rendered = render_registry(config, nodes, version)
    problems = validate(config, claims or {})
    placement = Placement(rendered, problems)
    if any(p.permanent for p in problems):
        return placement
    streams = np.random.default_rng(seed).spawn(2)  # pod names, scheduler ties
    replicas = replica_pods(rendered, max(config.replicas, 0), streams[0])
    pods, placement.notes = leave_out_scheduled(pods, replicas)
    view = ClusterView(nodes, pods, services, workloads, namespaces, storage)
    scheduler = Scheduler(scheduler_config, streams[1])
    for pod in replicas:
        placement.results.append(scheduler.place(view, pod))
    placement.view = view
    return placement
