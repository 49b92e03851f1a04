"""The traffic engine: the SimPy side of the data plane (`plane.py`). It keeps the plane's
view of the cluster current (the Service's endpoints, which containers run and with what
settings, cores and memory, which nodes are unreachable), moves the plane's clock
forward, and carries what the plane decides back into the cluster (OOM kills) and to the
processes waiting on it (kubelet pulls, drains, scrapes).

Time model: `advance(t)` runs the plane up to `t`. Every change the plane cannot see
calls `advance(now)` first, so every request meets the cluster as it was when it
arrived. A ticker advances every second while anything is in flight, every 0.1 s while
a SimPy process waits on the plane (the plane's answers carry their exact times; the
waiting process resumes at the next tick and schedules what follows from the exact
time), and at the statistics interval otherwise.
"""

from __future__ import annotations

from twin.model.registry.auth import verbs_of
from twin.model.registry.batch import Client
from twin.model.registry.catalogue import Catalogue, Image
from twin.model.registry.metrics import RegistryMetrics
from twin.model.registry.resources.objectstore import ObjectStore
from twin.model.registry.settings import RegistrySettings
from twin.model.registry.traffic import TrafficParams
from twin.model.registry.versions import OpenShiftVersion
from twin.model.workloads import PodRecord
from twin.sim.observers import is_registry_pod
from twin.sim.traffic.background import GENERATE_AHEAD, BackgroundClients
from twin.sim.traffic.capacity import NetworkOverrides, node_resources, registry_share
from twin.sim.traffic.flushing import Flusher
from twin.sim.traffic.plane import DataPlane
from twin.sim.traffic.pod import PodContent, PodServer
from twin.model.registry.clients import ClientPolicy
from twin.sim.traffic.router import Router
from twin.sim.traffic.sessions import DeleteSession, PullSession, PushSession
from twin.sim.traffic.stats import RequestStats
from twin.sim.traffic.totals import leave_records
from twin.sim.traffic.usage import ResourceUsage
from twin.sim.world import World

WATCH_TICK = 0.1
_NO_IMAGE = Image("", "", "", 0, -1, 0, (), ())  # a DeleteSession's (it pulls or pushes no image)
FLUSH_ROWS = 100_000


class Waiter:
    """A SimPy process waiting on the plane: `event` fires after the tick at which
    `ready()` first holds."""

    def __init__(self, world: World, ready) -> None:
        self.event = world.env.event()
        self.ready = ready


class TrafficEngine:
    def __init__(self, world: World, params: TrafficParams, catalogue: Catalogue, version: OpenShiftVersion,
                 warm_up: float = 0.0, series_every: float = 10.0, phase_edges: tuple[float, ...] = (),
                 network: NetworkOverrides = NetworkOverrides()) -> None:
        self.world = world
        self.params = params
        self.catalogue = catalogue
        self.version = version
        self.network = network
        self.store = ObjectStore(params.storage, world.streams("traffic.objectstore"))
        self.plane = DataPlane(params.service, params.memory, self.store, self._network_of, world.streams("traffic.routing"),
                               world.streams("traffic.service"))
        self.stats = RequestStats(series_every, phase_edges)
        self.usage = ResourceUsage()
        self.background = BackgroundClients(self.plane, params.background, catalogue,
                                            {Client.PULL: params.clients.pull, Client.PUSH: params.clients.push},
                                            world.streams("traffic.background"), self.stats.tally.ended, warm_up)
        if params.clients.pull.route or params.clients.push.route:  # external clients come through the router
            self.plane.router = Router(self.plane, params.router, world.streams("traffic.router"))
        self.roles: dict[Client, tuple[str, ...]] = {client: tuple(params.roles[client]) for client in Client}
        self.plane.verbs = [verbs_of(self.roles[client]) for client in Client]
        self.settings_of: dict[str, RegistrySettings] = {}  # every registry container that ran
        self.contents: dict[str, PodContent] = {}  # pods with storage of their own: what it holds (kept across restarts)
        self.warm_up = warm_up
        self.fresh: set[int] = set()  # blobs clients pushed as new (in no pod's seed)
        self.metrics: dict[str, RegistryMetrics] = {}
        self.flusher = Flusher(self)
        self.waiters: list[Waiter] = []
        self.wake = world.env.event()  # cuts the ticker's current wait short
        self.kubelets = None  # told of the containers the plane kills (OOM)
        self.on_start: list = []  # called with the pod key when a registry container starts
        self.after_advance: list = []  # called after every advance
        self.at_finish: list = []  # called at the end of the run, after the totals are left
        self.observe_metrics = False  # feed the pods' Prometheus metrics (only read when they are scraped)
        self.pruner = None  # the image pruner (`sim/pruner.py`), when the scenario has one
        self.access_log = None  # a text stream for the access log's lines (`accesslog.py`), when asked for
        world.store.subscribe("Pod", self.on_pod)
        world.env.process(self.ticker())
        world.env.process(self.sampler())

    @property
    def servers(self) -> dict[str, PodServer]:
        return self.plane.servers

    @property
    def endpoints(self) -> list[str]:
        return self.plane.endpoints

    # ----- moving time ------------------------------------------------------------------------
    def ticker(self):
        while True:
            self.wake = self.world.env.event()
            yield self.world.env.timeout(self.tick()) | self.wake
            self.advance(self.world.now)

    def sampler(self):
        """Every `series_every` seconds exactly: hand over what ended, and sample the pods'
        queues and the resources used (the series' rows fall on multiples of it)."""
        while True:
            yield self.world.env.timeout(self.stats.series_every)
            self.advance(self.world.now)
            self.flusher.flush()
            self.flusher.sample(self.world.now)

    def tick(self) -> float:
        if self.waiters:
            return WATCH_TICK
        busy = not self.background.idle or self.plane.pending > 0
        return 1.0 if busy else self.stats.series_every

    def advance(self, t: float) -> None:
        if t < self.plane.now:
            return
        self.background.generate(t + GENERATE_AHEAD)
        self.plane.run_until(t)
        self._carry_out()

    def _carry_out(self) -> None:
        """What the plane decided that the cluster must hear of: OOM kills (the kubelet
        restarts the container), and the processes waiting on the plane."""
        while self.plane.kills:
            when, key, reason = self.plane.kills.pop(0)
            if self.kubelets is not None:
                self.kubelets.container_died(key, when, reason)
        if self.waiters:
            ready = [w for w in self.waiters if w.ready()]
            self.waiters = [w for w in self.waiters if w not in ready]
            for waiter in ready:
                waiter.event.succeed()
        if self.plane.finished_rows >= FLUSH_ROWS:
            self.flusher.flush()
        for hook in self.after_advance:
            hook()

    def wait_for(self, ready):
        """A SimPy event that fires once `ready()` holds (checked at every tick)."""
        waiter = Waiter(self.world, ready)
        if ready():
            waiter.event.succeed()
        else:
            self.waiters.append(waiter)
            if not self.wake.triggered:
                self.wake.succeed()  # the ticker goes to the short tick now
        return waiter.event

    # ----- the Service's endpoints and the pods' containers ----------------------------------------
    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        if is_registry_pod(record):
            if new is None:
                self.container_stopped(record.key)  # force-deleted with its node
            self._update_endpoints()
        self._update_cores(old, new)

    def _update_endpoints(self) -> None:
        """Ready and not terminating: the endpoints; terminating but still Ready (serving):
        used only when no endpoint is Ready (KEP-1669, GA in 1.28; OVN-Kubernetes
        `getSelectedEligibleEndpoints` does the same)."""
        pods = [r for r in self.world.store.list("Pod") if is_registry_pod(r) and r.pod.node_name and r.status.ready]
        ready = sorted(r.key for r in pods if r.status.deleted is None)
        serving = sorted(r.key for r in pods if r.status.deleted is not None)
        if ready != self.plane.endpoints or serving != self.plane.fallback:
            self.advance(self.world.now)
            changed = ready != self.plane.endpoints
            self.plane.endpoints, self.plane.fallback = ready, serving
            if changed and self.plane.router is not None:  # the router's EndpointSlice watch (Ready only)
                self.plane.router.endpoints_changed()

    def _update_cores(self, old: PodRecord | None, new: PodRecord | None) -> None:
        """A pod arriving on or leaving a node changes what the registry there can use."""
        nodes = {r.pod.node_name for r in (old, new) if r is not None and r.pod.node_name}
        for key, server in list(self.plane.servers.items()):
            if server.node in nodes:
                cores, memory, limited = self._share(key)
                server.memory_limited = limited
                if cores != server.cpu.capacity or memory != server.memory.limit:
                    self.advance(self.world.now)
                    server.cpu.set_capacity(self.plane.now, cores)
                    server.memory.limit = memory
                    self.plane.reschedule_cpu(server)

    def _share(self, key: str) -> tuple[float, int, bool]:
        record = self.world.pod(key)
        node = self.world.node(record.pod.node_name)
        others = [r.pod for r in self.world.pods_on(node.name) if r is not None and r.key != key and not r.pod.terminal]
        return registry_share(node_resources(node, self.network), record.pod, others)

    def _network_of(self, node_name: str):
        node = self.world.node(node_name)
        return node_resources(node, self.network).network if node is not None else self.network.default

    def node_changed(self, name: str) -> None:
        """A node went down, was cut off or came back: connections to its pods time out."""
        self.advance(self.world.now)
        runtime = self.world.runtime.get(name)
        keys = {r.key for r in self.world.pods_on(name) if r is not None and is_registry_pod(r)}
        if runtime is not None and runtime.alive and runtime.connected:
            self.plane.unreachable -= keys
        else:
            self.plane.unreachable |= keys

    def container_started(self, record: PodRecord) -> None:
        if not is_registry_pod(record):
            return
        self.advance(self.world.now)
        settings = RegistrySettings.of_pod(record.pod)
        self.settings_of[record.key] = settings
        cores, memory, limited = self._share(record.key)
        server = PodServer(record.key, record.pod.node_name, settings, cores, self.params.memory, memory, self.plane.now,
                           limited)
        if settings.own_storage:  # an emptyDir outlives container restarts, not the pod
            server.content = self.contents.setdefault(record.key, PodContent(self.plane.now <= self.warm_up, self.fresh))
        self.plane.add_server(server)
        self.plane.link(record.pod.node_name)  # its node's link exists (and offers its capacity) from the start
        self.metrics[record.key] = RegistryMetrics(major="4", minor=self.version.name.split(".")[1],
                                                   git_commit="0000000", git_version=f"v{self.version.name}.0")
        for hook in self.on_start:
            hook(record.key)

    def change_role(self, client_name: str, role: str, granted: bool) -> None:
        """A role bound to or revoked from a client's token: the registry asks the API
        server on every request (nothing cached), so the next request sees it."""
        self.advance(self.world.now)
        client = Client[client_name.upper()]
        roles = set(self.roles[client])
        if granted:
            roles.add(role)
        else:
            roles.discard(role)
        self.roles[client] = tuple(sorted(roles))
        self.plane.verbs[client] = verbs_of(self.roles[client])

    def set_api_reachable(self, up: bool) -> None:
        self.advance(self.world.now)
        self.plane.api_up = up

    def container_stopped(self, key: str) -> None:
        """The container exited or was killed: open requests break."""
        self.advance(self.world.now)
        server = self.plane.servers.get(key)
        if server is not None:
            self.plane.kill(server)
        self.flusher.flush()
        self.metrics.pop(key, None)

    def begin_shutdown(self, key: str) -> None:
        """SIGTERM: `http.Server.Shutdown` closes the listener and the idle connections;
        requests in flight go on."""
        self.advance(self.world.now)
        server = self.plane.servers.get(key)
        if server is not None:
            server.accepting = False

    def drained(self, key: str):
        """An event that fires when the pod's container serves nothing any more."""
        return self.wait_for(lambda: not self._serving(key))

    def _serving(self, key: str) -> bool:
        server = self.plane.servers.get(key)
        return server is not None and bool(server.open or server.running_and_queued()[1])

    def gate_open(self, key: str) -> bool:
        """What `/healthz` answers: 200 unless the gate is closed or nothing listens."""
        server = self.plane.servers.get(key)
        return server is not None and server.gate_open

    def set_gate(self, key: str, open_: bool) -> None:
        server = self.plane.servers.get(key)
        if server is not None and server.gate_open != open_:
            self.advance(self.world.now)
            server.gate_open = open_

    # ----- clients SimPy waits for -------------------------------------------------------------------
    def pull(self, node: str, image: Image, blobs: list[tuple[int, int]], on_blob, client: int = Client.KUBELET,
             mask: int = -1):
        """A pull started now on `node`, by the kubelet (CRI-O) unless `client` says
        otherwise (a build's pull of its base: Client.PUSH), with the verbs `mask` its
        identity has in the image's namespace (`auth.namespace_mask`); yields until it
        ends, returns the session."""
        self.advance(self.world.now)
        session = PullSession(self.plane, client, self._policy(client), image, self.stats.tally.ended,
                              node=node, blobs=blobs, on_blob=on_blob)
        session.mask = mask
        session.start()
        yield self.wait_for(lambda: session.ended >= 0)
        return session

    def push(self, image: Image, new: list[bool], node: str | None = None, stream_state: int = 0):
        """A push of `image` started now by the push client (a build on `node`, or a client
        outside the cluster): `new[i]` says whether the registry lacks layer i, and
        `stream_state` what its ImageStreamMapping meets (`model/images/mapping.py`).
        Yields until it ends, returns the session."""
        self.advance(self.world.now)
        session = PushSession(self.plane, Client.PUSH, self.params.clients.push, image, self.stats.tally.ended, new,
                              node=node, stream_state=stream_state)
        session.start()
        yield self.wait_for(lambda: session.ended >= 0)
        return session

    def delete(self, deletes: list, lanes: int):
        """The pruner's DELETEs (`sessions.Delete`), sent now over `lanes` connections;
        yields until every one is answered, returns the session."""
        self.advance(self.world.now)
        session = DeleteSession(self.plane, ClientPolicy(attempts=1, lanes=lanes), deletes, _NO_IMAGE,
                                self.stats.tally.ended)
        session.start()
        yield self.wait_for(lambda: session.ended >= 0)
        return session

    def prune_references(self, references: set[str]) -> None:
        """Image streams no longer name these digest pull specs: the registry answers 404
        to their manifests from now on (`plane._pruned`)."""
        self.advance(self.world.now)
        self.plane.pruned_images.update(references)

    def _policy(self, client: int):
        clients = self.params.clients
        return {Client.KUBELET: clients.kubelet, Client.PULL: clients.pull, Client.PUSH: clients.push}[client]

    # ----- the end ------------------------------------------------------------------------------------
    def finish(self) -> None:
        """At the end of the run: hand over what ended, count the rest as open, and leave
        the totals, limiter peaks, resource peaks and read-only writes as records."""
        self.advance(self.world.now)
        self.flusher.flush()
        self.flusher.close(self.world.now)
        leave_records(self.world.recorder, self.stats, self.settings_of, self.usage, self.store)
        if self.plane.pullthrough is not None:
            self.world.recorder.record("PullThroughTotals", "image-registry", **self.plane.pullthrough.summary())
        router = self.plane.router
        if router is not None:
            self.world.recorder.record("RouterTotals", "router", **router.counts, peak_in_flight=router.peak,
                                       longest_silence=round(router.longest_silence, 9),
                                       server_timeout=router.server_timeout, admitted=router.admitted,
                                       clients=[c.name.lower() for c in (Client.PULL, Client.PUSH)
                                                if self._policy(c).route])
        for hook in self.at_finish:
            hook()
