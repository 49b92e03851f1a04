"""How the must-gathers under this folder were trimmed from the real archives (see
SOURCE.md): python trim_must_gather.py EXTRACTED_MUST_GATHER_DIR OUT_DIR [--pod-folders NS].

Kept, in the must-gather's own layout: `version`, `timestamp`, every node file, the
registry Config, the ClusterVersion, and for the namespaces in NAMESPACES their
`core/pods.yaml` and `apps/deployments.yaml` (with `--pod-folders NS`, also NS's
`pods/<pod>/<pod>.yaml`). Within objects: managedFields, annotations, uid,
resourceVersion and creationTimestamp dropped; nodes' status.images, addresses,
nodeInfo, daemonEndpoints and volumes dropped; pods' status cut to the phase;
Deployments cut to metadata name/namespace/labels and spec replicas/selector/strategy;
the Config's spec.httpSecret and status removed; the ClusterVersion cut to
status.desired and status.history (version, state). Nothing is added or changed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

NAMESPACES = ("openshift-dns", "openshift-etcd", "openshift-image-registry", "openshift-ingress")
META_DROP = ("managedFields", "annotations", "uid", "resourceVersion", "creationTimestamp", "generateName", "selfLink")


def meta(body: dict) -> dict:
    return {k: v for k, v in (body.get("metadata") or {}).items() if k not in META_DROP}


def node(body):
    status = {k: v for k, v in body["status"].items() if k not in ("images", "addresses", "nodeInfo", "daemonEndpoints",
                                                                      "volumesAttached", "volumesInUse")}
    return {**body, "metadata": meta(body), "status": status}


def pod(body):
    return {**body, "metadata": meta(body), "status": {"phase": body.get("status", {}).get("phase")}}


def deployment(body):
    spec = {k: body["spec"][k] for k in ("replicas", "selector", "strategy") if k in body["spec"]}
    m = meta(body)
    return {"apiVersion": body["apiVersion"], "kind": body["kind"],
            "metadata": {k: m[k] for k in ("name", "namespace", "labels") if k in m}, "spec": spec}


def config(body):
    spec = {k: v for k, v in body["spec"].items() if k != "httpSecret"}
    return {"apiVersion": body["apiVersion"], "kind": body["kind"], "metadata": meta(body), "spec": spec}


def cluster_version(body):
    status = body["status"]
    history = [{"state": h.get("state"), "version": h.get("version")} for h in status.get("history", [])]
    return {"apiVersion": body["apiVersion"], "kind": body["kind"], "metadata": meta(body),
            "status": {"desired": status["desired"], "history": history}}


def listed(trim):
    return lambda body: {**body, "items": [trim(item) for item in body["items"]]}


def copy(source: Path, target: Path, trim) -> None:
    body = yaml.safe_load(source.read_text())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("---\n" + yaml.safe_dump(trim(body), sort_keys=True, default_flow_style=False))


def main(source: Path, out: Path, pod_folders: tuple[str, ...]) -> None:
    root = next(p for p in source.iterdir() if p.name.startswith("quay-io-"))
    target = out / root.name
    target.mkdir(parents=True, exist_ok=True)
    for folder, into in ((source, out), (root, target)):
        for name in ("version", "timestamp"):
            if (folder / name).exists():
                shutil.copy(folder / name, into / name)
    csr = Path("cluster-scoped-resources")
    for file in sorted((root / csr / "core" / "nodes").glob("*.yaml")):
        copy(file, target / csr / "core" / "nodes" / file.name, node)
    copy(root / csr / "imageregistry.operator.openshift.io/configs/cluster.yaml",
         target / csr / "imageregistry.operator.openshift.io/configs/cluster.yaml", config)
    copy(root / csr / "config.openshift.io/clusterversions/version.yaml",
         target / csr / "config.openshift.io/clusterversions/version.yaml", cluster_version)
    for ns in NAMESPACES:
        base = Path("namespaces", ns)
        copy(root / base / "core/pods.yaml", target / base / "core/pods.yaml", listed(pod))
        if (root / base / "apps/deployments.yaml").exists():
            copy(root / base / "apps/deployments.yaml", target / base / "apps/deployments.yaml", listed(deployment))
        if ns in pod_folders:
            for folder in sorted((root / base / "pods").iterdir()):
                copy(folder / f"{folder.name}.yaml", target / base / "pods" / folder.name / f"{folder.name}.yaml", pod)


if __name__ == "__main__":
    args = sys.argv[1:]
    folders = tuple(args[args.index("--pod-folders") + 1:]) if "--pod-folders" in args else ()
    main(Path(args[0]), Path(args[1]), folders)
