"""`CycleContext`: one scheduling cycle's inputs and the per-cycle state plugins share
(kube-scheduler's CycleState), and the warnings plugins raise when the inputs lack what
they need (a claim, a volume, a class, a node's status): never a silent pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.config import SchedulerConfig


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about the inputs of a cycle: `plugin` is the plugin whose verdict it
    qualifies (None for notes about the inputs as a whole)."""

    plugin: str | None
    message: str


@dataclass
class CycleContext:
    view: ClusterView
    pod: Pod
    config: SchedulerConfig
    state: dict[str, Any] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)

    def warn(self, plugin: str | None, message: str) -> None:
        notice = Notice(plugin, message)
        if notice not in self.notices:
            self.notices.append(notice)

    @property
    def node_count(self) -> int:
        return len(self.view.nodes)
