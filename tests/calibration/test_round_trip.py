"""Round trip: the twin writes an access log and scrapes from known parameters, and
`twin calibrate` gets them back within its stated 95 % intervals, on each of three seeds
(three intervals out of three covering has a 86 % chance at the nominal level; a biased
fit fails). The stream bandwidth is checked against what a streamed byte costs in the
twin (the stream's ceiling and the CPU per byte, one after the other), within 10 %: the
streams share their node's link and the pod's CPU, which the fit's interval ignores."""

from __future__ import annotations

import json

import pytest

from twin.cli import main

SCENARIO = """\
name: round-trip
seed: 1
duration: 11m
cluster: {generate: {zones: 3, workers_per_zone: 1, control_plane: 0}}
registry: {config: {spec: {replicas: 1, managementState: Managed, storage: {emptyDir: {}}}}}
traffic:
  warm_up: 1m
  catalogue: {base_images: 2, images: 300, layer_size: {median: 1Mi, sigma: 1.2}}
  background: {pulls: {constant: 10}, cached_layer_fraction: 0.0}
  service:
    storage_stream_bandwidth: 50MB/s
    cpu_per_byte: 1.5n
    storage_latency: {GetContent: {median: 12ms, p99: 90ms}}
invariants: [{name: request_conservation}]
"""
TRUTH = {"traffic.background.pulls.constant.rate": 10.0, "traffic.catalogue.layer_size.median": 2**20,
         "traffic.catalogue.layer_size.sigma": 1.2, "traffic.service.storage_latency.GetContent.median (s)": 0.012}
SECONDS_PER_BYTE = 1 / 50e6 + 1.5e-9


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_calibration_recovers_the_twins_own_parameters(tmp_path, seed):
    (tmp_path / "scenario.yaml").write_text(SCENARIO)
    run, out = tmp_path / "run", tmp_path / "calibrated"
    assert main(["run", str(tmp_path / "scenario.yaml"), "--seed", str(seed), "--out", str(run), "--access-log",
                 "--metrics-every", "30s", "--quiet"]) == 0
    assert main(["calibrate", "--access-log", str(run / "access.log"), "--metrics", str(run), "--from", "60",
                 "--interval", "30s", "--out", str(out), "--quiet"]) == 0
    estimates = json.loads((out / "calibration.json").read_text())["estimates"]
    for name, truth in TRUTH.items():
        low, high = estimates[name]["ci95"]
        assert low <= truth <= high, (name, estimates[name])
    bandwidth = estimates["traffic.service.storage_stream_bandwidth (bytes/s)"]["value"]
    assert bandwidth == pytest.approx(1 / SECONDS_PER_BYTE, rel=0.10)


def test_the_access_log_reads_back_request_for_request(tmp_path):
    """Every request the run counted as answered by a pod has its line, with its kind."""
    from twin.observed.accesslog import read_access_log

    (tmp_path / "scenario.yaml").write_text(SCENARIO.replace("duration: 11m", "duration: 3m"))
    assert main(["run", str(tmp_path / "scenario.yaml"), "--out", str(tmp_path / "run"), "--access-log", "--quiet"]) == 0
    log = read_access_log(tmp_path / "run" / "access.log")
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())["requests"]
    answered = sum(n for cls, n in summary["outcomes"].items() if cls != "failed")
    assert len(log) == answered
    assert dict(log.groupby("kind").size())["manifest_get"] == summary["latency_seconds"]["manifest_get"]["requests"]
    assert set(log["status"]) >= {200, 401}
