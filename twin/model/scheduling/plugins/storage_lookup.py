"""Lookups of claims, volumes and classes shared by the volume plugins.

Upstream reads these from informer listers, whose NotFound error text
(`errors.NewNotFound(v1.Resource("persistentvolumeclaim"), name)` in the generated
client-go listers) becomes the status reason, e.g. `persistentvolumeclaim "data" not
found`. The twin answers that only when the inputs carried objects of that kind; when
they carried none, the object is *unknown*: the lookup warns, naming the plugin and what
is missing, and the caller skips the check it would have made.
"""

from __future__ import annotations

from twin.model.objects import Claim, Pod
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.status import UNRESOLVABLE, Status
from twin.model.storage import CLAIM, CLASS, VOLUME, PersistentVolume, StorageClass

CLAIM_VOLUME_KINDS = ("persistentVolumeClaim",)


def not_found(resource: str, name: str) -> Status:
    return Status(UNRESOLVABLE, (f'{resource} "{name}" not found',))


def claim_names(pod: Pod) -> list[str]:
    """The claim names of the pod's persistentVolumeClaim volumes, in volume order."""
    return [v.claim_name or "" for v in pod.volumes if v.kind == "persistentVolumeClaim"]


def find_claim(ctx: CycleContext, plugin: str, name: str, what: str) -> tuple[Claim | None, Status | None]:
    """(claim, None) when found; (None, NotFound status) when claims were given but not
    this one; (None, None) with a warning when no claims were given at all."""
    storage, namespace = ctx.view.storage, ctx.pod.namespace
    claim = storage.claim(namespace, name)
    if claim is not None:
        return claim, None
    if CLAIM in storage.given:
        return None, not_found("persistentvolumeclaim", name)
    ctx.warn(plugin, f"PersistentVolumeClaim {namespace}/{name} is not in the inputs (no PersistentVolumeClaims "
                     f"were given with --objects): {what} not checked")
    return None, None


def find_volume(ctx: CycleContext, plugin: str, name: str, what: str) -> tuple[PersistentVolume | None, bool]:
    """(volume, False) when found; (None, True) when volumes were given but not this one;
    (None, False) with a warning when no PersistentVolumes were given."""
    return _find(ctx, plugin, ctx.view.storage.volumes, VOLUME, "PersistentVolume", name, what)


def find_class(ctx: CycleContext, plugin: str, name: str, what: str) -> tuple[StorageClass | None, bool]:
    """Like `find_volume`, for StorageClasses."""
    return _find(ctx, plugin, ctx.view.storage.classes, CLASS, "StorageClass", name, what)


def _find(ctx: CycleContext, plugin: str, table: dict, kind: str, label: str, name: str, what: str):
    found = table.get(name)
    if found is not None:
        return found, False
    if kind in ctx.view.storage.given:
        return None, True
    ctx.warn(plugin, f"{label} {name} is not in the inputs (no {label}s were given with --objects): {what} not checked")
    return None, False


def warn_ephemeral(ctx: CycleContext, plugin: str) -> None:
    """Generic ephemeral volumes get their claim from the ephemeral volume controller
    after the pod is created; the twin does not model that claim."""
    for volume in ctx.pod.volumes:
        if volume.kind == "ephemeral":
            ctx.warn(plugin, f"volume {volume.name} is a generic ephemeral volume, whose claim the twin does not "
                             "model: not checked")
