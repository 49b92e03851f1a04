"""What follows an image stream tag: Deployments with image-change triggers and
BuildConfigs with an ImageChange trigger (`sim/images.py` runs them)."""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.images.triggers import ImageTrigger


@dataclass(frozen=True)
class TriggeredDeployment:
    key: str  # "namespace/name"
    namespace: str
    triggers: tuple[ImageTrigger, ...]


@dataclass(frozen=True)
class BuildConfig:
    """A workload's build: on a new image of `source` ("ns/stream:tag"), rebuild the
    workload's own layers (those above its base's) on it and push to `output`
    ("ns/stream:tag"); the build takes a log-normal time with this median and p99
    (seconds)."""

    name: str
    source: str
    output: str
    median: float
    p99: float
