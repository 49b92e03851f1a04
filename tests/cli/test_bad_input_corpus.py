"""The bad-input corpus (issue 14, Tests): every command, and the pytest plugin, given each
kind of hostile input: bytes that are not UTF-8, UTF-16 without a byte-order mark, an
empty file, `null`, a list where a mapping belongs, huge nesting, an alias bomb, a key
given twice, a 5,000-digit integer, an overlong string, the wrong kind or apiVersion, a
bad quantity or duration, a count out of range, a name that is a path, a missing file
and a directory where a file belongs.

Each case must end with exit code 2 and exactly one stderr line, `twin: error: ...` (or
argparse's `twin X: error: ... (see twin X --help)`) naming the file or the flag, no
traceback, nothing on stdout, and the working folder exactly as it was.

The corpus is a table: `SLOTS` are the file inputs of every command (a command line with
`{f}` where the bad file goes, and the good files it needs), crossed with the
file-content categories of `CONTENTS` (`LOG_CONTENTS` for line-oriented files); `ONE_OFF`
adds the cases that only make sense for one command (a wrong kind, a bad quantity, a count
out of range, a path as a name, a bad flag) and the bugs this corpus found. To extend it,
add a slot, a content or a case. Cases run in-process under an alarm (a hang fails the
case instead of stalling the suite); the ones that once hung run again as real processes
under a timeout, and the plugin runs once in a subprocess over one folder holding all its
bad files.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import DATA, twin

ROOT = Path(__file__).parents[2]
TIMEOUT = 20  # seconds an in-process case may take before it counts as a hang
OBSERVED = ROOT / "tests" / "observed" / "data"
ACCESS_LOG = OBSERVED / "distribution-2.8.2" / "app-json.log"
MUST_GATHER = ROOT / "tests" / "importing" / "data" / "aws"
MUST_GATHER_NODE = "cluster-scoped-resources/core/nodes/ip-10-0-129-220.ec2.internal.yaml"
CONFIG = ROOT / "twin" / "scenarios" / "examples" / "rosa-default-config.yaml"

SCENARIO = b"name: corpus\nduration: 1m\ncluster:\n  generate: {zones: 1, workers_per_zone: 1}\n"
MISSING, FOLDER = object(), object()  # contents: leave the file out; make a directory there

USAGE = re.compile(r"twin [a-z-]+( [a-z-]+)?: error: .* \(see twin [a-z-]+( [a-z-]+)? --help\)\n")


def _bomb() -> bytes:
    """Billion laughs: nine anchors of nine aliases each (9**9 strings if expanded)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


CONTENTS: dict[str, object] = {
    # a document (YAML or JSON) that is hostile whatever the file should hold
    "latin-1": b"kind: Node\nmetadata: {name: caf\xe9}\n",
    "utf-16 without BOM": "kind: NodeList\napiVersion: v1\nitems: []\n".encode("utf-16-le"),
    "empty": b"",
    "null": b"null\n",
    "list for a mapping": b"- a\n- b\n",
    "huge JSON nesting": b"[" * 100_000 + b"]" * 100_000,
    "huge YAML nesting": b"x: " + b"[" * 5_000 + b"]" * 5_000 + b"\n",
    "alias bomb": _bomb(),
    "duplicate key": b"kind: NodeList\napiVersion: v1\nkind: NodeList\n",
    "duplicate JSON key": b'{"kind": "NodeList", "apiVersion": "v1", "kind": "PodList"}',
    "5000-digit integer": b"x: " + b"9" * 5000 + b"\n",
    "5000-digit JSON integer": b'{"x": ' + b"9" * 5000 + b"}",
    "overlong string": b"x: " + b"y" * (3 * 2**20 + 1) + b"\n",
    "missing": MISSING,
    "directory": FOLDER,
}
LOG_CONTENTS: dict[str, object] = {
    # a line-oriented file (an access log, a Prometheus scrape): the categories that apply
    "latin-1": b'time="2024-01-01T00:00:00Z" msg="caf\xe9"\n',
    "utf-16 without BOM": ACCESS_LOG.read_text().encode("utf-16-le")[:4000],
    "empty": b"",
    "null": b"null\n",
    "list for a mapping": b"- a\n- b\n",
    "huge JSON nesting": b'{"msg":"response completed","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
    "5000-digit integer": b'{"msg":"response completed","http.response.status":' + b"9" * 5000 + b"}\n",
    "overlong line": b"x" * (2 * 2**20) + b"\n",
    "missing": MISSING,
    "directory": FOLDER,
}


@dataclass
class Slot:
    """One file input of one command: `args` with `{f}` for the bad `file` (or naming the
    folder the bad file is in: a run folder, a must-gather, where `IMAGE/` stands for its
    quay-io-... image folder); `flag` is the option it is given with."""

    args: tuple[str, ...]
    file: str
    flag: str
    files: dict[str, object] = field(default_factory=dict)  # the good files around it: name -> content (`_write`)
    contents: dict[str, object] = field(default_factory=lambda: CONTENTS)
    accepts: tuple[str, ...] = ()  # contents that are good input here


EMPTY_IS_NONE = ("empty", "null")  # a file of optional objects: an empty YAML stream holds none


SLOTS: dict[str, Slot] = {
    "run SCENARIO": Slot(("run", "{f}", "--quiet"), "scenario.yaml", "SCENARIO"),
    "run --out SCENARIO": Slot(("run", "{f}", "--quiet", "--out", "out", "--report"), "scenario.yaml", "SCENARIO"),
    "run cluster.nodes": Slot(("run", "scenario.yaml", "--quiet"), "nodes.yaml", "cluster.nodes",
                              {"scenario.yaml": b"name: corpus\nduration: 1m\ncluster: {nodes: nodes.yaml}\n"}),
    "run cluster.pods": Slot(("run", "scenario.yaml", "--quiet"), "pods.yaml", "cluster.pods",
                             {"scenario.yaml": b"name: corpus\nduration: 1m\ncluster: {nodes: nodes.json, pods: pods.yaml}\n",
                              "nodes.json": DATA / "nodes.json"}, accepts=EMPTY_IS_NONE),
    "run registry.config_file": Slot(("run", "scenario.yaml", "--quiet"), "config.yaml", "registry.config_file",
                                     {"scenario.yaml": SCENARIO + b"registry: {config_file: config.yaml}\n"}),
    "render --config": Slot(("render", "--config", "{f}", "--nodes", "nodes.json"), "config.yaml", "--config",
                            {"nodes.json": DATA / "nodes.json"}),
    "render --nodes": Slot(("render", "--config", "config.yaml", "--nodes", "{f}"), "nodes.yaml", "--nodes",
                           {"config.yaml": CONFIG}),
    "render --objects": Slot(("render", "--config", "config.yaml", "--nodes", "nodes.json", "--objects", "{f}"),
                             "objects.yaml", "--objects", {"config.yaml": CONFIG, "nodes.json": DATA / "nodes.json"},
                             accepts=EMPTY_IS_NONE),
    "place --config": Slot(("place", "--config", "{f}"), "config.yaml", "--config"),
    "place --nodes": Slot(("place", "--nodes", "{f}"), "nodes.yaml", "--nodes"),
    "place --pods": Slot(("place", "--nodes", "nodes.json", "--pods", "{f}"), "pods.yaml", "--pods",
                         {"nodes.json": DATA / "nodes.json"}, accepts=EMPTY_IS_NONE),
    "place --objects": Slot(("place", "--objects", "{f}"), "objects.yaml", "--objects", accepts=EMPTY_IS_NONE),
    "explain --nodes": Slot(("explain", "--nodes", "{f}", "--pod", "pod.yaml"), "nodes.yaml", "--nodes",
                            {"pod.yaml": DATA / "pod.yaml"}),
    "explain --pod": Slot(("explain", "--nodes", "nodes.json", "--pod", "{f}"), "pod.yaml", "--pod",
                          {"nodes.json": DATA / "nodes.json"}),
    "explain --pods": Slot(("explain", "--nodes", "nodes.json", "--pods", "{f}", "--pod", "pod.yaml"), "pods.yaml",
                           "--pods", {"nodes.json": DATA / "nodes.json", "pod.yaml": DATA / "pod.yaml"}, accepts=EMPTY_IS_NONE),
    "explain --objects": Slot(("explain", "--nodes", "nodes.json", "--pod", "pod.yaml", "--objects", "{f}"),
                              "objects.yaml", "--objects", {"nodes.json": DATA / "nodes.json", "pod.yaml": DATA / "pod.yaml"},
                              accepts=EMPTY_IS_NONE),
    "sweep SCENARIO": Slot(("sweep", "{f}", "--param", "duration=1m,2m", "--workers", "0", "--quiet"), "scenario.yaml",
                           "SCENARIO"),
    "check SCENARIO": Slot(("check", "{f}", "--vary", "registry.replicas=1..2", "--max-examples", "1", "--quiet"),
                           "scenario.yaml", "SCENARIO"),
    "report summary.json": Slot(("report", "run"), "run/summary.json", "OUT_DIR", {"run": "RUN"}),
    "report cluster.json": Slot(("report", "run"), "run/cluster.json", "OUT_DIR", {"run": "RUN"}),
    "report events.csv": Slot(("report", "run"), "run/events.csv", "OUT_DIR", {"run": "RUN"}, contents=LOG_CONTENTS),
    "report requests.parquet": Slot(("report", "run"), "run/requests.parquet", "OUT_DIR", {"run": "RUN"}),
    "import dump FILE": Slot(("import", "dump", "{f}", "--out", "imported"), "dump.yaml", "SOURCE"),
    "import must-gather node": Slot(("import", "must-gather", "mg", "--out", "imported"), f"mg/IMAGE/{MUST_GATHER_NODE}",
                                    "SOURCE", {"mg": MUST_GATHER}),
    "calibrate --access-log": Slot(("calibrate", "--access-log", "{f}", "--out", "calibrated"), "registry.log",
                                   "--access-log", contents=LOG_CONTENTS),
    "calibrate --metrics": Slot(("calibrate", "--metrics", "{f}", "--out", "calibrated"), "scrape.prom", "--metrics",
                                contents=LOG_CONTENTS),
    "calibrate --query-range": Slot(("calibrate", "--query-range", "{f}", "--out", "calibrated"), "export.json",
                                    "--query-range"),
    "calibrate --base": Slot(("calibrate", "--access-log", "registry.log", "--base", "{f}", "--out", "calibrated"),
                             "scenario.yaml", "--base", {"registry.log": ACCESS_LOG}),
    "validate SCENARIO": Slot(("validate", "{f}", "--access-log", "registry.log", "--out", "validation"),
                              "scenario.yaml", "SCENARIO", {"registry.log": ACCESS_LOG}),
    "validate --access-log": Slot(("validate", "scenario.yaml", "--access-log", "{f}", "--out", "validation"),
                                  "registry.log", "--access-log", {"scenario.yaml": SCENARIO}, contents=LOG_CONTENTS),
    "validate --metrics": Slot(("validate", "scenario.yaml", "--metrics", "{f}", "--out", "validation"),
                               "scrape.prom", "--metrics", {"scenario.yaml": SCENARIO}, contents=LOG_CONTENTS),
    "validate --query-range": Slot(("validate", "scenario.yaml", "--query-range", "{f}", "--out", "validation"),
                                   "export.json", "--query-range", {"scenario.yaml": SCENARIO}),
}


@dataclass
class Case:
    args: tuple[str, ...]
    names: tuple[str, ...]  # the line names one of these (the file or the flag)
    files: dict[str, object] = field(default_factory=dict)  # relative path -> bytes, a Path to copy, MISSING, FOLDER
    expected: str = ""  # and holds this, when given


def _slot_cases() -> dict[str, Case]:
    cases = {}
    for slot_name, slot in SLOTS.items():
        for content_name, content in slot.contents.items():
            if content_name in slot.accepts:
                continue
            if content is MISSING and (slot.file.endswith((".parquet", "cluster.json")) or "IMAGE/" in slot.file):
                continue  # optional files of a run folder; one node file fewer is a smaller cluster
            files = dict(slot.files)
            files[slot.file] = content
            target = slot.file.split("/")[0] if "{f}" not in slot.args else slot.file
            args = tuple(a.replace("{f}", target) for a in slot.args)
            flags = (slot.flag,) if slot.flag.startswith("--") else ()
            cases[f"{slot_name}: {content_name}"] = Case(args, (Path(slot.file).name, target, *flags), files)
    return cases


def _doc(body: dict) -> bytes:
    return json.dumps(body).encode()


NODES = json.loads((DATA / "nodes.json").read_text())


def _nodes_with(**allocatable) -> bytes:
    body = json.loads(json.dumps(NODES))
    body["items"][0]["status"]["allocatable"].update(allocatable)
    return _doc(body)


def _edit_json(path: Path, **changes) -> bytes:
    return json.dumps({**json.loads(path.read_text()), **changes}).encode()


def _scenario(extra: str) -> bytes:
    return SCENARIO + extra.encode()


ONE_OFF: dict[str, Case] = {
    # wrong kind / apiVersion
    "run: nodes file of PodList kind": Case(("run", "scenario.yaml", "--quiet"), ("nodes.yaml",), {
        "scenario.yaml": b"name: corpus\nduration: 1m\ncluster: {nodes: nodes.yaml}\n",
        "nodes.yaml": DATA / "pods.yaml"}, expected="kind: expected Node, got 'Pod'"),
    "run: inline Config of another apiVersion": Case(("run", "scenario.yaml", "--quiet"), ("scenario.yaml",), {
        "scenario.yaml": _scenario("registry:\n  config: {apiVersion: v2, spec: {replicas: 2}}\n")}),
    "render: --config of kind Deployment": Case(("render", "--config", "config.yaml", "--nodes", "nodes.json"),
                                                ("config.yaml",), {
        "config.yaml": b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cluster}\nspec: {}\n",
        "nodes.json": DATA / "nodes.json"}),
    "render: --nodes of apiVersion v2": Case(("render", "--config", "config.yaml", "--nodes", "nodes.json"),
                                             ("nodes.json",), {
        "config.yaml": CONFIG, "nodes.json": _doc({**NODES, "apiVersion": "v2"})}),
    "place: --pods holding a Node": Case(("place", "--pods", "pods.yaml"), ("pods.yaml",), {
        "pods.yaml": b"apiVersion: v1\nkind: Node\nmetadata: {name: n}\n"}),
    "explain: --pod of kind Node": Case(("explain", "--nodes", "nodes.json", "--pod", "pod.yaml"), ("pod.yaml",), {
        "nodes.json": DATA / "nodes.json", "pod.yaml": b"apiVersion: v1\nkind: Node\nmetadata: {name: n}\n"}),
    "explain: --objects of an unknown kind": Case(
        ("explain", "--nodes", "nodes.json", "--pod", "pod.yaml", "--objects", "objects.yaml"), ("objects.yaml",), {
            "nodes.json": DATA / "nodes.json", "pod.yaml": DATA / "pod.yaml",
            "objects.yaml": b"apiVersion: v1\nkind: Frobnicator\nmetadata: {name: x}\n"}),
    "import dump: a Secret": Case(("import", "dump", "dump.yaml", "--out", "imported"), ("dump.yaml",), {
        "dump.yaml": b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {}\n"}),
    "calibrate: --query-range of another shape": Case(
        ("calibrate", "--query-range", "export.json", "--out", "calibrated"), ("export.json",), {
            "export.json": b'{"status": "success", "data": {"resultType": "vector", "result": []}}'}),
    "sweep: a scenario that is a NodeList": Case(("sweep", "nodes.json", "--workers", "0", "--quiet"), ("nodes.json",), {
        "nodes.json": DATA / "nodes.json"}),
    # bad quantity / duration
    "run: duration in words": Case(("run", "scenario.yaml", "--quiet"), ("scenario.yaml",), {
        "scenario.yaml": b"name: corpus\nduration: ten minutes\n"}),
    "run: --metrics-every forever": Case(("run", "scenario.yaml", "--quiet", "--out", "out", "--metrics-every", "forever"),
                                         ("--metrics-every",), {"scenario.yaml": SCENARIO}),
    "run: a worker cpu of 4 cores": Case(("run", "scenario.yaml", "--quiet"), ("scenario.yaml",), {
        "scenario.yaml": b"name: corpus\nduration: 1m\ncluster:\n  generate: {zones: 1, worker: {cpu: 4 cores}}\n"}),
    "render: node cpu 4 cores": Case(("render", "--config", "config.yaml", "--nodes", "nodes.json"), ("nodes.json",), {
        "config.yaml": CONFIG, "nodes.json": _nodes_with(cpu="4 cores")}),
    "render: a Config request of 1e999999999": Case(("render", "--config", "config.yaml", "--nodes", "nodes.json"),
                                                    ("config.yaml",), {
        "config.yaml": b"apiVersion: imageregistry.operator.openshift.io/v1\nkind: Config\nmetadata: {name: cluster}\n"
                       b"spec:\n  managementState: Managed\n  replicas: 2\n  storage: {emptyDir: {}}\n"
                       b"  resources: {requests: {cpu: 1e999999999}}\n",
        "nodes.json": DATA / "nodes.json"}),
    "place: node memory of -1Gi": Case(("place", "--nodes", "nodes.json"), ("nodes.json",), {
        "nodes.json": _nodes_with(memory="-1Gi")}),
    "explain: a pod request of lots": Case(("explain", "--nodes", "nodes.json", "--pod", "pod.yaml"), ("pod.yaml",), {
        "nodes.json": DATA / "nodes.json",
        "pod.yaml": (DATA / "pod.yaml").read_bytes().replace(b"cpu: 100m", b"cpu: lots")}),
    "sweep: --param duration=forever": Case(("sweep", "scenario.yaml", "--param", "duration=forever", "--workers", "0",
                                             "--quiet"), ("--param", "duration"), {"scenario.yaml": SCENARIO}),
    "check: --time forever": Case(("check", "scenario.yaml", "--vary", "registry.replicas=1..2", "--time", "forever",
                                   "--quiet"), ("--time",), {"scenario.yaml": SCENARIO}),
    "calibrate: --interval forever": Case(("calibrate", "--access-log", "registry.log", "--interval", "forever", "--out",
                                           "calibrated"), ("--interval",), {"registry.log": ACCESS_LOG}),
    "validate: --from x": Case(("validate", "scenario.yaml", "--access-log", "registry.log", "--from", "x", "--out",
                                "validation"), ("--from",), {"scenario.yaml": SCENARIO, "registry.log": ACCESS_LOG}),
    "import dump: a node of 4 cores": Case(("import", "dump", "nodes.json", "--out", "imported"), ("nodes.json",), {
        "nodes.json": _nodes_with(cpu="4 cores")}),
    # out-of-range counts
    "run: replicas -1": Case(("run", "scenario.yaml", "--quiet"), ("scenario.yaml",), {
        "scenario.yaml": _scenario("workloads:\n  - {name: a, replicas: -1}\n")}),
    "run: --seed -1": Case(("run", "scenario.yaml", "--quiet", "--seed", "-1"), ("--seed",), {"scenario.yaml": SCENARIO}),
    "render: Config replicas 3000000000": Case(("render", "--config", "config.yaml", "--nodes", "nodes.json"),
                                               ("config.yaml",), {
        "config.yaml": CONFIG.read_bytes().replace(b"replicas: 2", b"replicas: 3000000000"),
        "nodes.json": DATA / "nodes.json"}),
    "place: --seed 2^70": Case(("place", "--seed", str(2**70)), ("--seed",)),
    "explain: maxSkew 0": Case(("explain", "--nodes", "nodes.json", "--pod", "pod.yaml"), ("pod.yaml",), {
        "nodes.json": DATA / "nodes.json",
        "pod.yaml": (DATA / "pod.yaml").read_bytes().replace(b"{maxSkew: 1, topologyKey: kubernetes.io/hostname",
                                                             b"{maxSkew: 0, topologyKey: kubernetes.io/hostname")}),
    "explain: node pods -5": Case(("explain", "--nodes", "nodes.json", "--pod", "pod.yaml"), ("nodes.json",), {
        "nodes.json": _nodes_with(pods="-5"), "pod.yaml": DATA / "pod.yaml"}),
    "sweep: --seeds 0": Case(("sweep", "scenario.yaml", "--seeds", "0", "--workers", "0", "--quiet"), ("--seeds",),
                             {"scenario.yaml": SCENARIO}),
    "sweep: --workers -1": Case(("sweep", "scenario.yaml", "--workers", "-1", "--quiet"), ("--workers",),
                                {"scenario.yaml": SCENARIO}),
    "check: --max-examples -1": Case(("check", "scenario.yaml", "--vary", "registry.replicas=1..2", "--max-examples", "-1",
                                      "--quiet"), ("--max-examples",), {"scenario.yaml": SCENARIO}),
    "check: --vary replicas=5..1": Case(("check", "scenario.yaml", "--vary", "registry.replicas=5..1", "--quiet"),
                                        ("--vary",), {"scenario.yaml": SCENARIO}),
    "calibrate: --seed -1": Case(("calibrate", "--access-log", "registry.log", "--seed", "-1", "--out", "calibrated"),
                                 ("--seed",), {"registry.log": ACCESS_LOG}),
    "validate: --seed 2^70": Case(("validate", "scenario.yaml", "--access-log", "registry.log", "--seed", str(2**70),
                                   "--out", "validation"), ("--seed",), {"scenario.yaml": SCENARIO,
                                                                        "registry.log": ACCESS_LOG}),
    "import dump: a Config of replicas -1": Case(("import", "dump", "dump", "--out", "imported"), ("config.yaml",), {
        "dump/nodes.json": DATA / "nodes.json",
        "dump/config.yaml": CONFIG.read_bytes().replace(b"replicas: 2", b"replicas: -1")}),
    # a name that is a path
    "run: scenario name ../x": Case(("run", "scenario.yaml", "--quiet", "--report"), ("scenario.yaml",), {
        "scenario.yaml": SCENARIO.replace(b"name: corpus", b"name: ../x")}),
    "sweep: scenario name ../x": Case(("sweep", "scenario.yaml", "--workers", "0", "--quiet"), ("scenario.yaml",), {
        "scenario.yaml": SCENARIO.replace(b"name: corpus", b"name: ../x")}),
    "check: scenario name ../x": Case(("check", "scenario.yaml", "--vary", "registry.replicas=1..2", "--quiet"),
                                      ("scenario.yaml",), {"scenario.yaml": SCENARIO.replace(b"name: corpus", b"name: ../x")}),
    "validate: scenario name ../x": Case(("validate", "scenario.yaml", "--access-log", "registry.log", "--out",
                                          "validation"), ("scenario.yaml",), {
        "scenario.yaml": SCENARIO.replace(b"name: corpus", b"name: ../x"), "registry.log": ACCESS_LOG}),
    "calibrate: --name ../x": Case(("calibrate", "--access-log", "registry.log", "--name", "../x", "--out", "calibrated"),
                                   ("--name",), {"registry.log": ACCESS_LOG}),
    "import: --name ../x": Case(("import", "dump", "nodes.json", "--name", "../x", "--out", "imported"), ("--name",), {
        "nodes.json": DATA / "nodes.json"}),
    "run: built-in name ../x": Case(("run", "../x", "--quiet"), ("../x",)),
    "explain: node named ../x": Case(("explain", "--nodes", "nodes.json", "--pod", "pod.yaml"), ("nodes.json",), {
        "nodes.json": _doc({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "../x"},
                            "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}}}),
        "pod.yaml": DATA / "pod.yaml"}),
    "render: a Config named ../x": Case(("render", "--config", "config.yaml", "--nodes", "nodes.json"), ("config.yaml",), {
        "config.yaml": CONFIG.read_bytes().replace(b"name: cluster", b"name: ../x"), "nodes.json": DATA / "nodes.json"}),
    "place: a running pod named ../x": Case(("place", "--nodes", "nodes.json", "--pods", "pods.yaml"), ("pods.yaml",), {
        "nodes.json": DATA / "nodes.json",
        "pods.yaml": (DATA / "pods.yaml").read_bytes().replace(b"name: image-registry-old-1", b"name: ../x")}),
    "validate: a scenario that is a NodeList": Case(("validate", "nodes.json", "--access-log", "registry.log", "--out",
                                                     "validation"), ("nodes.json",), {
        "nodes.json": DATA / "nodes.json", "registry.log": ACCESS_LOG}),
    "report: a folder ../x": Case(("report", "../x"), ("../x",)),
    "report: a file for the folder": Case(("report", "run.txt"), ("run.txt",), {"run.txt": b"not a folder\n"}),
    "import must-gather: a file for the folder": Case(("import", "must-gather", "mg.txt", "--out", "imported"),
                                                      ("mg.txt",), {"mg.txt": b"not a folder\n"}),
    "import must-gather: missing": Case(("import", "must-gather", "mg", "--out", "imported"), ("mg",)),
    # values past what a message may quote, found by this corpus
    "report: an events.csv time of 100,000 characters": Case(("report", "run"), ("events.csv",), {
        "run": "RUN", "run/events.csv": b"time,seq,kind,subject,details\n" + b"9x" * 50_000 + b",1,k,s,{}\n"}),
    "report: events.csv details nested 5,000 deep": Case(("report", "run"), ("events.csv",), {
        "run": "RUN", "run/events.csv": b"time,seq,kind,subject,details\n1.0,1,k,s," + b"[" * 5000 + b"]" * 5000 + b"\n"}),
    "explain: an apiVersion of a megabyte": Case(("explain", "--nodes", "nodes.json", "--pod", "pod.yaml"), ("pod.yaml",), {
        "nodes.json": DATA / "nodes.json",
        "pod.yaml": (DATA / "pod.yaml").read_bytes().replace(b"apiVersion: v1", b"apiVersion: " + b"v" * 2**20)}),
    "place: Config replicas 3000000000 (was a hang)": Case(("place", "--config", "config.yaml"), ("config.yaml",), {
        "config.yaml": CONFIG.read_bytes().replace(b"replicas: 2", b"replicas: 3000000000")}),
    "run: config_file replicas 200000 (was a hang)": Case(("run", "scenario.yaml", "--quiet"), ("config.yaml",), {
        "scenario.yaml": SCENARIO + b"registry: {config_file: config.yaml}\n",
        "config.yaml": CONFIG.read_bytes().replace(b"replicas: 2", b"replicas: 200000")}),
    "import: an --out folder whose name cannot name the scenario": Case(
        ("import", "dump", "nodes.json", "--out", "my cluster"), ("--out",), {"nodes.json": DATA / "nodes.json"}),
    "run: --metrics-every 1ns (was a hang)": Case(("run", "scenario.yaml", "--quiet", "--out", "out", "--metrics-every",
                                                  "1ns"), ("--metrics-every",), {"scenario.yaml": SCENARIO}),
    "run: traffic.scrape_interval 1ns (was a hang)": Case(("run", "scenario.yaml", "--quiet"), ("scenario.yaml",), {
        "scenario.yaml": SCENARIO + b"traffic: {scrape_interval: 1ns}\n"}),
    "render: an s3 bucket that is a mapping": Case(("render", "--config", "config.yaml", "--nodes", "nodes.json"),
                                                   ("config.yaml",), {
        "config.yaml": CONFIG.read_bytes().replace(b"bucket: rosa-cluster-image-registry-us-east-1", b"bucket: {a: 1}"),
        "nodes.json": DATA / "nodes.json"}),
    "place: a cloudFront duration of forever": Case(("place", "--config", "config.yaml"), ("config.yaml",), {
        "config.yaml": CONFIG.read_bytes() + b"      cloudFront: {baseURL: x, duration: forever}\n"}),
    "place: node cpu 1E (millicores past int64)": Case(("place", "--nodes", "nodes.json"), ("nodes.json",), {
        "nodes.json": _nodes_with(cpu="1E")}),
    "explain: a !!int tag on a word": Case(("explain", "--nodes", "nodes.yaml", "--pod", "pod.yaml"), ("nodes.yaml",), {
        "nodes.yaml": b"!!int apiVersion: v1\nkind: NodeList\nitems: []\n", "pod.yaml": DATA / "pod.yaml"}),
    "run: a !!float tag on nothing": Case(("run", "scenario.yaml", "--quiet"), ("scenario.yaml",), {
        "scenario.yaml": SCENARIO + b"seed: !!float\n"}),
    "report: simulated_seconds Infinity": Case(("report", "run"), ("summary.json",), {
        "run": "RUN", "run/summary.json": lambda run: _edit_json(run / "summary.json", simulated_seconds=float("inf"))}),
    "report: invariants that are numbers": Case(("report", "run"), ("summary.json",), {
        "run": "RUN", "run/summary.json": lambda run: _edit_json(run / "summary.json", invariants=[1, 2])}),
    "report: requests that is a number": Case(("report", "run"), ("summary.json",), {
        "run": "RUN", "run/summary.json": lambda run: _edit_json(run / "summary.json", requests=5)}),
    "report: a summary.json that is a NodeList": Case(("report", "run"), ("summary.json",), {
        "run": "RUN", "run/summary.json": DATA / "nodes.json"}),
    "report: cluster.json nodes that are numbers": Case(("report", "run"), ("cluster.json",), {
        "run": "RUN", "run/cluster.json": lambda run: _edit_json(run / "cluster.json", nodes=[1])}),
    "check: a scenario that is a Pod": Case(("check", "pod.yaml", "--vary", "registry.replicas=1..2", "--quiet"),
                                            ("pod.yaml",), {"pod.yaml": DATA / "pod.yaml"}),
    "run: a config_file path with a NUL byte": Case(("run", "scenario.yaml", "--quiet"), ("\\x00",), {
        "scenario.yaml": SCENARIO + b'registry: {config_file: "a\\0b"}\n'}),
    "calibrate: a query_range label that is not a string": Case(
        ("calibrate", "--query-range", "export.json", "--out", "calibrated"), ("export.json",), {
            "export.json": json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": {"__name__": True}, "values": [[1, "1"]]}]}}).encode()}),
    "scenarios: a path argument": Case(("scenarios", "../x"), ("../x",)),
    "scenarios: an unknown flag": Case(("scenarios", "--nodes", "nodes.json"), ("--nodes",)),
}

CASES: dict[str, Case] = {**_slot_cases(), **ONE_OFF}


# -- running a case -------------------------------------------------------------------

class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"no answer within {TIMEOUT} s")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A real run folder (`twin run --out`) to break for `twin report`."""
    folder = tmp_path_factory.mktemp("corpus-run")
    (folder / "s.yaml").write_bytes(SCENARIO)
    from twin.cli import main

    assert main(["run", str(folder / "s.yaml"), "--quiet", "--out", str(folder / "run")]) == 0
    return folder / "run"


def _write(root: Path, files: dict[str, object], run_folder: Path) -> None:
    """Each file, in order: bytes; a Path (a file or folder to copy); "RUN" (a copy of the
    run folder); a function of the run folder giving bytes; MISSING (removed); FOLDER."""
    for name, content in files.items():
        target = root / name
        if "IMAGE/" in name:  # inside the must-gather's quay-io-... folder
            image = next(p for p in (root / name.split("/IMAGE/")[0]).iterdir() if p.name.startswith("quay-io-"))
            target = image / name.split("/IMAGE/")[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is MISSING:
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        elif content is FOLDER:
            if target.exists():
                target.unlink()
            target.mkdir()
        elif content == "RUN":
            shutil.copytree(run_folder, target)
        elif callable(content):  # made from the run folder's own file
            target.write_bytes(content(run_folder))
        elif isinstance(content, Path):
            if content.is_dir():
                shutil.copytree(content, target)
            else:
                shutil.copyfile(content, target)
        else:
            target.write_bytes(content)


def tree(root: Path) -> dict[str, object]:
    """Every entry below `root`: a file's bytes, `<dir>` for a folder."""
    return {str(p.relative_to(root)): "<dir>" if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def run_in_process(capsys, *args: str) -> tuple[int, str, str]:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT)
    try:
        try:
            return twin(capsys, *args)
        except SystemExit as exited:  # argparse's usage errors
            captured = capsys.readouterr()
            return exited.code, captured.out, captured.err
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_one_line_error(code, out: str, err: str, names: tuple[str, ...], expected: str = "") -> None:
    assert "Traceback" not in out + err, err[-3000:]
    assert code == 2, f"exit code {code}; stderr: {err[-2000:]!r}; stdout: {out[-1000:]!r}"
    assert out == "", out[:2000]
    assert err.endswith("\n") and err.count("\n") == 1, err[:3000]
    assert err.startswith("twin: error: ") or USAGE.fullmatch(err), err
    assert len(err) < 600, f"the message quotes too much ({len(err)} characters): {err[:600]}"
    assert any(name in err for name in names), f"names none of {names}: {err}"
    assert expected in err, err


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_exit_2_and_nothing_written(name, capsys, tmp_path, monkeypatch, run_folder):
    case = CASES[name]
    _write(tmp_path, case.files, run_folder)
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    code, out, err = run_in_process(capsys, *case.args)
    assert_one_line_error(code, out, err, case.names, case.expected)
    assert tree(tmp_path) == before, "the working folder changed"


def test_every_command_is_in_the_corpus():
    from twin.cli import build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    covered = {case.args[0] for case in CASES.values()}
    assert set(subparsers.choices) <= covered


# -- the pytest plugin ----------------------------------------------------------------

PLUGIN_ONE_OFF = {
    "wrong-kind": b"name: corpus\nduration: 1m\ncluster: {nodes: pods.yaml}\n",
    "bad-duration": b"name: corpus\nduration: ten minutes\n",
    "replicas-out-of-range": SCENARIO + b"workloads:\n  - {name: a, replicas: 3000000000}\n",
    "name-is-a-path": SCENARIO.replace(b"name: corpus", b"name: ../x"),
    "missing-nodes-file": b"name: corpus\nduration: 1m\ncluster: {nodes: missing.yaml}\n",
    "nodes-file-a-directory": b"name: corpus\nduration: 1m\ncluster: {nodes: adir}\n",
}
PLUGIN_FILES = {**{re.sub(r"[^a-z0-9]+", "-", k): v for k, v in CONTENTS.items() if isinstance(v, bytes)},
                **PLUGIN_ONE_OFF}


@pytest.fixture(scope="module")
def plugin_run(tmp_path_factory):
    """pytest, as a user's CI runs it, over a folder of bad `*.twin.yaml` files."""
    folder, report = tmp_path_factory.mktemp("plugin"), tmp_path_factory.mktemp("plugin-report") / "junit.xml"
    for name, content in PLUGIN_FILES.items():
        (folder / f"{name}.twin.yaml").write_bytes(content)
    (folder / "pods.yaml").write_bytes((DATA / "pods.yaml").read_bytes())
    (folder / "adir").mkdir()
    before = tree(folder)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--junitxml", str(report),
                           "-o", "addopts=", "--rootdir", str(folder), str(folder)],
                          capture_output=True, text=True, timeout=120, cwd=folder)
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failure = case.find("failure")
        results[case.get("file") or case.get("classname")] = (case, failure)
    return done, results, tree(folder) == before


@pytest.mark.parametrize("name", list(PLUGIN_FILES))
def test_the_pytest_plugin_reports_a_bad_scenario_as_one_failed_item(plugin_run, name):
    done, results, unchanged = plugin_run
    assert "Traceback" not in done.stdout + done.stderr, done.stdout[-3000:]
    assert "INTERNALERROR" not in done.stdout + done.stderr, done.stdout[-3000:]
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert unchanged, "pytest wrote into the scenario folder"
    found = [(case, failure) for key, (case, failure) in results.items() if f"{name}.twin.yaml" in (key or "")
             or case.get("name") == name]
    assert len(found) == 1, (name, sorted(results))
    case, failure = found[0]
    assert failure is not None, f"{name}: the item did not fail"
    message, body = failure.get("message") or "", (failure.text or "").strip()
    assert "\n" not in message and message, message
    assert body.count("\n") == 0, body[:3000]
    assert len(message) < 600, message[:600]
    assert any(file in message for file in (f"{name}.twin.yaml", "pods.yaml", "missing.yaml", "adir")), message


# -- hangs, as a user meets them ------------------------------------------------------

HANGS = [name for name in ONE_OFF if "(was a hang)" in name]


@pytest.fixture(scope="module")
def hang_runs(tmp_path_factory, run_folder):
    """The cases that once hung, each in its own process under a wall-clock timeout (an
    alarm cannot stop a loop in compiled code), all started at once."""
    def start(name):
        folder = tmp_path_factory.mktemp("hang")
        _write(folder, CASES[name].files, run_folder)
        before = tree(folder)
        try:
            done = subprocess.run([sys.executable, "-m", "twin", *CASES[name].args], capture_output=True, text=True,
                                  timeout=60, cwd=folder)
        except subprocess.TimeoutExpired:
            return None, True
        return done, tree(folder) == before

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(HANGS)) as pool:
        return dict(zip(HANGS, pool.map(start, HANGS)))


@pytest.mark.parametrize("name", HANGS)
def test_a_case_that_once_hung_answers_within_a_minute_in_a_real_process(hang_runs, name):
    done, unchanged = hang_runs[name]
    assert done is not None, "no answer within 60 s: a hang"
    assert_one_line_error(done.returncode, done.stdout, done.stderr, CASES[name].names)
    assert unchanged, "the working folder changed"
