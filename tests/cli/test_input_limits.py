"""Every bad input is one line, fast (issue 14, items 2 and 3): `twin: error: FILE: FIELD:
what was expected`, exit 2, no traceback, the offending value quoted short, and never a
hang or a memory blow-up. The bounds are in docs/limits.md; each case here is one of
them, run as a user would (a separate process, under a wall-clock timeout and an
address-space limit, so a regression fails the test instead of stalling or swapping the
machine). All cases start together in a few worker processes (module fixture).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import DATA

from twin.model.bounds import SEED_MAX
from twin.model.kube_io.reader import MAX_FILE_BYTES
from twin.observed.accesslog import read_access_log

TIMEOUT = 60  # seconds a case may take (each takes a few: the interpreter's start-up)
MEMORY = 3 * 2**30  # address space a case may use
NODES = json.loads((DATA / "nodes.json").read_text())
POD = str(DATA / "pod.yaml")


@dataclass
class Case:
    args: tuple[str, ...]
    expected: tuple[str, ...]  # substrings of the one stderr line, the source and field first
    code: int = 2
    files: dict[str, bytes] = field(default_factory=dict)  # written to the case's folder first


def _bomb(indent: str) -> str:
    """Billion laughs: nine anchors of nine aliases each (9**9 strings)."""
    lines = [f'{indent}a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{indent}a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def _nodes(indent: int | None = 1, **changes) -> bytes:
    body = json.loads(json.dumps(NODES))
    for path, value in changes.items():
        target = body["items"][0]
        *parents, last = path.split("__")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return json.dumps(body, indent=indent).encode()


SCENARIO = "name: limits\nduration: 10m\n"
LATIN1 = json.dumps(NODES).encode()
OFFSET = LATIN1.index(b"master-0") + 6  # the "-" of "master-0" becomes a latin-1 byte
MANY = ",".join(str(i) for i in range(1, 1002))

CASES = {
    "a UTF-16 node file with its byte-order mark is read": Case(
        ("explain", "--nodes", "{dir}/nodes.json", "--pod", POD, "--quiet"), (), code=0,
        files={"nodes.json": json.dumps(NODES).encode("utf-16")}),
    "a byte that is not UTF-8 is refused with its offset": Case(
        ("explain", "--nodes", "{dir}/nodes.json", "--pod", POD),
        ("{dir}/nodes.json: byte %d: expected UTF-8 text" % OFFSET, "found byte 0xe9"),
        files={"nodes.json": LATIN1[:OFFSET] + b"\xe9" + LATIN1[OFFSET + 1:]}),
    "a file past the size limit is refused before it is read": Case(
        ("explain", "--nodes", "{dir}/nodes.json", "--pod", POD),
        ("{dir}/nodes.json: expected a file of at most 256 MiB, got 300.0 MiB",),
        files={"nodes.json": b"sparse:300"}),
    "nesting past the depth limit is refused with its line": Case(
        ("explain", "--nodes", "{dir}/nodes.json", "--pod", POD),
        ("{dir}/nodes.json: line 1: expected a document nested less deeply: at most 100 levels",),
        files={"nodes.json": _nodes(None, spec__deep=json.loads("[" * 150 + "]" * 150))}),
    "an alias bomb in a node file is refused before it is expanded": Case(
        ("explain", "--nodes", "{dir}/nodes.yaml", "--pod", POD),
        ("{dir}/nodes.yaml: line 13: expected a document without excessive aliasing",),
        files={"nodes.yaml": ("kind: NodeList\napiVersion: v1\nlaughs:\n" + _bomb("  ") + "items: []\n").encode()}),
    "an alias bomb in a field the scenario ignores is refused": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: line 17: expected a document without excessive aliasing",),
        files={"scenario.yaml": (SCENARIO + "registry:\n  config:\n    spec:\n      replicas: 2\n      junk:\n"
                                 + _bomb("        ")).encode()}),
    "an alias bomb in a swept scenario is refused before anything is hashed": Case(
        ("sweep", "{dir}/scenario.yaml", "--param", "registry.replicas=2,3", "--workers", "0", "--quiet",
         "--out", "{dir}/sweep"),
        ("{dir}/scenario.yaml: line 17: expected a document without excessive aliasing",),
        files={"scenario.yaml": (SCENARIO + "registry:\n  config:\n    spec:\n      replicas: 2\n      junk:\n"
                                 + _bomb("        ")).encode()}),
    "a recursive alias is refused": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: line 4: expected no alias inside its own anchor",),
        files={"scenario.yaml": (SCENARIO + "registry:\n  config: &c {spec: {replicas: 2, loop: *c}}\n").encode()}),
    "a YAML key given twice is refused naming both lines": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: line 3: expected each mapping key once, found 'duration' again (first at line 2)",),
        files={"scenario.yaml": (SCENARIO + "duration: 20m\n").encode()}),
    "a JSON key given twice is refused naming its line": Case(
        ("explain", "--nodes", "{dir}/nodes.json", "--pod", POD),
        ("{dir}/nodes.json: line 4: expected each key once in an object, found 'kind' again",),
        files={"nodes.json": b'{\n "kind": "NodeList",\n "apiVersion": "v1",\n "kind": "NodeList",\n "items": []\n}\n'}),
    "an integer of more than 4300 digits is refused, quoted short": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: line 3: expected an integer of at most 4300 digits", "'" + "9" * 60 + "…' (5000"),
        files={"scenario.yaml": (SCENARIO + "seed: " + "9" * 5000 + "\n").encode()}),
    "a quantity beyond 2^63-1 is refused at once (no 10**999999999)": Case(
        ("explain", "--nodes", "{dir}/nodes.json", "--pod", POD),
        ("{dir}/nodes.json: items[0].status.allocatable.cpu: expected a quantity of at most 2^63-1",
         "got '1e999999999'"),
        files={"nodes.json": _nodes(status__allocatable={"cpu": "1e999999999", "memory": "16Gi", "pods": "250"})}),
    "a duration past Go's time.Duration overflows as in Go": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: duration: expected a Go duration within -2562047h47m16.854775808s to "
         "2562047h47m16.854775807s", "got '9999999999h': it overflows"),
        files={"scenario.yaml": b"name: limits\nduration: 9999999999h\n"}),
    "a number of seconds past Go's time.Duration is refused": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: duration: expected at most 9223372037 seconds",),
        files={"scenario.yaml": b"name: limits\nduration: 1.0e+300\n"}),
    "replicas past int32 are refused": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: workloads[0].replicas: expected an int32 (at most 2147483647", "got 3000000000"),
        files={"scenario.yaml": (SCENARIO + "workloads:\n  - {name: a, replicas: 3000000000}\n").encode()}),
    "more workers than Kubernetes supports are refused before they are built": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: cluster.generate: expected at most 5,000 nodes",),
        files={"scenario.yaml": (SCENARIO + "cluster:\n  generate: {zones: 3, workers_per_zone: 4000}\n").encode()}),
    "a scenario seed past uint32 is refused": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: seed: expected a seed from 0 to 4294967295 (uint32), got 1180591620717411303424",),
        files={"scenario.yaml": (SCENARIO + f"seed: {2**70}\n").encode()}),
    "--seeds 2^70 is refused naming the flag": Case(
        ("sweep", "zone-failure", "--seeds", str(2**70), "--workers", "0", "--quiet", "--out", "{dir}/sweep"),
        ("twin: error: --seeds: expected at most 1,000,000 seeds", "got 1180591620717411303424"),
    ),
    "seeds running past uint32 are refused": Case(
        ("sweep", "{dir}/scenario.yaml", "--seeds", "2", "--workers", "0", "--quiet", "--out", "{dir}/sweep"),
        ("twin: error: --seeds: expected seeds within 0 .. 4294967295 (uint32)", "reaches 4294967296"),
        files={"scenario.yaml": (SCENARIO + f"seed: {SEED_MAX}\n").encode()}),
    "a sweep of more than a million runs is refused naming the number": Case(
        ("sweep", "zone-failure", "--param", f"registry.replicas={MANY}",
         "--param", f"traffic.background.pulls.constant={MANY}", "--workers", "0", "--quiet", "--out", "{dir}/sweep"),
        ("twin: error: --param: expected a sweep of at most 1,000,000 runs, got 1,002,001 (1001 x 1001 x 1 seeds)",),
    ),
    "a megabyte string is quoted by its first 60 characters": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/scenario.yaml: name: expected a name usable as a folder", "got '" + "x" * 60 + "…' (1048576 characters)"),
        files={"scenario.yaml": ("name: " + "x" * 2**20 + "\nduration: 10m\n").encode()}),
    "an access-log line past 1 MiB is refused, not held": Case(
        ("run", "{dir}/scenario.yaml", "--quiet"),
        ("{dir}/big.log: line 1: expected log lines of at most 1 MiB",),
        files={"scenario.yaml": (SCENARIO + "traffic:\n  replay: {access_log: big.log}\n").encode(),
               "big.log": b"x" * (2 * 2**20) + b"\n"}),
}


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(name: str, case: Case, folder: Path) -> tuple[subprocess.CompletedProcess | None, float]:
    folder.mkdir()
    for file, content in case.files.items():
        if content.startswith(b"sparse:"):
            with open(folder / file, "wb") as handle:
                handle.truncate(int(content.split(b":")[1]) * 2**20)  # a hole: no disk, no time
        else:
            (folder / file).write_bytes(content)
    args = [a.replace("{dir}", str(folder)) for a in case.args]
    try:
        return subprocess.run([sys.executable, "-m", "twin", *args], capture_output=True, text=True,
                              timeout=TIMEOUT, preexec_fn=_limit_memory, cwd=folder), 0.0
    except subprocess.TimeoutExpired:
        return None, TIMEOUT


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    base = tmp_path_factory.mktemp("limits")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(_run, name, case, base / f"case{i}") for i, (name, case) in enumerate(CASES.items())}
        return {name: (future.result()[0], base / f"case{list(CASES).index(name)}") for name, future in futures.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_naming_the_file_and_field_with_exit_2(outcomes, name):
    case = CASES[name]
    done, folder = outcomes[name]
    assert done is not None, f"no answer within {TIMEOUT} s: a hang"
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == case.code, done.stderr[-2000:]
    if case.code == 0:
        return
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("twin: error: "), done.stderr[:2000]
    assert len(done.stderr) < 400, f"the message quotes too much: {len(done.stderr)} characters"
    for expected in case.expected:
        assert expected.replace("{dir}", str(folder)) in done.stderr
    assert not (folder / "sweep").exists()


def test_run_seed_past_uint32_is_refused_naming_the_flag(tmp_path):
    (tmp_path / "scenario.yaml").write_text("name: limits\nduration: 1m\n")
    done = subprocess.run([sys.executable, "-m", "twin", "run", "scenario.yaml", "--seed", str(2**70), "--quiet"],
                          capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limit_memory, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("twin: error: --seed: expected a seed from 0 to 4294967295")


def test_the_size_limit_holds_a_5000_node_cluster():
    """30 KiB a node (50 images in status, managed fields) for Kubernetes' largest cluster."""
    assert MAX_FILE_BYTES >= 5000 * 30 * 2**10


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_an_access_log_with_a_byte_order_mark_reads_like_its_utf8_original(tmp_path, encoding):
    original = Path(__file__).parents[1] / "observed" / "data" / "distribution-2.8.2" / "access-combined.log"
    copy = tmp_path / "access.log"
    copy.write_bytes(original.read_text(encoding="utf-8").encode(encoding))
    ours, theirs = read_access_log(copy), read_access_log(original)
    assert ours.drop(columns=[]).equals(theirs)
