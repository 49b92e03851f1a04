"""`oc get ... -o yaml|json` dumps: one file (a List, NodeList, PodList, a single object
or a multi-document stream) or a folder of such files (read recursively, in name order).
Objects are sorted by kind: Node, Pod, Deployment, the registry Config and the
ClusterVersion are used; other kinds are counted and named in the scenario's header."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError
from twin.importing.found import Found, check_config, cluster_version, is_registry_config
from twin.importing.layout import SUFFIXES
from twin.model.kube_io.files import Located, iter_manifests


def read_dump(path: str | Path) -> Found:
    path = Path(path)
    files = dump_files(path)
    found = Found(str(path), str(path))
    for file in files:
        for located in iter_manifests(file):
            _sort(found, located)
    if found.config is not None:
        check_config(found.config)
    return found


def dump_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(str(path), "", "expected an `oc get -o yaml|json` file or a folder of them, found no such path")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    if not files:
        raise InputError(str(path), "", f"expected {', '.join(SUFFIXES)} files, found none")
    return files


def _sort(found: Found, located: Located) -> None:
    body = located.body
    kind = body.get("kind")
    if kind == "Node":
        found.nodes.append(located)
    elif kind == "Pod":
        found.pods.append(located)
    elif kind == "Deployment":
        found.deployments.append(located)
    elif is_registry_config(body):
        if found.config is not None:
            raise InputError(located.source, located.where(), f"expected one registry Config, found a second one "
                                                              f"(the first in {found.config.source})")
        found.config = located
    elif kind == "ClusterVersion":
        found.version = cluster_version(body) or found.version
    else:
        found.ignored[str(kind) if kind else "(no kind)"] += 1
