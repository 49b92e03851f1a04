"""Where an OpenShift must-gather keeps what the twin imports.

`oc adm must-gather` writes one folder per gather image under its `--dest-dir`, named
after the image (`quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-<digest>/`);
inside it `oc adm inspect` lays objects out as `dirPathForInfo` / `filenameForInfo`
say (openshift/oc `pkg/cli/admin/inspect/util.go`): cluster-scoped objects one file
each under `cluster-scoped-resources/<group>/<resource>/<name>.yaml`, namespaced
resources as one List per resource under `namespaces/<ns>/<group>/<resource>.yaml`
("core" for the empty group), and each pod again in `namespaces/<ns>/pods/<pod>/<pod>.yaml`
beside its logs (`pkg/cli/admin/inspect/pod.go`). The default gather script
(openshift/must-gather `collection-scripts/gather`) inspects `nodes` and
`clusterversion` and every ClusterOperator's related objects: the openshift-*
namespaces and `configs.imageregistry.operator.openshift.io/cluster`. Workloads of
other namespaces are in a must-gather only if it was asked for them.

Read here:

    cluster-scoped-resources/core/nodes/*.yaml                                   Node
    cluster-scoped-resources/imageregistry.operator.openshift.io/configs/cluster.yaml  Config
    cluster-scoped-resources/config.openshift.io/clusterversions/version.yaml    ClusterVersion
    namespaces/<ns>/core/pods.yaml          PodList (else namespaces/<ns>/pods/<pod>/<pod>.yaml)
    namespaces/<ns>/apps/deployments.yaml   DeploymentList
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from twin.errors import InputError
from twin.importing.found import Found, check_config, cluster_version
from twin.model.kube_io.files import Located, iter_manifests

CLUSTER = "cluster-scoped-resources"
NAMESPACES = "namespaces"
NODES = Path(CLUSTER, "core", "nodes")
CONFIG = Path(CLUSTER, "imageregistry.operator.openshift.io", "configs", "cluster.yaml")
CLUSTER_VERSION = Path(CLUSTER, "config.openshift.io", "clusterversions", "version.yaml")
SUFFIXES = (".yaml", ".yml", ".json")


def read_must_gather(directory: str | Path) -> Found:
    """Everything the import needs from a must-gather (`directory` may be the folder
    `oc adm must-gather` wrote or the image folder inside it)."""
    root = find_root(Path(directory))
    found = Found(str(root), str(root / NODES))
    found.nodes = [m for file in _files(root / NODES) for m in _node_file(file)]
    found.pods = list(_pods(root))
    found.deployments = [m for ns in _namespaces(root) for m in _manifests(ns / "apps" / "deployments.yaml")]
    found.config = _config(root / CONFIG)
    if (root / CLUSTER_VERSION).is_file():
        found.version = next((cluster_version(m.body) for m in iter_manifests(root / CLUSTER_VERSION)), None)
    return found


def find_root(directory: Path) -> Path:
    """The folder holding `cluster-scoped-resources/` and `namespaces/`: `directory`
    itself or the one image folder below it."""
    if not directory.is_dir():
        state = "a file" if directory.exists() else "no such folder"
        raise InputError(str(directory), "", f"expected a must-gather folder, found {state}")
    if _is_root(directory):
        return directory
    candidates = sorted(p for p in directory.iterdir() if p.is_dir() and _is_root(p))
    with_nodes = [p for p in candidates if (p / NODES).is_dir()]
    if len(candidates) == 1 or len(with_nodes) == 1:
        return (with_nodes or candidates)[0]
    if not candidates:
        raise InputError(str(directory), "", f"expected a must-gather folder: {CLUSTER}/ and {NAMESPACES}/ in it or in "
                                             "one folder below it (quay-io-openshift-release-dev-...), found neither")
    names = ", ".join(p.name for p in candidates)
    raise InputError(str(directory), "", f"expected one must-gather image folder with nodes, found {len(candidates)} "
                                         f"({names}): give the one to import")


def _is_root(path: Path) -> bool:
    return (path / CLUSTER).is_dir() or (path / NAMESPACES).is_dir()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    named = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES)
    for path in named:
        if not path.is_file():
            raise InputError(str(path), "", "expected a file (`oc adm inspect` writes one per object), found a folder")
    return named


def _node_file(file: Path) -> list[Located]:
    """The Node of a node's file: an empty one is a gather that failed for that node, not
    a cluster with a node fewer."""
    found = list(iter_manifests(file))
    if not found:
        raise InputError(str(file), "", "expected a Node (`oc adm inspect` writes one per file), found none")
    return found


def _namespaces(root: Path) -> list[Path]:
    folder = root / NAMESPACES
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _manifests(file: Path) -> Iterator[Located]:
    if file.is_file():
        yield from iter_manifests(file)


def _pods(root: Path) -> Iterator[Located]:
    """Per namespace the PodList; without one (a must-gather that kept only the
    per-pod folders), each `pods/<pod>/<pod>.yaml`."""
    for namespace in _namespaces(root):
        listed = namespace / "core" / "pods.yaml"
        if listed.is_file():
            yield from iter_manifests(listed)
            continue
        folder = namespace / "pods"
        for pod in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else ():
            yield from _manifests(pod / f"{pod.name}.yaml")


def _config(file: Path) -> Located | None:
    if not file.is_file():
        return None
    found = list(iter_manifests(file))
    if len(found) != 1:
        raise InputError(str(file), "", f"expected exactly one registry Config, found {len(found)} objects")
    check_config(found[0])
    return found[0]
