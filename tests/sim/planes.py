"""Building a data plane without a cluster, for the plane's own tests: pods with given
settings and cores, a node link, an object store, and open-loop or closed-loop
request sources whose requests carry exactly the CPU work the test chooses."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from twin.model.registry.batch import Client
from twin.model.registry.requests import Kind
from twin.model.registry.resources.memory import MemoryParams
from twin.model.registry.resources.nodes import NetworkSpec
from twin.model.registry.resources.objectstore import ObjectStore, ObjectStoreParams
from twin.model.registry.service import DEFAULT_CPU, ServiceParams
from twin.model.registry.settings import RegistrySettings
from twin.sim.traffic.exchange import CALL, Connection, Owner, Req
from twin.sim.traffic.plane import DataPlane
from twin.sim.traffic.pod import PodServer

BARE = ServiceParams(cpu=MappingProxyType({k: 0.0 for k in DEFAULT_CPU}), tls_handshake=0.0, cpu_per_byte=0.0,
                     review_latency=None)
"""No CPU of its own per kind, per byte or per handshake, and no API reviews: a request's
CPU is what the test gives it."""
WORK_KIND = Kind.TOKEN_GET
"""A kind without storage operations or S3 calls: its time in the pod is its CPU alone."""


def plane(service: ServiceParams = BARE, memory: MemoryParams = MemoryParams(), network: NetworkSpec | None = None,
          store: ObjectStoreParams = ObjectStoreParams(partitions=256), seed: int = 0) -> DataPlane:
    rng = np.random.default_rng(seed)
    net = network or NetworkSpec.of(1e12)
    return DataPlane(service, memory, ObjectStore(store, rng.spawn(1)[0]), lambda node: net, rng.spawn(1)[0],
                     rng.spawn(1)[0])


def pod(p: DataPlane, key: str = "registry-0", settings: RegistrySettings = RegistrySettings(), cores: float = 1.0,
        memory: MemoryParams = MemoryParams(), memory_limit: int | None = None, node: str = "node-0") -> PodServer:
    server = PodServer(key, node, settings, cores, memory, memory_limit, p.now)
    p.add_server(server)
    p.endpoints = sorted([*p.endpoints, key])
    return server


class Ended(Owner):
    """Keeps every request it hears of."""

    def __init__(self) -> None:
        self.requests: list[Req] = []

    def answered(self, r: Req, now: float) -> None:
        self.requests.append(r)


def send_at(p: DataPlane, t: float, kind: int = WORK_KIND, work: float = 0.0, nbytes: int = 0, owner: Owner | None = None,
            pod_key: str | None = None) -> None:
    """A request of `kind` sent at `t` on a new connection, with `work` core-seconds."""

    def go(now: float) -> None:
        r = Req(kind, nbytes, Client.PULL, owner)
        r.cpu = work
        p.send(r, Connection(direct=pod_key))

    p.schedule(t, CALL, go)


def poisson(p: DataPlane, rate: float, works: np.ndarray, rng: np.random.Generator, owner: Owner) -> float:
    """Open-loop Poisson arrivals at `rate` carrying `works`; returns the last arrival."""
    times = np.cumsum(rng.exponential(1 / rate, len(works)))
    for t, w in zip(times.tolist(), works.tolist()):
        send_at(p, t, work=w, owner=owner)
    return float(times[-1])
