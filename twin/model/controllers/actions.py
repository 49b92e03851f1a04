"""What controllers ask the shell to do. Each action is a frozen value; the shell
applies them in order and records them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Put:
    """Create or replace an object (Deployment, ReplicaSet, PodRecord, PDB, ...),
    matched by type and key."""

    obj: Any


@dataclass(frozen=True, slots=True)
class Delete:
    """Remove an object of `kind` ("ReplicaSet", "Deployment", ...) at once."""

    kind: str
    key: str


@dataclass(frozen=True, slots=True)
class DeletePod:
    """Start the graceful deletion of a pod (sets deletionTimestamp); `grace_seconds`
    None means the pod's own terminationGracePeriodSeconds."""

    key: str
    reason: str
    grace_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """Something worth recording that changes no object (e.g. a rollout step)."""

    kind: str
    subject: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reconciled:
    """A reconcile's answer: actions in order, and when to be called again at the latest
    (None: only when something changes)."""

    actions: tuple = ()
    requeue_after: float | None = None
