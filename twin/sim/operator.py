"""The Image Registry Operator in simulated time (`spec/registry-operator.md` §2–§3):
on every change of its Config or operands it verifies the Config, renders and applies
the Deployment, PDB and Service (Managed), leaves them alone (Unmanaged) or deletes them
and, if it manages the storage, the storage (Removed); then it publishes its conditions
and requeues itself for the moment an inertia runs out."""

from __future__ import annotations

from dataclasses import dataclass, replace

from twin.model.controllers.actions import Delete, Note, Put, Reconciled
from twin.model.registry import OpenShiftVersion, RegistryConfig, render_registry, validate
from twin.model.registry.cluster_operator import cluster_operator_conditions
from twin.model.registry.complete import SECRET_BYTES, completed, http_secret
from twin.model.registry.routes import DEFAULT_APPS_DOMAIN, not_admitted_message, route_admissions
from twin.model.registry.conditions import OperatorObservation, merge_conditions, next_condition_change, registry_conditions
from twin.model.registry.operands import (
    deployment_from_manifest,
    internal_registry_hostname,
    pdb_from_manifest,
    prune_registry_args,
)
from twin.model.registry.pruner import prefixed
from twin.model.registry.render import NAME, NAMESPACE
from twin.model.objects import ZONE_KEY
from twin.model.workloads import Condition, Deployment
from twin.sim.loops import WorkQueue, run_controller
from twin.sim.world import World

KEY = f"{NAMESPACE}/{NAME}"


@dataclass(frozen=True)
class OperatorStatus:
    """The Config's status as the twin keeps it: conditions, whether the operator
    created the storage, and the pruner's registry arguments."""

    conditions: tuple[Condition, ...] = ()
    storage_present: bool = False
    prune_args: tuple[str, ...] = ()
    key: str = "cluster"
    http_secret: str = ""  # what the operator wrote into an empty spec.httpSecret
    storage_management: str = ""  # and into an empty spec.storage.managementState
    pruner_conditions: tuple[Condition, ...] = ()  # the ImagePruner's, prefixed "ImagePruner" (`pruner.prefixed`)


class RegistryOperator:
    def __init__(self, world: World, version: OpenShiftVersion, claims=None, ingress=(DEFAULT_APPS_DOMAIN, ())) -> None:
        self.world = world
        self.version = version
        self.claims = claims or {}
        self.domain, self.claimed_hosts = ingress  # the apps domain and hosts older routes hold (`routes.py`)
        self.queue = WorkQueue(world)
        self.rendered: tuple = ()  # (config, any node zoned, RenderedRegistry, wanted Deployment): the last render
        for kind in ("Config", "Deployment", "PodDisruptionBudget", "Service", "NodeCAStatus", "ImagePrunerStatus"):
            world.store.subscribe(kind, lambda old, new: self.queue.add("cluster"))
        world.env.process(run_controller(world, "image-registry-operator", self.queue, self.reconcile))

    def status(self) -> OperatorStatus:
        return self.world.store.get("OperatorStatus", "cluster") or OperatorStatus()

    def reconcile(self, key: str, now: float) -> Reconciled | None:
        config: RegistryConfig | None = self.world.store.get("Config", "cluster")
        if config is None:
            return None
        config = self.completed(config)
        problems = validate(config, self.claims)
        actions = self.sync_operands(config, problems, now)
        observation = self.observe(config, problems)
        previous = self.status().conditions
        conditions = registry_conditions(observation, previous, now, self.version)
        node_ca = self.world.store.get("NodeCAStatus", "node-ca")
        merged = merge_conditions(previous, conditions + (node_ca.conditions if node_ca else ()), now)
        actions += self.publish(merged, config)
        flip = next_condition_change(observation, merged, now, self.version)
        return Reconciled(tuple(actions), None if flip is None else flip - now)

    def completed(self, config: RegistryConfig) -> RegistryConfig:
        """The Config with what the operator wrote into its spec (`complete.py`): kept from
        an earlier sync, or written now by a Managed sync."""
        status = self.status()
        secret = status.http_secret
        if config.management_state == "Managed" and not config.http_secret and not secret:
            secret = http_secret(self.world.streams("http-secret").bytes(SECRET_BYTES))
        if secret and not config.http_secret:
            config = replace(config, http_secret=secret)
        if status.storage_management and not config.storage.management_state:
            config = replace(config, storage=replace(config.storage, management_state=status.storage_management))
        creating = config.management_state == "Managed" and not status.storage_present
        return completed(config, config.http_secret, creating)

    # ----- operands -----------------------------------------------------------------
    def sync_operands(self, config: RegistryConfig, problems, now: float) -> list:
        state = config.management_state
        if state == "Removed":
            return self.remove(config)
        if state != "Managed" or problems:  # Unmanaged, and Force: "unknown custom resource state", nothing applied
            return []
        rendered, wanted = self.render(config, now)
        actions = [*self.apply_deployment(wanted, now), *self.apply_pdb(rendered.pdb)]
        if self.world.store.get("Service", KEY) is None:
            actions.append(Put(_Service()))
        if not self.status().storage_present:
            actions.append(Note("StorageCreated", "cluster", {"backends": list(config.storage.backends)}))
        return actions

    def render(self, config: RegistryConfig, now: float):
        """The operands for `config` and the Deployment it wants, rendered again only when
        the Config or whether any node has a zone label changed: the only things the
        render reads (`render.py`: the nodes decide the zone spread alone). A reconcile
        runs on every change of the Deployment's status, so most find the same answer."""
        nodes = self.world.store.list("Node")
        zoned = any(ZONE_KEY in node.labels for node in nodes)
        if self.rendered and self.rendered[1] == zoned and self.rendered[0] == config:
            return self.rendered[2], self.rendered[3]
        rendered = render_registry(config, nodes, self.version)
        wanted = deployment_from_manifest(rendered.deployment, created=now)
        self.rendered = (config, zoned, rendered, wanted)
        return rendered, wanted

    def apply_deployment(self, wanted: Deployment, now: float) -> list:
        current = self.world.store.get("Deployment", KEY)
        if current is None:
            wanted = replace(wanted, created=now)
            return [Put(wanted), Note("OperandApplied", KEY, {"generation": 1})]
        if current.spec == wanted.spec:
            return []
        generation = current.generation + 1
        updated = replace(current, spec=wanted.spec, generation=generation)
        return [Put(updated), Note("OperandApplied", KEY, {"generation": generation})]

    def apply_pdb(self, manifest: dict) -> list:
        wanted = pdb_from_manifest(manifest)
        current = self.world.store.get("PodDisruptionBudget", wanted.key)
        if current is not None and replace(current, generation=wanted.generation) == wanted:
            return []
        generation = current.generation + 1 if current else 1
        return [Put(replace(wanted, generation=generation))]

    def remove(self, config: RegistryConfig) -> list:
        """Removed: delete every operand; the storage only if the operator manages it."""
        actions = [Delete(kind, KEY) for kind in ("Deployment", "PodDisruptionBudget", "Service")
                   if self.world.store.get(kind, KEY) is not None]
        if self.status().storage_present and config.storage.management_state == "Managed":
            actions.append(Note("StorageRemoved", "cluster"))
        elif self.status().storage_present:
            actions.append(Note("StorageKept", "cluster", {"reason": "storage.managementState is Unmanaged"}))
        return actions

    # ----- status ---------------------------------------------------------------------
    def observe(self, config: RegistryConfig, problems) -> OperatorObservation:
        permanent = next((p for p in problems if p.permanent), None)
        retriable = next((p for p in problems if not p.permanent), None)
        state = config.management_state
        if state == "Force":  # nothing ran, so no error; the conditions follow the Managed rules (status.go)
            state, permanent, retriable = "Managed", None, None
        deployment = self.world.store.get("Deployment", KEY)
        route_error = None
        if state == "Managed" and permanent is None:  # the routes exist once a sync applied them
            route_error = not_admitted_message(route_admissions(config, self.domain, self.claimed_hosts))
        return OperatorObservation(state, deployment, False, permanent, retriable, route_error)

    def publish(self, conditions: tuple[Condition, ...], config: RegistryConfig) -> list:
        status = self.status()
        storage = status.storage_present
        if config.management_state == "Managed" and not any(validate(config, self.claims)):
            storage = True
        elif config.management_state == "Removed":
            storage = storage and config.storage.management_state != "Managed"
        prune = prune_registry_args(internal_registry_hostname(self.world.store.get("Service", KEY) is not None))
        pruner = self.world.store.get("ImagePrunerStatus", "cluster")
        extra = prefixed(pruner.conditions) if pruner is not None else ()
        fresh = OperatorStatus(conditions, storage, prune, http_secret=config.http_secret,
                               storage_management=config.storage.management_state, pruner_conditions=extra)
        if fresh == status:
            return []
        actions = [Put(fresh)]
        actions += [Note("OperatorCondition", c.type, {"status": c.status, "reason": c.reason, "message": c.message})
                    for c in _changed(status.conditions, conditions)]
        if prune != status.prune_args:
            actions.append(Note("PrunerArgs", "image-pruner", {"args": list(prune)}))
        co = cluster_operator_conditions(conditions + extra)  # CIRO `syncConditions`: the pruner's too
        actions += [Note("ClusterOperatorCondition", c.type, {"status": c.status, "reason": c.reason})
                    for c in _changed(cluster_operator_conditions(status.conditions + status.pruner_conditions), co)]
        return actions


@dataclass(frozen=True)
class _Service:
    """The `image-registry` Service (port 5000); only its existence matters here."""

    key: str = KEY


def _changed(before: tuple[Condition, ...], after: tuple[Condition, ...]) -> list[Condition]:
    old = {c.type: (c.status, c.reason) for c in before}
    return [c for c in after if old.get(c.type) != (c.status, c.reason)]
