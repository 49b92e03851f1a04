"""Scenario -> World -> Result: assemble the simulation for a scenario, run it, and
judge the invariants (`spec/architecture.md`, layer "run")."""

from __future__ import annotations

import gc
from contextlib import contextmanager

from dataclasses import dataclass, replace

from twin.model.objects import Node
from twin.model.registry import openshift_version
from twin.model.registry.render import NAMESPACE
from twin.model.registry.routes import route_admissions
from twin.model.workloads import PodRecord, PodStatus
from twin.scenarios.checks import check_scenario
from twin.scenarios.clusters import ClusterShape, _worker
from twin.scenarios.images_spec import image_pullers, image_streams_in_api
from twin.scenarios.priority_spec import priority_classes
from twin.scenarios.scenario import Scenario
from twin.scenarios.workloads import build_configs, triggered_deployments, workload_deployments
from twin.sim.autoscaler import ClusterAutoscaler
from twin.sim.daemonsets import NodeCADaemonSet
from twin.sim.deployments import DeploymentController
from twin.sim.descheduler import Descheduler
from twin.sim.disruption import DisruptionController
from twin.sim.faults import FaultTimeline
from twin.sim.images import install_image_streams
from twin.sim.imports import install_imports
from twin.sim.pruner import install_pruner
from twin.sim.volumes import PodGarbageCollector, RegistryVolume
from twin.sim.indexes import PodsByOwner
from twin.sim.kubelet import Kubelets
from twin.sim.machines import Machines
from twin.sim.node_lifecycle import NodeLifecycleController, TaintEvictionController
from twin.sim.observers import DeploymentWatch, RegistryWatch, WorkloadWatch
from twin.sim.operator import RegistryOperator
from twin.sim.recorder import Record
from twin.sim.replicasets import ReplicaSetController
from twin.sim.scheduling import SchedulerLoop
from twin.sim.traffic.capacity import NetworkOverrides
from twin.sim.traffic.replay import ReplaySource
from twin.sim.traffic.setup import Traffic, install_traffic
from twin.sim.world import World, WorldParams

KUBERNETES_MINOR = {"4.21": 34, "4.22": 35, "4.23": 36}


@dataclass
class RunResult:
    scenario: str
    seed: int
    openshift: str
    duration: float
    records: list[Record]
    world: World
    traffic: Traffic | None = None


def build_world(scenario: Scenario, seed: int, openshift: str, metrics_every: float | None = None
                ) -> tuple[World, FaultTimeline, Traffic]:
    spec = scenario.spec
    version = openshift_version(openshift)
    minor = int(spec.kubernetes.split(".")[1]) if spec.kubernetes else KUBERNETES_MINOR[openshift]
    params = WorldParams(kubernetes_minor=minor,
                         default_pull_seconds=spec.images.default_pull_seconds, pull_seconds=dict(spec.images.pull_seconds),
                         latency_profile=spec.cluster.worker_latency_profile)
    world = World(seed, params)
    world.priority_classes = priority_classes(spec)
    for node in scenario.nodes:
        world.add_node(node)
    for pod in scenario.pods:
        world.put_pod(PodRecord(pod, PodStatus(phase="Running", ready=True, ready_since=0.0, started=0.0)))
    pods = PodsByOwner(world.store)
    kubelets = Kubelets(world)
    scheduler = SchedulerLoop(world)
    ReplicaSetController(world, pods)
    DeploymentController(world, pods)
    disruption = DisruptionController(world)
    NodeLifecycleController(world)
    TaintEvictionController(world)
    NodeCADaemonSet(world, pods)
    RegistryWatch(world)
    DeploymentWatch(world)
    WorkloadWatch(world)
    router = spec.traffic.router
    RegistryOperator(world, version, ingress=(router.domain, router.claims()))
    world.store.put("Config", "cluster", scenario.config)
    deployments = workload_deployments(spec.workloads)
    followers = triggered_deployments(spec.workloads)
    following = {f.key for f in followers}
    for deployment in deployments:
        if deployment.key not in following:
            world.store.put("Deployment", deployment.key, deployment)
    if scenario.config.storage.claim_name is not None:
        kubelets.volume = RegistryVolume(world, NAMESPACE, scenario.config.storage.claim_name)
    if any(f.kind == "out_of_service" for f in spec.faults):
        PodGarbageCollector(world)
    faults = FaultTimeline(world, kubelets, disruption, scenario.config_body, _node_factory(scenario))
    install_machines(world, scenario, faults, scheduler, disruption)
    if spec.descheduler is not None:  # the Kube Descheduler Operator's descheduler (off by default)
        Descheduler(world, disruption, spec.descheduler)
    t = spec.traffic
    traffic = install_traffic(world, kubelets, faults, with_admission(t.to_params(), scenario.config, t), version,
                              warm_up=t.warm_up,
                              scrape_interval=metrics_every or t.scrape_interval, keep_scrapes=metrics_every is not None,
                              phase_edges=tuple(f.at for f in spec.faults), network=network_overrides(spec))
    if kubelets.puller is not None:
        kubelets.puller.pullers = image_pullers(spec)
    builds = build_configs(spec.workloads)
    pruner = spec.registry.pruner
    if followers or builds or spec.remotes or pruner is not None or any(f.kind == "push" for f in spec.faults):
        images = install_image_streams(world, kubelets, faults, traffic.engine, followers, builds,
                                       image_streams_in_api(spec))
        if spec.remotes:
            install_imports(world, faults, traffic.engine, images, spec).start()
        for deployment in deployments:
            if deployment.key in following:
                deployment = images.initial_template(deployment)
                world.store.put("Deployment", deployment.key, deployment)
        if pruner is not None:
            traffic.engine.pruner = install_pruner(world, traffic.engine, faults, images.streams, pruner.to_spec(),
                                                   pruner.clock_seconds, spec.duration)
    if scenario.replay is not None:
        ReplaySource(traffic.engine.plane, scenario.replay, start=t.warm_up).begin()
    return world, faults, traffic


def install_machines(world: World, scenario: Scenario, faults: FaultTimeline, scheduler: SchedulerLoop,
                     disruption: DisruptionController) -> None:
    """The machine pools' MachineSets (`faults.machines`, a `CloudProvider`) when the
    scenario has pools, a `scale_pool` fault or an autoscaler; the cluster autoscaler on
    them when `cluster.autoscaler` is set, its max-node-provision-time passed down."""
    spec = scenario.spec
    autoscaler = spec.cluster.autoscaler
    if not (spec.cluster.machine_pools or autoscaler is not None or any(f.kind == "scale_pool" for f in spec.faults)):
        return
    if autoscaler is None:
        faults.machines = Machines(world, scenario.pools)
        return
    settings = autoscaler.to_settings()
    faults.machines = Machines(world, scenario.pools, settings.max_node_provision_time)
    ClusterAutoscaler(world, scheduler, disruption, faults.machines, settings)


def with_admission(params, config, traffic):
    """The router answers through the registry's route only when one is admitted (decided
    from the scenario's Config: ASSUMPTION, a `config_edit` of the routes does not reach
    the router's admission)."""
    admissions = route_admissions(config, traffic.router.domain, traffic.router.claims())
    return replace(params, router=replace(params.router, admitted=any(a.admitted for a in admissions)))


def network_overrides(spec) -> NetworkOverrides:
    cluster = spec.cluster
    return NetworkOverrides(cluster.network.to_network() if cluster.network else None,
                            {name: n.to_network() for name, n in cluster.node_network.items()})


PROGRESS_STEPS = 100


def run_scenario(scenario: Scenario, seed: int | None = None, openshift: str | None = None,
                 metrics_every: float | None = None, progress=None, access_log=None) -> RunResult:
    """`metrics_every`: scrape the registry pods at this interval and keep each scrape's
    exposition text (otherwise the scenario's scrape interval, samples only).
    `access_log`: a text stream the registry pods' access-log lines are written to.
    `progress(now, duration)`: called after each hundredth of the simulated time. Stopping
    the clock at those instants changes no event's order, so the outputs are the same."""
    seed = scenario.spec.seed if seed is None else seed
    openshift = openshift or scenario.spec.openshift
    check_scenario(scenario)
    world, faults, traffic = build_world(scenario, seed, openshift, metrics_every)
    traffic.engine.access_log = access_log
    world.env.process(faults.run(list(scenario.spec.faults)))
    with fewer_collections():
        _advance(world, scenario.spec.duration, progress)
        traffic.engine.finish()
    return RunResult(scenario.spec.name, seed, openshift, scenario.spec.duration, world.recorder.records, world, traffic)


def _advance(world: World, duration: float, progress) -> None:
    if progress is None:
        world.run(until=duration)
        return
    for step in range(1, PROGRESS_STEPS + 1):
        now = duration * step / PROGRESS_STEPS
        world.run(until=now)
        progress(now, duration)


@contextmanager
def fewer_collections():
    """Run without the cyclic garbage collector: a run allocates tens of millions of
    short-lived request objects, which reference counting frees at once (the data plane
    breaks its own cycles: a client lets go of its connections when it ends), and the
    collector's passes over them cost a tenth of a traffic run. What is left for it
    (SimPy's finished events and processes) waits for its next pass after the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _node_factory(scenario: Scenario):
    shape = ClusterShape()

    def new_node(name: str, zone: str, labels: dict) -> Node:
        node = _worker(shape, zone, 0)
        return replace(node, name=name, labels={**node.labels, "kubernetes.io/hostname": name, **labels})

    return new_node


__all__ = ["NAMESPACE", "RunResult", "build_world", "run_scenario"]
