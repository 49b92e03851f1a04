"""`twin scenarios` and `twin run` on the built-in library: the listing, the summary.json
and events.csv it writes, exit codes, seeds and byte-for-byte reproducibility."""

from __future__ import annotations

import difflib

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest
import yaml
from helpers import twin

from twin.cli import main
from twin.scenarios import spec as spec_module
from twin.scenarios.load import load_scenario

BUILT_INS = ("zone-failure", "zone-failure-3-replicas", "rolling-update", "node-drain", "scale-2-to-6-on-2-workers",
             "tainted-edge-zone", "removed-and-back", "node-crash", "peak-load",
             "zone-failure-pull-storm", "readonly-maintenance", "storage-outage", "disable-redirect",
             "saturation-ramp", "pull-storm-default-config", "emptydir-rollout-data-loss", "role-revoked",
             "pvc-recreate-rollout", "base-image-push-triggers", "pvc-zone-outage",
             "pullthrough-remote-429", "route-pull-storm", "nightly-prune", "zone-recovery-rebalance", "zone-failure-autoscaled",
             "zone-failure-full-cluster")
LIBRARY = Path(str(resources.files("twin.scenarios").joinpath("library")))
EVENTS_HEADER = "time,seq,kind,subject,details"


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def outputs(out: Path) -> tuple[bytes, bytes]:
    return (out / "summary.json").read_bytes(), (out / "events.csv").read_bytes()


def first_difference(first: Path, second: Path) -> str:
    """The lines that differ in the first output file that differs (this comparison failed
    rarely, in full runs only: the message is what finding the cause needs)."""
    for name in ("summary.json", "events.csv"):
        a, b = ((folder / name).read_text(encoding="utf-8").splitlines() for folder in (first, second))
        if a != b:
            return f"{name}:\n" + "\n".join(list(difflib.unified_diff(a, b, lineterm="", n=1))[:40])
    return ""


@pytest.fixture(scope="module")
def zone_failure(tmp_path_factory):
    """`twin run zone-failure --out DIR`, once for the tests that only read its results."""
    out = tmp_path_factory.mktemp("zone-failure") / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["run", "zone-failure", "--out", str(out)])
    return code, stdout.getvalue(), stderr.getvalue(), out


# twin scenarios


def test_scenarios_lists_every_built_in_with_its_description(capsys):
    code, out, err = twin(capsys, "scenarios")
    assert code == 0 and err == ""
    listed = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert sorted(listed) == sorted(BUILT_INS)
    for name in BUILT_INS:
        description = yaml.safe_load((LIBRARY / f"{name}.yaml").read_text(encoding="utf-8"))["description"]
        assert description
        assert f"{name}\n    {description}\n" in out


@pytest.mark.parametrize("name", BUILT_INS)
def test_every_built_in_scenario_loads(name):
    scenario = load_scenario(name)
    assert scenario.spec.name == name
    assert scenario.source == name
    assert scenario.nodes


def test_the_example_scenario_in_the_schema_docstring_loads(tmp_path):
    example = textwrap.dedent("\n".join(line for line in spec_module.__doc__.splitlines() if line.startswith("    ")))
    file = tmp_path / "example.yaml"
    file.write_text(example)
    assert load_scenario(str(file)).spec.name == "zone-failure"


# twin run: outputs


def test_run_zone_failure_exits_0_and_prints_the_summary(zone_failure):
    code, stdout, stderr, _ = zone_failure
    assert code == 0 and stderr == ""
    assert stdout.startswith("scenario zone-failure (OpenShift 4.23, seed 1, 60 min simulated)\n")
    assert "\ninvariants:\n" in stdout and "\nkpis:\n" in stdout


def test_run_zone_failure_writes_summary_json_following_the_contract(zone_failure):
    _, _, _, out = zone_failure
    doc = summary(out)
    assert set(doc) == {"scenario", "seed", "openshift", "simulated_seconds", "invariants", "kpis", "requests", "resources"}
    assert doc["scenario"] == "zone-failure"
    assert doc["seed"] == 1
    assert doc["openshift"] == "4.23"
    assert doc["simulated_seconds"] == 3600.0
    names = [v["name"] for v in doc["invariants"]]
    assert names == ["max_skew", "zone_failure_recovery", "registry_availability", "no_binding_to_unready_nodes"]
    for verdict in doc["invariants"]:
        assert set(verdict) == {"name", "holds", "detail", "evidence"}
        assert verdict["holds"] is True
        assert isinstance(verdict["detail"], str) and verdict["detail"]
        assert isinstance(verdict["evidence"], dict)
    kpis = doc["kpis"]
    assert {"registry_recovery_seconds", "min_ready_replicas", "pending_pod_seconds"} <= set(kpis)
    assert isinstance(kpis["registry_recovery_seconds"], (int, float)) and kpis["registry_recovery_seconds"] > 0
    assert isinstance(kpis["min_ready_replicas"], int) and kpis["min_ready_replicas"] >= 1
    assert isinstance(kpis["pending_pod_seconds"], (int, float)) and kpis["pending_pod_seconds"] >= 0
    requests = doc["requests"]
    assert {"issued", "outcomes", "rejected_429_fraction", "latency_seconds", "pulls", "max_queued"} <= set(requests)
    assert set(requests["outcomes"]) == {"ok", "redirect", "client_error", "not_allowed", "too_many", "server_error",
                                         "unavailable", "failed"}


def test_run_zone_failure_writes_events_csv_with_the_documented_header_and_the_faults(zone_failure):
    _, _, _, out = zone_failure
    text = (out / "events.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == EVENTS_HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(len(row) == 5 and None not in row for row in rows)
    faults = [(float(r["time"]), r["subject"]) for r in rows if r["kind"] == "Fault"]
    assert faults == [(600.0, "zone_outage"), (2400.0, "zone_recovery")]


def test_run_with_quiet_prints_nothing(capsys, tmp_path):
    code, out, err = twin(capsys, "run", "zone-failure", "--quiet", "--out", str(tmp_path / "out"))
    assert code == 0
    assert out == "" and err == ""
    assert (tmp_path / "out" / "summary.json").is_file()


# twin run: exit codes


def test_run_exits_1_when_zone_failure_recovery_fails_on_4_22(capsys, tmp_path):
    code, _, err = twin(capsys, "run", "zone-failure-3-replicas", "--openshift", "4.22", "--quiet", "--out", str(tmp_path))
    assert code == 1 and err == ""
    doc = summary(tmp_path)
    assert doc["openshift"] == "4.22"
    verdicts = {v["name"]: v["holds"] for v in doc["invariants"]}
    assert verdicts["zone_failure_recovery"] is False


def test_run_exits_0_when_every_invariant_holds_on_4_23(capsys, tmp_path):
    code, _, err = twin(capsys, "run", "zone-failure-3-replicas", "--openshift", "4.23", "--quiet", "--out", str(tmp_path))
    assert code == 0 and err == ""
    doc = summary(tmp_path)
    assert doc["openshift"] == "4.23"
    assert doc["invariants"] and all(v["holds"] for v in doc["invariants"])


# twin run: seeds and reproducibility


def test_seed_option_changes_the_seed_in_summary_json(capsys, tmp_path):
    assert load_scenario("zone-failure").spec.seed == 1
    code, _, _ = twin(capsys, "run", "zone-failure", "--seed", "7", "--quiet", "--out", str(tmp_path))
    assert code == 0
    assert summary(tmp_path)["seed"] == 7


def test_the_same_scenario_and_seed_twice_write_byte_identical_files(capsys, tmp_path):
    for run in ("first", "second"):
        code, _, _ = twin(capsys, "run", "zone-failure", "--seed", "3", "--quiet", "--out", str(tmp_path / run))
        assert code == 0
    assert outputs(tmp_path / "first") == outputs(tmp_path / "second"), first_difference(tmp_path / "first",
                                                                                           tmp_path / "second")


def test_two_processes_with_different_hash_seeds_write_byte_identical_files(tmp_path):
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-m", "twin", "run", "zone-failure", "--quiet", "--out",
                               str(tmp_path / hash_seed)], capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "" and done.stderr == ""
    assert outputs(tmp_path / "1") == outputs(tmp_path / "2")


# twin run: an existing --out directory


def test_an_existing_out_directory_keeps_its_other_files(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "older").mkdir()
    (tmp_path / "older" / "summary.json").write_text("{}\n")
    code, _, _ = twin(capsys, "run", "zone-failure", "--quiet", "--out", str(tmp_path))
    assert code == 0
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert (tmp_path / "older" / "summary.json").read_text() == "{}\n"
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["cluster.json", "events.csv", "latency.parquet", "notes.txt", "older", "queues.parquet",
                       "requests.parquet", "resources.parquet", "summary.json"]
    assert summary(tmp_path)["scenario"] == "zone-failure"
