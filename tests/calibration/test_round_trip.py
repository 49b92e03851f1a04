"""Round trip: the twin writes an access log and scrapes from known parameters, and
`twin calibrate` gets them back within its stated 95 % intervals. Over `SEEDS` runs each
parameter's interval must cover the truth at least `COVERED` times: a 95 % interval
misses that often with probability 0.6 % (binomial), while a biased fit misses on most
seeds. The stream bandwidth is checked against the stream's ceiling within 10 % on every
seed: the streams share their node's link and the pod's CPU runs beside them, which the
fit's interval ignores."""

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
STREAM_BYTES_PER_SECOND = 50e6
SEEDS = range(1, 9)
COVERED = 6


@pytest.fixture(scope="module")
def estimates(tmp_path_factory) -> list[dict]:
    out = []
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"seed-{seed}")
        (folder / "scenario.yaml").write_text(SCENARIO)
        run, calibrated = folder / "run", folder / "calibrated"
        assert main(["run", str(folder / "scenario.yaml"), "--seed", str(seed), "--out", str(run), "--access-log",
                     "--metrics-every", "30s", "--quiet"]) == 0
        assert main(["calibrate", "--access-log", str(run / "access.log"), "--metrics", str(run), "--from", "60",
                     "--interval", "30s", "--out", str(calibrated), "--quiet"]) == 0
        out.append(json.loads((calibrated / "calibration.json").read_text())["estimates"])
    return out


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_calibration_recovers_the_twins_own_parameters(estimates, name):
    covered = [e[name]["ci95"][0] <= TRUTH[name] <= e[name]["ci95"][1] for e in estimates]
    assert sum(covered) >= COVERED, [e[name] for e in estimates]


def test_the_stream_bandwidth_is_the_streams_ceiling(estimates):
    fitted = [e["traffic.service.storage_stream_bandwidth (bytes/s)"]["value"] for e in estimates]
    assert fitted == pytest.approx([STREAM_BYTES_PER_SECOND] * len(fitted), rel=0.10)


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
