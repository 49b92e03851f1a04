"""What of a real object the scenario folder keeps: the fields the twin reads, and as
much of `spec` as there is (so fields the twin learns to read later are already there),
without bulk (node image lists, managedFields, annotations) or credentials (the
Config's `httpSecret`)."""

from __future__ import annotations

from twin.model.registry.resources.nodes import CPU_USAGE

TWIN_ANNOTATION_PREFIX = CPU_USAGE.split("/")[0] + "/"  # registry-twin.io/
NODE_STATUS = ("allocatable", "capacity")
DROPPED_CONFIG_SPEC = ("httpSecret",)


def _metadata(meta: dict, *keys: str) -> dict:
    kept = {k: meta[k] for k in ("name", "namespace", *keys) if meta.get(k) not in (None, {}, [])}
    ours = {k: v for k, v in (meta.get("annotations") or {}).items() if k.startswith(TWIN_ANNOTATION_PREFIX)}
    if ours:
        kept["annotations"] = ours
    return kept


def trim_node(body: dict) -> dict:
    """Name, labels, the whole spec; status: allocatable, capacity, condition types."""
    status = body.get("status") or {}
    kept = {k: status[k] for k in NODE_STATUS if k in status}
    conditions = [{"type": c.get("type"), "status": c.get("status")} for c in status.get("conditions") or ()
                  if isinstance(c, dict)]
    if conditions:
        kept["conditions"] = conditions
    return {"apiVersion": "v1", "kind": "Node", "metadata": _metadata(body.get("metadata") or {}, "labels"),
            "spec": body.get("spec") or {}, "status": kept}


def trim_pod(body: dict) -> dict:
    """Name, namespace, labels, owners, the whole spec, and the phase."""
    meta = _metadata(body.get("metadata") or {}, "labels", "ownerReferences")
    phase = (body.get("status") or {}).get("phase", "Pending")
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": body.get("spec") or {},
            "status": {"phase": phase}}


def trim_config(body: dict) -> tuple[dict, list[str]]:
    """The Config without status and credentials; the names of the spec fields dropped."""
    spec = dict(body.get("spec") or {})
    dropped = [f"spec.{k}" for k in DROPPED_CONFIG_SPEC if spec.pop(k, None) is not None]
    return {"apiVersion": body.get("apiVersion"), "kind": "Config", "metadata": {"name": "cluster"}, "spec": spec}, dropped
