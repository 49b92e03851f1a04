"""`twin sweep` is crash-safe: a sweep killed with SIGKILL part-way (its whole process
group, workers included) and started again with the same command runs only the missing
runs, leaves the finished run files untouched, and ends with the tables an uninterrupted
sweep gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from helpers import twin_process

from twin.sweep import run_sweep

PARAMS = {"registry.replicas": [2, 3], "duration": ["20m"]}
SEEDS = 8
TOTAL = 16
ARGS = ("sweep", "zone-failure", "--param", "registry.replicas=2,3", "--param", "duration=20m", "--seeds", str(SEEDS),
        "--workers", "2")


def run_files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.json"))}


def start_and_kill_part_way(out: Path) -> dict[str, tuple[bytes, int]]:
    """Start the sweep in its own process group; SIGKILL the group once 3 runs are saved."""
    process = subprocess.Popen([sys.executable, "-m", "twin", *ARGS, "--out", str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(list((out / "runs").glob("*.json"))) < 3:
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no run finished within 2 minutes"
            time.sleep(0.005)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return run_files(out / "runs")


def test_a_sweep_killed_part_way_resumes_without_losing_or_repeating_a_run(tmp_path):
    out = tmp_path / "sweep"
    survivors = start_and_kill_part_way(out)
    assert 3 <= len(survivors) < TOTAL, f"{len(survivors)} runs saved when the sweep was killed"
    assert not (out / "runs.parquet").exists()

    rerun = twin_process(*ARGS, "--out", str(out))

    assert rerun.returncode == 0, rerun.stderr
    assert f"{TOTAL} runs: {TOTAL - len(survivors)} ran now, {len(survivors)} already done" in rerun.stdout
    after = run_files(out / "runs")
    assert len(after) == TOTAL
    assert {name: after[name] for name in survivors} == survivors  # same bytes, same mtime: not run again
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]  # no temporary file left over
    uninterrupted = run_sweep("zone-failure", PARAMS, SEEDS, workers=0)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), uninterrupted.runs)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "aggregate.parquet"), uninterrupted.aggregate)


def test_ctrl_c_stops_the_sweep_with_one_line_saying_how_to_resume(tmp_path):
    out = tmp_path / "sweep"
    # 120 runs, so that seconds of work are left when the signal comes
    many = ("sweep", "zone-failure", "--param", "registry.replicas=2,3", "--param", "duration=20m", "--seeds", "60",
            "--workers", "2")
    process = subprocess.Popen([sys.executable, "-m", "twin", *many, "--out", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.json"))) < 2 and time.monotonic() < deadline:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group, workers included
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, (stdout, stderr)  # stdout too: once (a full suite, 2026-12-06) it ended 0
    assert stdout == ""
    assert stderr == (f"twin: interrupted; the finished runs are kept in {out / 'runs'}: run the same command again "
                      "to finish the sweep\n")
