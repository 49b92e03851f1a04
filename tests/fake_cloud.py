"""A small fake `CloudProvider` for the autoscaler's tests: node groups whose new machines
register as Nodes after a fixed delay, and groups that cannot provide machines (each
machine asked for fails after the delay, as in a zone that has no capacity)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from twin.model.autoscaling.node_group import NodeGroup
from twin.model.objects import HOSTNAME_KEY, ZONE_KEY, Node
from twin.sim.world import World


@dataclass
class FakeGroup:
    id: str
    template: Node
    min_size: int = 0
    max_size: int = 10
    target: int = 0
    nodes: list[str] = field(default_factory=list)
    broken: bool = False  # machines fail to provision
    failed: int = 0
    made: int = 0


class FakeCloud:
    def __init__(self, world: World, delay: float = 60.0) -> None:
        self.world, self.delay = world, delay
        self.groups: dict[str, FakeGroup] = {}
        self.calls: list[tuple] = []

    def add_group(self, group_id: str, template: Node, min_size: int = 0, max_size: int = 10, existing: int = 0,
                  broken: bool = False) -> FakeGroup:
        group = FakeGroup(group_id, template, min_size, max_size, broken=broken)
        self.groups[group_id] = group
        for _ in range(existing):
            group.target += 1
            self._register(group)
        return group

    def _register(self, group: FakeGroup) -> None:
        group.made += 1
        name = f"{group.id}-{group.made}"
        node = replace(group.template, name=name, labels={**group.template.labels, HOSTNAME_KEY: name})
        self.world.add_node(node)
        group.nodes.append(name)

    # ----- CloudProvider -------------------------------------------------------------
    def node_groups(self) -> list[NodeGroup]:
        return [NodeGroup(g.id, g.id, g.template.labels.get(ZONE_KEY, ""), g.min_size, g.max_size, g.target,
                          g.template, "m5.xlarge", tuple(sorted(g.nodes)))
                for g in sorted(self.groups.values(), key=lambda g: g.id)]

    def node_group_for(self, node_name: str) -> str | None:
        return next((g.id for g in self.groups.values() if node_name in g.nodes), None)

    def increase_size(self, group_id: str, delta: int) -> None:
        group = self.groups[group_id]
        assert delta > 0 and group.target + delta <= group.max_size, (group_id, delta, group.target)
        self.calls.append(("increase", self.world.now, group_id, delta))
        group.target += delta
        for _ in range(delta):
            self.world.env.process(self._provision(group))

    def _provision(self, group: FakeGroup):
        yield self.world.env.timeout(self.delay)
        if group.broken:
            group.failed += 1
            group.target -= 1
        else:
            self._register(group)

    def delete_nodes(self, group_id: str, node_names: list[str]) -> None:
        group = self.groups[group_id]
        self.calls.append(("delete", self.world.now, group_id, tuple(node_names)))
        for name in node_names:
            for record in self.world.pods_on(name):
                self.world.remove_pod(record.key)
            self.world.store.delete("Node", name)
            self.world.runtime.pop(name, None)
            group.nodes.remove(name)
            group.target -= 1

    def failed_scale_ups(self, group_id: str) -> int:
        return self.groups[group_id].failed
