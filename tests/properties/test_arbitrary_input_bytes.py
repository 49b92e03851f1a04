"""Whatever bytes a user hands the twin, it answers (issue 14, Tests): arbitrary bytes,
and "almost valid" files (a good scenario, node list, pod or Config with random byte
flips, truncations, deletions, inserted YAML/JSON fragments, or one value replaced by a
hostile one), as the input of `twin run`, `twin explain --nodes`/`--pod`, `twin place
--nodes` and `twin render --config`. The command must end with exit code 0, 1 or 2, never
a traceback, and exit 2 is exactly one stderr line.

Each example runs in-process under an alarm. A mutated scenario that still loads may ask
for a long simulation (an hour, a big cluster), which is not an input-handling problem:
the alarm going off inside the simulation counts as a valid input, going off anywhere
else (reading, validating, scheduling one pod) counts as a hang.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

import twin.cli.run as run_command
from twin.cli import main

ALARM = 8  # seconds an example may take outside the simulation
FAST = settings(max_examples=8, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DATA = Path(__file__).parents[1] / "cli" / "data"
USAGE = re.compile(r"twin [a-z-]+( [a-z-]+)?: error: .* \(see twin [a-z-]+( [a-z-]+)? --help\)\n")

SCENARIO = b"""name: prop
seed: 3
duration: 1m
openshift: "4.22"
cluster:
  generate: {zones: 2, workers_per_zone: 1, control_plane: 1}
registry:
  config:
    spec:
      replicas: 2
      storage: {emptyDir: {}}
      requests: {read: {maxRunning: 5, maxInQueue: 10, maxWaitInQueue: 30s}}
workloads:
  - {name: app, replicas: 1, requests: {cpu: 100m, memory: 128Mi}}
faults:
  - {at: 30s, node_crash: {node: registry}}
invariants:
  - {name: registry_availability, min_ready: 1}
  - {name: max_skew}
"""
NODES = b"""apiVersion: v1
kind: NodeList
items:
- apiVersion: v1
  kind: Node
  metadata:
    name: worker-a
    labels: {kubernetes.io/hostname: worker-a, topology.kubernetes.io/zone: a, node-role.kubernetes.io/worker: "",
             kubernetes.io/os: linux, node.kubernetes.io/instance-type: m5.xlarge}
  status:
    allocatable: {cpu: 3500m, memory: 15Gi, pods: "250"}
    conditions: [{type: Ready, status: "True"}]
- apiVersion: v1
  kind: Node
  metadata:
    name: worker-b
    labels: {kubernetes.io/hostname: worker-b, topology.kubernetes.io/zone: b, node-role.kubernetes.io/worker: "",
             kubernetes.io/os: linux}
  spec:
    taints: [{key: dedicated, value: infra, effect: NoSchedule}]
  status:
    allocatable: {cpu: "4", memory: 16Gi, pods: "110"}
- apiVersion: v1
  kind: Node
  metadata:
    name: master-0
    labels: {kubernetes.io/hostname: master-0, topology.kubernetes.io/zone: a, node-role.kubernetes.io/master: "",
             kubernetes.io/os: linux}
  spec:
    taints: [{key: node-role.kubernetes.io/master, effect: NoSchedule}]
  status:
    allocatable: {cpu: "4", memory: 16Gi, pods: "250"}
"""
POD = (DATA / "pod.yaml").read_bytes()
CONFIG = b"""apiVersion: imageregistry.operator.openshift.io/v1
kind: Config
metadata:
  name: cluster
spec:
  managementState: Managed
  replicas: 2
  rolloutStrategy: RollingUpdate
  storage:
    managementState: Managed
    s3: {bucket: b, region: us-east-1}
  resources:
    requests: {cpu: 100m, memory: 256Mi}
  tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]
  nodeSelector: {kubernetes.io/os: linux}
  requests:
    read: {maxRunning: 10, maxInQueue: 20, maxWaitInQueue: 1m}
"""


@dataclass(frozen=True)
class Target:
    base: bytes  # the valid file the mutations start from
    args: tuple[str, ...]  # `{f}`: the file under test; `{d}`: the example's folder


TARGETS = {
    "run SCENARIO": Target(SCENARIO, ("run", "{f}", "--quiet")),
    "explain --nodes": Target(NODES, ("explain", "--nodes", "{f}", "--pod", "{d}/pod.yaml")),
    "explain --pod": Target(POD, ("explain", "--nodes", "{d}/nodes.yaml", "--pod", "{f}")),
    "place --nodes": Target(NODES, ("place", "--nodes", "{f}")),
    "render --config": Target(CONFIG, ("render", "--config", "{f}", "--nodes", "{d}/nodes.yaml")),
}

FRAGMENTS = [
    "{", "}", "[", "]", ": ", ",", "- ", "\n", "\n  ", "\n    - ", "\t", "'", '"', "#", "&a ", "*a", "&a [1, *a]",
    "<<: *a\n", "? ", "---\n", "...\n", "%YAML 1.1\n", "!!python/object/apply:os.system ['true']", "!!binary AA==",
    "!!int ", "!!float ", "!!str ", "!!set {a}", "!!omap [a: 1]", "|\n", ">-\n", "~", "null", "true", "yes", "on",
    ".inf", "-.inf", ".nan", "1e999", "-1", "0", "0x7fffffff", "0o777", "1_000", "2001-12-14", "9" * 40,
    "2147483648", "-9223372036854775809", "1.5", "\x00", "\ufeff", "\u2028", "é", "\\u0000", "{}", "[]",
    '{"a": 1, "a": 2}', "a: 1\na: 2\n", "../x", "/etc/passwd", "x" * 300, "1h", "99999h", "-1s", "1Ei", "1e18",
]
HOSTILE_VALUES = [
    None, True, -1, 0, 2**31, 2**63, -(2**63) - 1, 1.5, float("inf"), "", "x" * 5000, "-1", "1e999", "1Ei",
    "../x", "99999h", "\x00", "é", [], {}, [None], {"a": None}, [[[[[]]]]], "nan",
]


def _byte_mutation(data: bytes, draw) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
    at = draw(st.integers(0, len(data)))
    if kind == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
    if kind == "truncate":
        return data[:at]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 40)):]
    return data[:at] + draw(st.sampled_from(FRAGMENTS)).encode() + data[at:]


def _paths(value, prefix=()):
    """Every (path to a value) in a parsed document, containers included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _replace(document, path, new):
    if not path:
        return new
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return document


@st.composite
def value_mutation(draw, base: bytes) -> bytes:
    """The base with one value (or container) replaced by a hostile one, written back as
    YAML or JSON."""
    document = yaml.safe_load(base)
    paths = list(_paths(document))
    path = draw(st.sampled_from(paths))
    document = _replace(document, path, draw(st.sampled_from(HOSTILE_VALUES)))
    if draw(st.booleans()):
        return json.dumps(document, allow_nan=True).encode()
    return yaml.safe_dump(document, sort_keys=False).encode()


@st.composite
def byte_mutations(draw, base: bytes) -> bytes:
    data = base
    for _ in range(draw(st.integers(1, 4))):
        data = _byte_mutation(data, draw)
    return data


def inputs(base: bytes):
    return st.one_of(
        st.binary(max_size=2000),
        byte_mutations(base),
        value_mutation(base),
    )


class Hang(Exception):
    pass


class LongSimulation(Exception):
    """The alarm went off while simulating a scenario that loaded: valid input."""


@contextlib.contextmanager
def alarm(seconds: int, simulating: list[bool]):
    def ring(signum, frame):
        raise LongSimulation() if simulating[0] else Hang(f"no answer within {seconds} s outside the simulation")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def watching_the_simulation(simulating: list[bool]):
    """`twin run`'s simulation, flagging `simulating` while it runs."""
    real = run_command.evaluate

    def evaluate(*args, **kwargs):
        simulating[0] = True
        try:
            return real(*args, **kwargs)
        finally:
            simulating[0] = False

    run_command.evaluate = evaluate
    try:
        yield
    finally:
        run_command.evaluate = real


def check(target: Target, content: bytes) -> None:
    simulating = [False]
    with tempfile.TemporaryDirectory(prefix="twin-bytes-") as folder, watching_the_simulation(simulating):
        (Path(folder) / "pod.yaml").write_bytes(POD)
        (Path(folder) / "nodes.yaml").write_bytes(NODES)
        file = Path(folder) / "input.yaml"
        file.write_bytes(content)
        args = [a.replace("{f}", str(file)).replace("{d}", folder) for a in target.args]
        out, err = io.StringIO(), io.StringIO()
        try:
            with alarm(ALARM, simulating), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(args)
                except SystemExit as exited:
                    code = exited.code
        except LongSimulation:
            event("a valid scenario simulating past the alarm")
            return
    out, err = out.getvalue(), err.getvalue()
    event(f"exit {code}")
    note(f"exit {code}; stderr: {err[:500]!r}")
    assert "Traceback" not in out + err
    assert code in (0, 1, 2), f"exit code {code!r}: {err[-2000:]}"
    if code == 2:
        assert err.endswith("\n") and err.count("\n") == 1, err[:3000]
        assert err.startswith("twin: error: ") or USAGE.fullmatch(err), err[:3000]
        assert len(err) < 1000, f"the message quotes too much ({len(err)} characters): {err[:1000]}"


@pytest.mark.parametrize("name", list(TARGETS))
@FAST
@given(data=st.data())
def test_any_bytes_give_an_answer_never_a_traceback_or_a_hang(name, data):
    target = TARGETS[name]
    check(target, data.draw(inputs(target.base), label="file"))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TARGETS))
@SLOW
@given(data=st.data())
def test_any_bytes_give_an_answer_never_a_traceback_or_a_hang_slow(name, data):
    target = TARGETS[name]
    check(target, data.draw(inputs(target.base), label="file"))
