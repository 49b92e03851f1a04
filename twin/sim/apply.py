"""Applying controller actions to the world, in order, with a record of each."""

from __future__ import annotations

from twin.model.controllers.actions import Delete, DeletePod, Note, Put
from twin.model.controllers.status_fields import stored
from twin.model.workloads import Deployment, PodDisruptionBudget, PodRecord, ReplicaSet
from twin.sim.world import World

KINDS = {Deployment: "Deployment", ReplicaSet: "ReplicaSet", PodDisruptionBudget: "PodDisruptionBudget"}


def apply_actions(world: World, actions) -> None:
    for action in actions:
        apply_one(world, action)


def apply_one(world: World, action) -> None:
    if isinstance(action, Put):
        put(world, action.obj)
    elif isinstance(action, DeletePod):
        world.delete_pod(action.key, action.reason, action.grace_seconds)
    elif isinstance(action, Delete):
        if world.store.delete(action.kind, action.key) is not None:
            world.recorder.record(f"{action.kind}Deleted", action.key)
    elif isinstance(action, Note):
        world.recorder.record(action.kind, action.subject, **action.details)
    else:
        raise TypeError(f"unknown action {action!r}")


def put(world: World, obj) -> None:
    if isinstance(obj, PodRecord):
        if world.pod(obj.key) is None:
            world.create_pod(obj)
        else:
            world.put_pod(obj)
        return
    if isinstance(obj, (Deployment, ReplicaSet)):
        obj = stored(obj, world.params.kubernetes_minor)
    kind = KINDS.get(type(obj)) or type(obj).__name__.lstrip("_")
    world.store.put(kind, obj.key, obj)
