"""What the registry pods and the nodes' links used, sampled at the statistics interval:
the evidence behind the saturation KPIs, the resource plot and the resource invariants.

Per registry container and interval: the cores it could use (on average over the
interval: a pod arriving on its node changes them), the cores its requests kept busy on
average (so `cpu_saturation` = used / available), and its memory peak
against its limit (the container's, or what its node has left). Per node link and
interval: bytes per second carried and offered (`network_saturation`). A pod's row
carries its node's link; a node without a registry pod gets a row of its own (pod
empty) when its link carried anything.
"""

from __future__ import annotations

COLUMNS = ("time", "pod", "node", "cpu_cores", "cpu_used", "cpu_saturation", "memory_peak", "memory_limit",
           "memory_limited", "network_bytes_per_second", "network_capacity", "network_saturation")
"""`memory_limit`: the container's limit, or (`memory_limited` false) what its node has left."""


class ResourceUsage:
    def __init__(self) -> None:
        self.rows: list[tuple] = []
        # pool -> (clock, done_work, offered). Keyed by the pool itself, not id(pool): a pool freed when its
        # container stopped could lend its id to a new one, which then read the old one's figures (negative cores,
        # and outputs that changed with the memory allocator's state)
        self.last: dict[object, tuple[float, float, float]] = {}
        self.peak_memory: dict[str, int] = {}
        self.peak_cpu: dict[str, float] = {}
        self.peak_network: dict[str, float] = {}
        self.limits: dict[str, int | None] = {}

    def sample(self, t: float, servers: dict, links: dict) -> None:
        link_figures = self._link_rates(links, t)
        for key in sorted(servers):
            server = servers[key]
            used, offered = self._rates(server.cpu, t)
            memory = server.memory.take_window()
            bytes_, capacity = link_figures.get(server.node, (0.0, 0.0))
            self._row(t, key, server.node, offered, used, offered, memory, server.memory.limit,
                      server.memory_limited, bytes_, capacity)
        hosting = {s.node for s in servers.values()}
        for node, (bytes_, capacity) in link_figures.items():
            if node not in hosting and bytes_ > 0:
                self._row(t, "", node, 0.0, 0.0, 0.0, 0, None, False, bytes_, capacity)

    def _link_rates(self, links: dict, t: float) -> dict[str, tuple[float, float]]:
        """`_rates` of every node's link, by node in name order: the same steps inlined (a
        day of 500 nodes samples every link every 10 s)."""
        last, figures = self.last, {}
        for node, link in sorted(links.items()):
            link.advance(t)
            done, offered = link.done_work, link.offered
            before = last.get(link)
            last[link] = (t, done, offered)
            clock, done_before, offered_before = (link.started, 0.0, 0.0) if before is None else before
            span = t - clock
            figures[node] = ((done - done_before) / span, (offered - offered_before) / span) if span > 0 else (0.0, 0.0)
        return figures

    def _rates(self, pool, t: float) -> tuple[float, float]:
        """Average work per second served and offered since the last sample of `pool`."""
        pool.advance(t)
        clock, done, offered = self.last.get(pool, (None, 0.0, 0.0))
        self.last[pool] = (t, pool.done_work, pool.offered)
        if clock is None:
            clock = pool.started
        span = t - clock
        if span <= 0:
            return 0.0, 0.0
        return (pool.done_work - done) / span, (pool.offered - offered) / span

    def _row(self, t, pod, node, cores, used, offered, memory, limit, limited, bytes_, capacity) -> None:
        cpu_saturation = used / offered if offered > 0 else 0.0
        network_saturation = bytes_ / capacity if capacity > 0 else 0.0
        self.rows.append((t, pod, node, cores, used, cpu_saturation, memory, limit, limited, bytes_, capacity,
                          network_saturation))
        if pod:
            self.peak_memory[pod] = max(self.peak_memory.get(pod, 0), memory)
            self.peak_cpu[pod] = max(self.peak_cpu.get(pod, 0.0), cpu_saturation)
            self.limits[pod] = limit
        self.peak_network[node] = max(self.peak_network.get(node, 0.0), network_saturation)
