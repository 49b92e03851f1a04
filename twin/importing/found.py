"""What an import read (`Found`), and the checks every source shares: nodes that the
twin's Node schema reads, a registry Config of the right kind, the ClusterVersion's
version. Errors are `InputError`s naming the file and what was expected (exit 2)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from twin.errors import InputError
from twin.model import objects as obj
from twin.model.kube_io.files import Located, to_domain
from twin.model.registry import parse_registry_config
from twin.model.registry.config import API_VERSION

CONFIG_GROUP = API_VERSION.split("/")[0]  # imageregistry.operator.openshift.io


@dataclass
class Found:
    """Raw manifests with where each came from. `source` is what was imported (the
    must-gather folder or the dump), `nodes_where` where nodes were looked for."""

    source: str
    nodes_where: str
    nodes: list[Located] = field(default_factory=list)
    pods: list[Located] = field(default_factory=list)
    config: Located | None = None
    deployments: list[Located] = field(default_factory=list)
    version: str | None = None
    ignored: Counter = field(default_factory=Counter)  # kinds a dump held that the import does not use


def check_nodes(found: Found) -> list[obj.Node]:
    """The nodes as the twin reads them: at least one, names unique."""
    if not found.nodes:
        raise InputError(found.nodes_where, "", "expected Node objects (`oc get nodes -o yaml`), found none")
    nodes, seen = [], set()
    for located in found.nodes:
        node = to_domain(located, ("Node",))
        if node.name in seen:
            raise InputError(located.source, located.where("metadata.name"), f"duplicate node {node.name!r}")
        seen.add(node.name)
        nodes.append(node)
    return nodes


def is_registry_config(body: dict) -> bool:
    return body.get("kind") == "Config" and str(body.get("apiVersion", "")).startswith(f"{CONFIG_GROUP}/")


def check_config(located: Located) -> None:
    """The file must hold the registry's Config (`configs.imageregistry.operator.openshift.io`)
    in a form the operator would accept."""
    body = located.body
    if not is_registry_config(body):
        got = f"{body.get('kind')!r} ({body.get('apiVersion', 'no apiVersion')})"
        raise InputError(located.source, located.where("kind"), f"expected the registry Config ({API_VERSION}), got {got}")
    try:
        parse_registry_config(body, located.source)
    except InputError as exc:
        raise InputError(exc.source, located.where(exc.path), exc.message) from None


def cluster_version(body: dict) -> str | None:
    """`status.desired.version` of a ClusterVersion, else the newest completed update."""
    status = body.get("status") or {}
    desired = (status.get("desired") or {}).get("version")
    if isinstance(desired, str) and desired:
        return desired
    for entry in status.get("history") or ():
        if isinstance(entry, dict) and entry.get("state") == "Completed" and entry.get("version"):
            return str(entry["version"])
    return None
