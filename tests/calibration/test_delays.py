"""Per-kind delays (`twin/calibration/delays.py`): from access-log durations at low load,
less the kind's CPU and storage medians."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.calibration.delays import fit_delays
from twin.calibration.estimate import Estimate

CPU = {"cpu_per_request": Estimate(0.0004, 0.0003, 0.0005, "test")}
STORAGE = {"GetContent": {"median": Estimate(0.0001, 0.00009, 0.00011, "test")}}


def log(kinds: dict[str, np.ndarray], seconds: float = 600.0, seed: int = 0) -> pd.DataFrame:
    """Requests of each kind with the given durations, spread evenly over `seconds`."""
    rng = np.random.default_rng(seed)
    frames = [pd.DataFrame({"time": np.sort(rng.uniform(0, seconds, len(d))), "kind": kind, "status": 200,
                            "duration_seconds": d}) for kind, d in kinds.items()]
    return pd.concat(frames, ignore_index=True).sort_values("time", ignore_index=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_log_normal_delay_comes_back_within_its_intervals(seed):
    rng = np.random.default_rng(seed)
    median, p99 = 0.0006, 0.003
    sigma = np.log(p99 / median) / 2.3263478740408408
    delay = median * np.exp(sigma * rng.standard_normal(4000))
    fitted = fit_delays(log({"manifest_get": 0.0004 + 0.0001 + delay}, seed=seed), 5.0, CPU, STORAGE, seed)
    got = fitted["delay.manifest_get"]
    assert got["median"].low <= median <= got["median"].high
    assert got["p99"].low <= p99 <= got["p99"].high


def test_only_the_quiet_intervals_count():
    """The same kind at twice the duration in busy intervals does not move the estimate."""
    quiet = log({"manifest_get": np.full(400, 0.0015)}, seconds=100.0)
    busy = log({"manifest_get": np.full(4000, 0.003)}, seconds=100.0)
    busy["time"] += 100.0
    fitted = fit_delays(pd.concat([quiet, busy], ignore_index=True), 5.0, CPU, STORAGE)
    assert fitted["delay.manifest_get"]["median"].value == pytest.approx(0.001)


def test_a_kind_whose_storage_the_data_does_not_time_is_named_not_identified():
    fitted = fit_delays(log({"blob_head": np.full(100, 0.002)}), 5.0, CPU, STORAGE)
    assert isinstance(fitted["delay.blob_head"], Estimate) and "Stat" in fitted["delay.blob_head"].why


def test_streamed_blob_gets_are_left_to_the_reader_latency():
    assert "delay.blob_get" not in fit_delays(log({"blob_get": np.full(100, 0.004)}), 5.0, CPU, STORAGE)


def test_a_kind_no_slower_than_its_cpu_and_storage_gets_no_delay():
    fitted = fit_delays(log({"ping": np.full(100, 0.0003)}), 5.0, CPU, STORAGE)
    assert fitted["delay.ping"]["median"].value == 0.0
