"""`Scenario`: a validated scenario file plus the objects it describes."""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.objects import Node, Pod
from twin.model.registry import RegistryConfig
from twin.scenarios.spec import ScenarioFile


@dataclass(frozen=True)
class Scenario:
    spec: ScenarioFile
    source: str
    nodes: tuple[Node, ...]
    pods: tuple[Pod, ...]
    config: RegistryConfig
    config_body: dict  # the Config CR as written, for merge-patch edits
    replay: object = None  # `sim.traffic.replay.ReplayRequests` of `traffic.replay`, read when the scenario loads
    pools: tuple = ()  # `model.machines.pools.MachinePool`s: a generated cluster's workers are the pool "worker"
