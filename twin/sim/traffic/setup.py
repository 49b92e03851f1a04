"""Put the request path into a world: the engine, the kubelets' image puller, the
storage health gate with its probes, and the scraper."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.model.registry.catalogue import Catalogue
from twin.model.registry.traffic import TrafficParams
from twin.model.registry.versions import OpenShiftVersion
from twin.sim.observers import is_registry_pod
from twin.sim.traffic.capacity import NetworkOverrides
from twin.sim.traffic.engine import TrafficEngine
from twin.sim.traffic.probes import StorageHealth
from twin.sim.traffic.pulls import ImagePuller
from twin.sim.traffic.scrapes import Scraper, Scrapes
from twin.sim.world import World


@dataclass
class Traffic:
    engine: TrafficEngine
    health: StorageHealth
    scrapes: Scrapes


def install_traffic(world: World, kubelets, faults, params: TrafficParams, version: OpenShiftVersion, *,
                    warm_up: float, scrape_interval: float, keep_scrapes: bool = False,
                    phase_edges: tuple[float, ...] = (), network: NetworkOverrides = NetworkOverrides()) -> Traffic:
    rng = (world.streams("traffic.catalogue") if params.catalogue.seed is None
           else np.random.default_rng(params.catalogue.seed))
    catalogue = Catalogue.generate(params.catalogue, rng)
    engine = TrafficEngine(world, params, catalogue, version, warm_up, phase_edges=phase_edges, network=network)
    kubelets.traffic = engine
    engine.kubelets = kubelets
    kubelets.puller = ImagePuller(world, engine, catalogue, warm_up)
    health = StorageHealth(world, kubelets, engine)
    engine.on_start.append(health.container_started)
    faults.storage = health
    faults.traffic = engine
    scrapes = Scrapes(scrape_interval, keep_scrapes)
    if keep_scrapes:
        engine.observe_metrics = True
        Scraper(world, engine, scrapes)
    for record in world.store.list("Pod"):  # registry pods given as running at the start
        if is_registry_pod(record) and record.status.phase == "Running" and record.pod.node_name:
            engine.container_started(record)
            engine.on_pod(None, record)
    return Traffic(engine, health, scrapes)
