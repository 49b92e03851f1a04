"""`twin check`: the known 4.22 stall is found, shrunk and written to
counterexample.yaml, which `twin run` reproduces; on 4.23 a small budget ends with exit 0
and no file; the same command writes the same file; bad input is exit 2 with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import twin

from twin.cli import main

CHECK = ("check", "zone-failure-3-replicas", "--vary", "registry.replicas=1..5", "--vary", "cluster.workers_per_zone=1..3",
         "--vary", "faults.zone_outage=any", "--vary", "duration=30m", "--invariant", "zone_failure_recovery",
         "--max-examples", "20")


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    """The same 4.22 check twice: in this process, and in another one with another hash seed."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    code = main([*CHECK, "--openshift", "4.22", "--out", str(first)])
    process = subprocess.run([sys.executable, "-m", "twin", *CHECK, "--openshift", "4.22", "--out", str(second)],
                             capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": "123"})
    return (code, first), (process.returncode, second)


def test_the_stall_is_found_shrunk_and_written(found):
    (code, out), _ = found
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["counterexample.yaml"]
    text = (out / "counterexample.yaml").read_text()
    assert "replicas: 3" in text and "generate: {zones: 3, workers_per_zone: 1, control_plane: 3}" in text


def test_the_report_prints_values_failures_file_and_command(capsys, tmp_path):
    code, out, err = twin(capsys, *CHECK, "--openshift", "4.22", "--out", str(tmp_path))
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("counterexample after ")
    assert lines[1:5] == ["  registry.replicas = 3", "  cluster.workers_per_zone = 1", "  duration = 30m",
                          "  faults.zone_outage = zone_outage of zone registry at 60 s, no recovery"]
    assert "  zone_failure_recovery: the registry did not regain its replicas before the zone returned" in lines
    assert lines[-2:] == [f"written: {tmp_path / 'counterexample.yaml'}",
                          f"reproduce: twin run {tmp_path / 'counterexample.yaml'}"]


def test_twin_run_reproduces_the_same_failing_invariant_with_the_same_detail(found, capsys, tmp_path):
    (_, out), _ = found
    code, printed, _ = twin(capsys, "run", str(out / "counterexample.yaml"), "--out", str(tmp_path / "run"))
    assert code == 1
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    failed = {v["name"]: v["detail"] for v in summary["invariants"] if not v["holds"]}
    assert failed == {"zone_failure_recovery": "the registry did not regain its replicas before the zone returned"}
    assert summary["invariants"][1]["evidence"]["outage_at"] == 60


def test_the_same_command_writes_the_same_counterexample(found):
    (_, first), (code, second) = found
    assert code == 1
    assert (first / "counterexample.yaml").read_bytes() == (second / "counterexample.yaml").read_bytes()


def test_on_4_23_a_small_budget_ends_without_a_counterexample(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = twin(capsys, *CHECK[:-1], "5", "--openshift", "4.23")
    assert code == 0
    assert out.startswith("no counterexample: zone_failure_recovery held in 5 example(s)")
    assert list(tmp_path.iterdir()) == []  # no counterexample.yaml, and no .hypothesis either


def test_a_time_budget_stops_the_search_cleanly(capsys, tmp_path):
    code, out, _ = twin(capsys, *CHECK[:-2], "--time", "1s", "--openshift", "4.23", "--out", str(tmp_path))
    assert code == 0
    assert out.startswith("no counterexample: zone_failure_recovery held in ") and out.rstrip().endswith("stopped: time)")


def test_quiet_prints_nothing(capsys, tmp_path):
    assert twin(capsys, *CHECK[:-1], "2", "--openshift", "4.23", "--out", str(tmp_path), "--quiet") == (0, "", "")


@pytest.mark.parametrize("args, message", [
    (("--vary", "nope=1..2"), "--vary: nope: expected a path starting with one of registry"),
    (("--vary", "cluster.zones=1..x"), "--vary: cluster.zones=1..x: expected a range of integers a..b, got '1..x'"),
    (("--vary", "cluster.zones=4..1"), "--vary: cluster.zones=4..1: expected a..b with a <= b, got '4..1'"),
    (("--vary", "cluster.zones=0..2"), "--vary cluster.zones=0: zone-failure-3-replicas: cluster.generate.zones"),
    (("--vary", "faults.meteor=any"), "--vary: faults.meteor=any: expected one of zone_outage, node_crash"),
    (("--vary", "faults.zone_outage=1..2"), "expected any for a fault kind"),
    (("--vary", "faults.zone_outage=any", "--vary", "duration=5m"), "expected a run long enough to judge a fault"),
    (("--invariant", "uptime"), "--invariant: expected one of max_skew"),
    (("--max-examples", "0"), "--max-examples: expected a positive number of examples, got 0"),
    (("--time", "soon"), "--time: expected a duration such as 90s"),
    (("--time", "0s"), "--time: expected a positive duration"),
    (("--seed", "-1"), "--seed: expected a seed from 0 to 4294967295 (uint32), got -1"),
    (("--openshift", "4.9"), "--openshift:"),
])
def test_bad_input_is_exit_2_with_one_line_naming_the_problem(capsys, tmp_path, args, message):
    code, out, err = twin(capsys, "check", "zone-failure-3-replicas", *args, "--out", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert err.startswith("twin: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_unknown_scenario_is_exit_2(capsys):
    code, _, err = twin(capsys, "check", "no-such-scenario", "--vary", "cluster.zones=1..2")
    assert code == 2 and "expected a scenario file or a built-in scenario" in err


def test_out_must_be_a_folder(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    code, _, err = twin(capsys, "check", "zone-failure-3-replicas", "--out", str(tmp_path / "file"))
    assert code == 2 and "--out: expected a directory" in err
