"""`twin sweep`: the aggregate printed, the folder written (by default under sweeps/), quiet
mode, and bad input refused with one line and exit code 2 before anything runs or is
written. Runs are short `zone-failure` runs (duration 5-20 min)."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
from helpers import twin, twin_process

SHORT = ("zone-failure", "--param", "registry.replicas=2,3", "--param", "duration=15m,20m", "--seeds", "2")


def test_sweep_prints_the_verdicts_and_kpis_per_combination_and_writes_the_tables(capsys, tmp_path):
    code, out, err = twin(capsys, "sweep", *SHORT, "--workers", "2", "--out", str(tmp_path / "s"))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["registry.replicas", "duration", "seeds", "all", "hold", "max_skew",
                                "zone_failure_recovery", "registry_availability", "no_binding_to_unready_nodes"]
    assert lines[1].split() == ["2", "15m", "2", "0/2", "2/2", "0/2", "2/2", "2/2"]
    assert "recovery s" in out and "401 ± 0" in out
    assert f"8 runs: 8 ran now, 0 already done (in {tmp_path / 's'})" in out
    runs = pd.read_parquet(tmp_path / "s" / "runs.parquet")
    assert len(runs) == 8 and runs["seed"].tolist() == [1, 2] * 4
    assert len(pd.read_parquet(tmp_path / "s" / "aggregate.parquet")) == 4
    assert json.loads((tmp_path / "s" / "sweep.json").read_text())["seeds"] == [1, 2]


def test_without_out_the_results_go_to_sweeps_and_the_scenario_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = twin(capsys, "sweep", "zone-failure", "--param", "duration=5m", "--workers", "0")
    assert code == 0
    assert "results: sweeps/zone-failure/runs.parquet" in out
    assert sorted(p.name for p in (tmp_path / "sweeps" / "zone-failure").iterdir()) == [
        "aggregate.parquet", "runs", "runs.parquet", "sweep.json"]


def test_quiet_prints_nothing_and_the_files_are_there(capsys, tmp_path):
    code, out, err = twin(capsys, "sweep", "zone-failure", "--param", "duration=5m", "--workers", "0", "--quiet",
                          "--out", str(tmp_path))
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "runs" / "0000-seed-1.json").is_file()


OTHER_SWEEP = ("zone-failure", "--param", "duration=5m", "--seeds", "2")
BAD = [
    ("an unknown parameter path", ("zone-failure", "--param", "registry.replica=2,3"),
     "--param: registry.replica: expected a field of the registry Config"),
    ("a value of the wrong type", ("zone-failure", "--param", "registry.replicas=2,three"),
     "--param registry.replicas=three: zone-failure: registry.config.spec.replicas: expected an integer"),
    ("a param without =", ("zone-failure", "--param", "registry.replicas"),
     "--param: registry.replicas: expected PATH=VALUE[,VALUE...], e.g. registry.replicas=2,3"),
    ("a param without values", ("zone-failure", "--param", "registry.replicas="), "expected PATH=VALUE[,VALUE...]"),
    ("a path given twice", ("zone-failure", "--param", "duration=5m", "--param", "duration=10m"),
     "--param: duration: expected each path once"),
    ("no seeds", ("zone-failure", "--seeds", "0"), "--seeds: expected a whole number of seeds >= 1, got 0"),
    ("both a scheduler and workers", ("zone-failure", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"),
     "--scheduler: expected either --scheduler or --workers, not both"),
    ("an unknown OpenShift version", ("zone-failure", "--openshift", "4.9"), "--openshift: expected 4.21"),
    ("an unknown scenario", ("zone-failur",), "zone-failur: expected a scenario file or a built-in scenario"),
]


@pytest.mark.parametrize("args, message", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_one_line_exit_2_and_nothing_written(capsys, tmp_path, args, message):
    out = tmp_path / "out"
    code, stdout, stderr = twin(capsys, "sweep", *args, "--out", str(out))
    assert (code, stdout) == (2, "")
    assert stderr.startswith("twin: error: ") and stderr.count("\n") == 1
    assert message in stderr
    assert not out.exists()


def folder_state(folder):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_holding_another_sweep_is_refused_and_left_as_it_was(capsys, tmp_path):
    assert twin(capsys, "sweep", *OTHER_SWEEP, "--workers", "0", "--quiet", "--out", str(tmp_path))[0] == 0
    before = folder_state(tmp_path)
    code, stdout, stderr = twin(capsys, "sweep", "zone-failure", "--param", "duration=5m", "--seeds", "3",
                                "--out", str(tmp_path))
    assert (code, stdout) == (2, "")
    assert f"--out: '{tmp_path}' holds another sweep (its sweep.json differs in seeds)" in stderr
    assert folder_state(tmp_path) == before


def test_a_folder_with_other_content_is_refused(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, stderr = twin(capsys, "sweep", *OTHER_SWEEP, "--out", str(tmp_path))
    assert code == 2 and "is not empty and holds no sweep.json" in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_an_unreachable_scheduler_fails_fast_with_exit_2(tmp_path):
    started = time.monotonic()
    result = twin_process("sweep", *OTHER_SWEEP, "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "o"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("twin: error: --scheduler: tcp://127.0.0.1:1: could not reach a Dask scheduler "
                                    "(waited up to 5 s): ")
    assert "refused" in result.stderr and result.stderr.count("\n") == 1
    assert time.monotonic() - started < 15  # nothing listens: no waiting, only the interpreter's start-up
    assert not (tmp_path / "o").exists()
