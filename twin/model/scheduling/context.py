"""`CycleContext`: one scheduling cycle's inputs and the per-cycle state plugins share
(kube-scheduler's CycleState)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.config import SchedulerConfig


@dataclass
class CycleContext:
    view: ClusterView
    pod: Pod
    config: SchedulerConfig
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return len(self.view.nodes)
