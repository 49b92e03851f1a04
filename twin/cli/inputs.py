"""Reading command-line inputs, shared by the commands."""

from __future__ import annotations

import json
import sys

import yaml

from twin.errors import InputError
from twin.model.kube_io.load import ClusterObjects, load_nodes, load_objects, load_pods
from twin.model.registry import openshift_version


def cluster_inputs(nodes_file, pods_file=None, object_files=()) -> ClusterObjects:
    """Nodes, existing pods and extra objects. The pods the scheduler cache holds are
    kept: bound ones (pending pods are not in the cache) that are not Succeeded/Failed."""
    found = load_objects(object_files or ())
    found.nodes = load_nodes(nodes_file) + found.nodes
    names = {n.name for n in found.nodes}
    if pods_file is not None:
        found.pods = load_pods(pods_file, names) + found.pods
    for pod in found.pods:
        if pod.node_name is not None and pod.node_name not in names:
            raise InputError("--objects", f"pod {pod.key}: spec.nodeName", f"expected a known node, got {pod.node_name!r}")
    found.pods = [p for p in found.pods if p.node_name is not None and not p.terminal]
    return found


def version_option(text: str):
    try:
        return openshift_version(text)
    except ValueError as exc:
        raise InputError("--openshift", "", str(exc)) from None


def name_option(flag: str, text: str) -> str:
    """A scenario name given on the command line (`--name`), checked before any work as
    the scenario file's `name` is: it becomes a folder."""
    from twin.scenarios.spec import folder_name

    try:
        return folder_name(text)
    except ValueError as exc:
        raise InputError(flag, "", str(exc)) from None


def write_json(document) -> None:
    json.dump(document, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def write_yaml(documents: list) -> None:
    yaml.safe_dump_all(documents, sys.stdout, sort_keys=False, default_flow_style=False)
